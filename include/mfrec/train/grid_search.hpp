#pragma once
// `cv --grid`: axes of option values, every combination cross-validated on
// the same folds, best first. Axis names are those of the option table
// (mfrec/train/train_options.hpp) whose rows say `grid`.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/train/cross_validation.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {

struct GridAxis {
  std::string name;  // the option's table name ("k", "lambda", …)
  std::vector<double> values;
};

// Parses "NAME=V1,V2,…"; NAME is a grid option's name or one of its flags
// ("factors", "reg", "alpha", "e"). Throws Error(Usage) naming `text`.
GridAxis parse_grid_axis(std::string_view text);

// Every combination of the axes applied to `base` (the last axis varies
// fastest; no axes: `base` alone), each checked against the table's limits.
// Throws Error(Usage) for an option on two axes or an out-of-range value.
std::vector<TrainOptions> expand_grid(const TrainOptions& base, const std::vector<GridAxis>& axes);

// The grid's option names in table order: the columns of a grid's results.
std::vector<std::string> grid_option_names();

struct GridResult {
  TrainOptions options;
  CrossValidation cv;
  double seconds = 0.0;  // wall clock, all folds
};

// Called on the calling thread with the setting's index in `settings`:
// after each of its folds, and once all its folds are done.
struct GridProgress {
  std::function<void(std::size_t setting, const FoldResult&)> fold;
  std::function<void(std::size_t setting, const GridResult&)> setting;
};

// Cross-validates every setting on the same `folds` folds (picked by
// `fold_seed`), and returns the results best first: lowest mean RMSE, ties
// in the order given. Throws as cross_validate() does.
std::vector<GridResult> grid_search(const Dataset& data, const std::vector<TrainOptions>& settings, std::uint32_t folds,
                                    std::uint64_t fold_seed, const GridProgress& progress = {});

}  // namespace mfrec
