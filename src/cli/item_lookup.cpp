#include "item_lookup.hpp"

namespace mfrec::cli {

ItemLookup::ItemLookup(const Model& model) : model_(model) {
  for (std::uint32_t i = 0; i < model.item_titles.size(); ++i)
    if (!model.item_titles[i].empty()) by_title_[model.item_titles[i]].push_back(i);
}

std::vector<std::uint32_t> ItemLookup::find(const std::string& name) const {
  if (const auto item = model_.items.find(name)) return {*item};
  const auto titled = by_title_.find(name);
  if (titled == by_title_.end()) return {};
  return titled->second;
}

}  // namespace mfrec::cli
