#include "flag_range.hpp"

#include <charconv>
#include <string>

#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::cli {


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

CLI::Validator range_check(const OptionSpec& spec) {
  return CLI::Validator(
      [spec](std::string& text) -> std::string {
        const auto value = parse_number(text);  // finite only
        if (!value) return "'" + text + "' is not a number";
        return range_problem(spec, *value);  // CLI11 puts the flag in front
      },
      "", std::string(spec.name));
}

CLI::Validator number_range(double lo, double hi) { return range_check(OptionSpec{.min = lo, .max = hi}); }

}  // namespace mfrec::cli
