#pragma once
// The training options as flags, shared by `train` and `cv`: every row of
// the option table (mfrec/train/train_options.hpp) that has flags, with its
// range, default and help from there.
#include <CLI/CLI.hpp>

#include "mfrec/train/train_options.hpp"
#include "output.hpp"

namespace mfrec::cli {

// Binds the flags to `options`' fields; their current values are the
// defaults shown in help. Options marked train_only only when `for_train`.
void add_train_flags(CLI::App& cmd, TrainOptions& options, bool for_train);

// After parsing: the options' defaults for the chosen --objective and
// --optimizer, for
// every flag the command line did not give; throws Error(Usage) when it
// gives a flag that objective ignores (--lr with --objective implicit).
void resolve_objective(const CLI::App& cmd, TrainOptions& options);

// Option `name` of `o` as an output cell, as `info` and `cv --grid` print
// it: whole numbers as integers, switches yes/no, choices by name, and a
// value that stands for another option's (lambda_bias < 0) resolved.
Cell option_cell(const TrainOptions& o, std::string_view name);

}  // namespace mfrec::cli
