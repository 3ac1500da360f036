#pragma once
// The training options as flags, shared by `train` and `cv`: every row of
// the option table (mfrec/train/train_options.hpp) that has flags, with its
// range, default and help from there.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "mfrec/train/train_options.hpp"
#include "output.hpp"

namespace mfrec::cli {

// Binds the flags to `options`' fields; their current values are the
// defaults shown in help. Options marked train_only only when `for_train`.
void add_train_flags(CLI::App& cmd, TrainOptions& options, bool for_train);

// After parsing: the options' defaults for the chosen --objective and
// --optimizer (or with `inherited`, its values: train --init takes the
// model's), for every flag the command line did not give; throws
// Error(Usage) when it gives a flag that objective ignores (--lr with
// --objective implicit).
void resolve_objective(const CLI::App& cmd, TrainOptions& options, const TrainOptions* inherited = nullptr);

// The table names of the options whose flags the command line gave.
std::vector<std::string> given_options(const CLI::App& cmd);

// The flag to type for option `spec` ("-k", "--lambda"): its first name.
std::string first_flag(const OptionSpec& spec);

// Option `name` of `o` as an output cell, as `info` and `cv --grid` print
// it: whole numbers as integers, switches yes/no, choices by name, and a
// value that stands for another option's (lambda_bias < 0) resolved.
Cell option_cell(const TrainOptions& o, std::string_view name);

}  // namespace mfrec::cli
