#pragma once
// Items named the way a person names them: by id, or, when the model has
// titles (train --item-names), by an exact title. An id wins over a title
// that happens to spell it; a title several items share names all of them.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mfrec/model/model.hpp"

namespace mfrec::cli {

class ItemLookup {
 public:
  explicit ItemLookup(const Model& model);
  // The items `name` names: {id's item}, the items with that title, or none.
  std::vector<std::uint32_t> find(const std::string& name) const;

 private:
  const Model& model_;
  std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_title_;
};

}  // namespace mfrec::cli
