#pragma once
// Terminal display width of UTF-8 text: combining marks take no column, East
// Asian wide characters and emoji take two, invalid bytes one each.
#include <cstddef>
#include <string>
#include <string_view>

namespace mfrec::cli {

std::size_t display_width(std::string_view text);

}  // namespace mfrec::cli

namespace mfrec::cli {

// `text` cut to at most `width` columns, ending in "…" when cut.
std::string truncate_to_width(std::string_view text, std::size_t width);

// Columns of the terminal on stdout; 0 when unknown or not a terminal.
std::size_t terminal_columns();

}  // namespace mfrec::cli
