#pragma once
// Seeded k-fold cross-validation. The folds depend only on the number of
// ratings, the fold count and the seed, so every set of training options is
// scored on the same folds. A rating model is scored by its rating error on
// the held-out fold; an implicit model, whose scores are not ratings, by its
// ranking at kCvRankingK (precision, recall, NDCG, relevance as evaluate()
// decides it by default).
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
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

inline constexpr std::size_t kCvRankingK = 10;

struct FoldResult {
  static constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
  std::uint32_t fold = 0;  // 1-based
  double rmse = 0.0;       // rating models; NaN for implicit ones
  double mae = 0.0;
  double precision = kUndefined;  // implicit models, at kCvRankingK
  double recall = kUndefined;
  double ndcg = kUndefined;
  std::uint64_t count = 0;
  std::uint64_t unknown = 0;
  double seconds = 0.0;
};

struct CrossValidation {
  std::vector<FoldResult> folds;
  double rmse_mean = 0.0, rmse_std = 0.0;  // std: sample standard deviation
  double mae_mean = 0.0, mae_std = 0.0;
  double precision_mean = 0.0, precision_std = 0.0;  // implicit models
  double recall_mean = 0.0, recall_std = 0.0;
  double ndcg_mean = 0.0, ndcg_std = 0.0;
  // Whether `other` scores better: a lower RMSE, or for implicit models a
  // higher NDCG.
  bool better_than(const CrossValidation& other, Objective objective) const {
    // An undefined NDCG (no fold had a user to rank) counts as the worst.
    const auto ndcg = [](double x) { return std::isnan(x) ? -1.0 : x; };
    return objective == Objective::Implicit ? ndcg(ndcg_mean) > ndcg(other.ndcg_mean) : rmse_mean < other.rmse_mean;
  }
};

// Trains on all folds but one and scores the held-out one, for each fold.
// `fold_seed` picks the folds; `options.seed` the training. Throws as
// train() does.
CrossValidation cross_validate(const Dataset& data, const TrainOptions& options, std::uint32_t folds,
                               std::uint64_t fold_seed, const std::function<void(const FoldResult&)>& on_fold = {});

}  // namespace mfrec
