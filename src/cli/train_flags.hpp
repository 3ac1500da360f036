#pragma once
// The training hyperparameter flags, shared by `train` and `cv`.
#include <string>

#include <CLI/CLI.hpp>

#include "mfrec/train/train_options.hpp"

namespace mfrec::cli {

struct TrainFlags {
  TrainOptions train;
  bool no_bias = false;
  std::string order = "shuffled";
  // The options with the flags applied (not yet validated).
  TrainOptions resolve() const;
};

void add_train_flags(CLI::App& cmd, TrainFlags& flags);

}  // namespace mfrec::cli
