#include "text_width.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace mfrec::cli {

namespace {

int codepoint_width(std::uint32_t c) {
  if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F) ||
      (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x20D0 && c <= 0x20FF))
    return 0;
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
      (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) || (c >= 0x1F900 && c <= 0x1F9FF) ||
      (c >= 0x20000 && c <= 0x3FFFD))
    return 2;
  return 1;
}


// Calls `visit(bytes, width)` for each character (an invalid byte counts as
// one character of width 1); stops when `visit` returns false.
template <class Visit>
void for_each_char(std::string_view s, Visit visit) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      if (!visit(std::size_t{1}, std::size_t{1})) return;
      ++i;
      continue;
    }
    std::uint32_t c = len == 1 ? b : b & (0x7F >> len);
    bool valid = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont & 0xC0) != 0x80) valid = false;
      c = (c << 6) | (cont & 0x3F);
    }
    if (!valid) {
      if (!visit(std::size_t{1}, std::size_t{1})) return;
      ++i;
      continue;
    }
    if (!visit(len, static_cast<std::size_t>(codepoint_width(c)))) return;
    i += len;
  }
}

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for_each_char(s, [&](std::size_t, std::size_t w) {
    width += w;
    return true;
  });
  return width;
}

std::string truncate_to_width(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  std::size_t bytes = 0, used = 0;
  for_each_char(s, [&](std::size_t b, std::size_t w) {
    if (used + w > width - 1) return false;  // keep one column for "…"
    used += w;
    bytes += b;
    return true;
  });
  return std::string(s.substr(0, bytes)) + "…";
}

std::size_t terminal_columns() {
  if (::isatty(STDOUT_FILENO) != 1) return 0;
  struct winsize ws {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) return static_cast<std::size_t>(std::strtoul(c, nullptr, 10));
  return 0;
}

}  // namespace mfrec::cli
