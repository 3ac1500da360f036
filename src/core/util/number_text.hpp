#pragma once
// Numbers in error messages as users typed them: "0.005", not
// std::to_string's "0.005000"; "1e+38", not 39 digits.
#include <charconv>
#include <string>

namespace mfrec::detail {

inline std::string shortest(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

}  // namespace mfrec::detail
