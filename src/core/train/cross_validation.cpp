#include "mfrec/train/cross_validation.hpp"

#include <chrono>
#include <cmath>
#include <limits>
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

// The mean and sample standard deviation of one field over the folds where
// it is defined (a fold with no user to rank has no NDCG); NaN when none.
void mean_std(const std::vector<FoldResult>& folds, double FoldResult::*field, double& mean, double& sd) {
  std::vector<double> x;
  for (const FoldResult& f : folds)
    if (!std::isnan(f.*field)) x.push_back(f.*field);
  mean = sd = std::numeric_limits<double>::quiet_NaN();
  if (x.empty()) return;
  mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  sd = x.size() > 1 ? std::sqrt(ss / static_cast<double>(x.size() - 1)) : 0.0;
}

void summarize(CrossValidation& cv) {
  mean_std(cv.folds, &FoldResult::rmse, cv.rmse_mean, cv.rmse_std);
  mean_std(cv.folds, &FoldResult::mae, cv.mae_mean, cv.mae_std);
  mean_std(cv.folds, &FoldResult::precision, cv.precision_mean, cv.precision_std);
  mean_std(cv.folds, &FoldResult::recall, cv.recall_mean, cv.recall_std);
  mean_std(cv.folds, &FoldResult::ndcg, cv.ndcg_mean, cv.ndcg_std);
}

// A rating model by its error; an implicit one by its ranking (no user of
// the fold with a relevant item: NaN, as evaluate leaves it undefined).
FoldResult score_fold(const Model& model, const Dataset& holdout, double relevance) {
  EvaluateOptions eo;
  eo.ranking = model.implicit();
  eo.k = kCvRankingK;
  eo.relevant_threshold = relevance;
  const Evaluation e = evaluate(model, holdout, eo);
  FoldResult r;
  r.rmse = e.rmse;
  r.mae = e.mae;
  r.count = e.count;
  r.unknown = e.unknown;
  if (model.implicit() && e.ranked_users > 0) {
    r.precision = e.precision;
    r.recall = e.recall;
    r.ndcg = e.ndcg;
  }
  return r;
}

}  // namespace

CrossValidation cross_validate(const Dataset& data, const TrainOptions& options, std::uint32_t folds,
                               std::uint64_t fold_seed, const std::function<void(const FoldResult&)>& on_fold) {
  TrainOptions o = options;
  o.validation_fraction = 0.0;
  o.early_stop = 0;
  o.validate();
  const std::vector<std::uint32_t> fold_of = assign_folds(data.ratings.size(), folds, fold_seed);
  // Decided once, on all the data, so that every fold ranks by the same rule.
  const double relevance = default_relevance(data, o.objective == Objective::Implicit);
  CrossValidation cv;
  for (std::uint32_t f = 0; f < folds; ++f) {
    const auto start = std::chrono::steady_clock::now();
    const Split split = fold_split(data, fold_of, f);
    const Model model = train(TrainInput{&split.train, nullptr}, o);
    FoldResult r = score_fold(model, split.holdout, relevance);
    r.fold = f + 1;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cv.folds.push_back(r);
    if (on_fold) on_fold(r);
  }
  summarize(cv);
  return cv;
}

}  // namespace mfrec
