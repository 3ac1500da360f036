#pragma once
// Limits of the number flags outside the training option table, as a
// CLI11 check worded like the table's ranges ("--top must be >= 1"), not
// CLI11's "Value 0 not in range 1 to 1073741824".
#include <cstdint>

#include <CLI/CLI.hpp>

namespace mfrec::cli {

CLI::Validator whole_range(std::uint64_t lo, std::uint64_t hi);
// A number in [lo, hi] ("--shrink must be a number between 0 and 1000000").
CLI::Validator number_range(double lo, double hi);

}  // namespace mfrec::cli
