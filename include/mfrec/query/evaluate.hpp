#pragma once
// Scores a model on held-out ratings: rating error (RMSE, MAE of clipped
// predictions on the input scale) and ranking quality at K.
//   Error: every test rating. A user or item the model never saw (or saw with
//   no training rating) is predicted as the mean plus any known bias and
//   counted in `unknown`.
//   An implicit model's scores are preferences, not ratings: its error is
//   NaN (undefined), and only the counts and the ranking mean anything.
//   Ranking: for each known test user with at least one relevant test rating
//   (rating >= relevant_threshold), the model's top K among the items the
//   user did not rate in training (ranked as `recommend` ranks them, with
//   the same filters; ties by item order) is compared with those relevant
//   items; precision, recall and NDCG are averaged over these users. The
//   same is measured for the most-popular list (items by training count,
//   the same candidates), the baseline a model has to beat.
#include <cstdint>
#include <optional>

#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec {

struct EvaluateOptions {
  std::size_t k = 10;
  // A test rating at or above this is relevant. nullopt: 4, except for an
  // implicit model tested on values that never reach 4 (interactions with
  // no rating count 1), where every test interaction with a value above 0
  // is relevant.
  std::optional<double> relevant_threshold;
  unsigned threads = 0;  // 0 = all cores; never changes the result
  bool ranking = true;   // false: rating error only (cross-validation)
  // How the model ranks: its filters (min_ratings) and method. `top`,
  // `include_rated` and `threads` are set from the fields above.
  RecommendOptions recommend;
};

struct RankingMetrics {
  double precision = 0.0;
  double recall = 0.0;
  double ndcg = 0.0;
};

struct Evaluation {
  double rmse = 0.0;  // NaN for an implicit model
  double mae = 0.0;
  std::uint64_t count = 0;
  std::uint64_t unknown = 0;
  double relevant_threshold = 4.0;  // the one used
  double precision = 0.0;
  double recall = 0.0;
  double ndcg = 0.0;
  RankingMetrics popular;          // the most-popular list's
  std::uint64_t ranked_users = 0;  // users that entered the ranking metrics
};

// A test rating at or above this is relevant unless told otherwise.
inline constexpr double kRelevantRating = 4.0;

// The default relevance threshold for `test`: kRelevantRating, or for an
// implicit model when no value of `test` reaches it, any value above 0.
double default_relevance(const Dataset& test, bool implicit);

// The relevance threshold evaluate() uses for `test` with these options.
double relevant_threshold(const Model& model, const Dataset& test, const EvaluateOptions& options);

Evaluation evaluate(const Model& model, const Dataset& test, const EvaluateOptions& options);

}  // namespace mfrec
