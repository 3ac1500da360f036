#pragma once
// Seeded k-fold cross-validation. The folds depend only on the number of
// ratings, the fold count and the seed, so every set of training options is
// scored on the same folds.
#include <cstdint>
#include <functional>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {

// The fold (0..folds-1) of each rating: a seeded shuffle dealt round-robin,
// so fold sizes differ by at most one.
std::vector<std::uint32_t> assign_folds(std::size_t ratings, std::uint32_t folds, std::uint64_t seed);

// The training and test parts for `fold`; both keep `data`'s id maps and
// rating order.
Split fold_split(const Dataset& data, const std::vector<std::uint32_t>& fold_of, std::uint32_t fold);

struct FoldResult {
  std::uint32_t fold = 0;  // 1-based
  double rmse = 0.0;
  double mae = 0.0;
  std::uint64_t count = 0;
  std::uint64_t unknown = 0;
  double seconds = 0.0;
};

struct CrossValidation {
  std::vector<FoldResult> folds;
  double rmse_mean = 0.0, rmse_std = 0.0;  // std: sample standard deviation
  double mae_mean = 0.0, mae_std = 0.0;
};

// Trains on all folds but one and scores the held-out one, for each fold.
// `fold_seed` picks the folds; `options.seed` the training. Throws as
// train() does.
CrossValidation cross_validate(const Dataset& data, const TrainOptions& options, std::uint32_t folds,
                               std::uint64_t fold_seed, const std::function<void(const FoldResult&)>& on_fold = {});

}  // namespace mfrec
