#include "mfrec/train/cross_validation.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

#include "mfrec/error.hpp"
#include "mfrec/query/evaluate.hpp"
#include "util/random.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec {

std::vector<std::uint32_t> assign_folds(std::size_t ratings, std::uint32_t folds, std::uint64_t seed) {
  if (folds < 2) throw Error(ErrorKind::Usage, "--folds must be at least 2");
  if (ratings < folds)
    throw Error(ErrorKind::Data, "cannot make " + std::to_string(folds) + " folds of " + std::to_string(ratings) + " ratings");
  std::vector<std::size_t> order(ratings);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed, kStreamFolds);
  rng.shuffle(order.begin(), order.end());
  std::vector<std::uint32_t> fold_of(ratings);
  for (std::size_t p = 0; p < ratings; ++p) fold_of[order[p]] = static_cast<std::uint32_t>(p % folds);
  return fold_of;
}

Split fold_split(const Dataset& data, const std::vector<std::uint32_t>& fold_of, std::uint32_t fold) {
  Split s;
  s.train.users = s.holdout.users = data.users;
  s.train.items = s.holdout.items = data.items;
  s.train.source = s.holdout.source = data.source;
  for (std::size_t i = 0; i < data.ratings.size(); ++i)
    (fold_of[i] == fold ? s.holdout : s.train).ratings.push_back(data.ratings[i]);
  return s;
}

namespace {
void mean_std(const std::vector<double>& x, double& mean, double& sd) {
  mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  sd = x.size() > 1 ? std::sqrt(ss / static_cast<double>(x.size() - 1)) : 0.0;
}
}  // namespace

CrossValidation cross_validate(const Dataset& data, const TrainOptions& options, std::uint32_t folds,
                               std::uint64_t fold_seed, const std::function<void(const FoldResult&)>& on_fold) {
  TrainOptions o = options;
  o.validation_fraction = 0.0;
  o.early_stop = 0;
  o.validate();
  const std::vector<std::uint32_t> fold_of = assign_folds(data.ratings.size(), folds, fold_seed);
  CrossValidation cv;
  std::vector<double> rmse, mae;
  for (std::uint32_t f = 0; f < folds; ++f) {
    const auto start = std::chrono::steady_clock::now();
    const Split split = fold_split(data, fold_of, f);
    const Model model = train(TrainInput{&split.train, nullptr}, o);
    EvaluateOptions eo;
    eo.ranking = false;
    const Evaluation e = evaluate(model, split.holdout, eo);
    FoldResult r{f + 1, e.rmse, e.mae, e.count, e.unknown,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
    cv.folds.push_back(r);
    rmse.push_back(r.rmse);
    mae.push_back(r.mae);
    if (on_fold) on_fold(r);
  }
  mean_std(rmse, cv.rmse_mean, cv.rmse_std);
  mean_std(mae, cv.mae_mean, cv.mae_std);
  return cv;
}

}  // namespace mfrec
