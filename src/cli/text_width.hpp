#pragma once
// Terminal display width of UTF-8 text: combining marks take no column, East
// Asian wide characters and emoji take two, invalid bytes one each.
#include <cstddef>
#include <string_view>

namespace mfrec::cli {

std::size_t display_width(std::string_view text);

}  // namespace mfrec::cli
