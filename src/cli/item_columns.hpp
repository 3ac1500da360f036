#pragma once
// The item columns of query outputs: the item's name, then its title when
// the model has titles (CLI.md, "Item titles": a `title` column right after
// each item column). A model without titles prints what it always printed.
#include <cstdint>
#include <string>
#include <vector>

#include "mfrec/model/model.hpp"
#include "output.hpp"

namespace mfrec::cli {

// Appends `column` (the item column's header) and, with titles, "title".
void add_item_header(std::vector<std::string>& header, const Model& model, const std::string& column);
// Appends the item's name and, with titles, its title.
void add_item_cells(std::vector<Cell>& row, const Model& model, std::uint32_t item);

}  // namespace mfrec::cli
