#include "item_columns.hpp"

namespace mfrec::cli {

void add_item_header(std::vector<std::string>& header, const Model& model, const std::string& column) {
  header.push_back(column);
  if (model.has_titles()) header.push_back("title");
}

void add_item_cells(std::vector<Cell>& row, const Model& model, std::uint32_t item) {
  row.emplace_back(model.items.name(item));
  if (model.has_titles()) row.emplace_back(model.item_titles[item]);
}

}  // namespace mfrec::cli
