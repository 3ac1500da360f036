#include "flag_range.hpp"

#include <charconv>
#include <string>

#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::cli {

namespace {

// 1000000, not 1e+06: a limit as users would type it.
std::string shortest(double x) {
  char buf[32];
  const bool whole = x == static_cast<double>(static_cast<long long>(x));
  const auto res = whole ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(x))
                         : std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

}  // namespace

CLI::Validator whole_range(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (!text.empty() && text.front() == '-' && text.find_first_not_of("-0123456789") == std::string::npos)
          return "must be >= " + std::to_string(lo);
        if (ec == std::errc::result_out_of_range) return "must be <= " + std::to_string(hi);
        if (ec != std::errc() || ptr != end) return "must be a whole number (not '" + text + "')";
        if (value < lo) return "must be >= " + std::to_string(lo);
        if (value > hi) return "must be <= " + std::to_string(hi);
        return "";  // CLI11 puts the flag in front of a problem
      },
      "", "whole_range");
}

CLI::Validator number_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        const auto value = parse_number(text);  // finite only
        if (!value || *value < lo || *value > hi)
          return "must be a number between " + shortest(lo) + " and " + shortest(hi) + " (not '" + text + "')";
        return "";
      },
      "", "number_range");
}

}  // namespace mfrec::cli
