#pragma once
// The body of mfrec::parse_number, inline: the readers parse a number per
// cell, in loops that now live in several files, and a call into another
// translation unit per cell would be a call the loops did not make before.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mfrec::detail {

// Plain decimals ("4", "-3.5", "2.91"): the digits as an integer below 10^15
// and a power of ten up to 10^22 are both exact doubles, so one division
// rounds correctly, to the same double from_chars gives (Clinger's fast
// path). Anything else, or longer, is left to from_chars. (A bool and an out
// parameter, not an optional: copying the optional through the stack cost a
// store-forwarding stall per call.)
inline bool parse_plain_decimal(std::string_view text, double& out) {
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr std::size_t kMaxDigits = 15;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  std::uint64_t digits = 0;
  std::size_t count = 0, i = 0, point = text.size();
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = digits * 10 + static_cast<std::uint64_t>(c - '0');
      ++count;
    } else if (c == '.' && point == text.size() && i > 0) {
      point = i;
    } else {
      return false;
    }
  }
  if (count == 0 || count > kMaxDigits || point == text.size() - 1) return false;
  const std::size_t decimals = point == text.size() ? 0 : text.size() - point - 1;
  const double value = static_cast<double>(digits) / kPowersOfTen[decimals];
  out = negative ? -value : value;
  return true;
}

// mfrec::parse_number (include/mfrec/io/ratings_reader.hpp).
inline std::optional<double> parse_finite_number(std::string_view text) {
  // from_chars takes a '-' but not a '+'; after a '+' no second sign may
  // follow ("+-3", "++3").
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return std::nullopt;
  }
  if (text.empty()) return std::nullopt;
  double value = 0;
  if (parse_plain_decimal(text, value)) return value;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace mfrec::detail
