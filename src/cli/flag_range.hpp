#pragma once
// Limits of number flags as CLI11 checks worded like the option table's
// ranges ("--top must be >= 1"), not CLI11's "Value 0 not in range 1 to
// 1073741824".
#include <cstdint>

#include <CLI/CLI.hpp>

#include "mfrec/train/train_options.hpp"

namespace mfrec::cli {

CLI::Validator whole_range(std::uint64_t lo, std::uint64_t hi);
// The option table's limits of `spec` as a check, in the words of
// TrainOptions::validate() ("--lr must be > 0 and < 1000").
CLI::Validator range_check(const OptionSpec& spec);
// A number in [lo, hi] ("--shrink must be between 0 and 1000000").
CLI::Validator number_range(double lo, double hi);

}  // namespace mfrec::cli
