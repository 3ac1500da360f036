#pragma once
// The wide layout's "not rated" values (--missing "0,NA,N/A,-"): which cells
// hold no rating. Shared by the reader and by `split`, which must agree with
// it cell for cell.
#include <string>
#include <string_view>
#include <vector>

#include "io/parse_number.hpp"

namespace mfrec::detail {

class MissingValues {
 public:
  // `list` split at its commas: a value with a comma cannot be a "not rated"
  // mark, which keeps the list simple to type.
  explicit MissingValues(std::string_view list) {
    while (true) {
      const auto comma = list.find(',');
      const std::string_view value = list.substr(0, comma);
      if (!value.empty()) {
        texts_.emplace_back(value);
        if (auto m = parse_finite_number(value)) numbers_.push_back(*m);
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }

  // A cell that means "not rated": empty, one of the texts, or a number
  // equal to one of them ("0.0" when the list has "0").
  bool matches(std::string_view cell) const {
    if (cell.empty()) return true;
    for (const auto& m : texts_)
      if (cell == m) return true;
    if (!numbers_.empty()) {
      const auto v = parse_finite_number(cell);
      if (!v) return false;
      for (double m : numbers_)
        if (*v == m) return true;
    }
    return false;
  }

  // The values, in the list's order (none when the list is empty).
  const std::vector<std::string>& texts() const { return texts_; }

 private:
  std::vector<std::string> texts_;
  std::vector<double> numbers_;
};

}  // namespace mfrec::detail
