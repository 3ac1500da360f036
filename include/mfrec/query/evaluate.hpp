#pragma once
// Scores a model on held-out ratings: rating error (RMSE, MAE of clipped
// predictions on the input scale) and ranking quality at K.
//   Error: every test rating. A user or item the model never saw (or saw with
//   no training rating) is predicted as the mean plus any known bias and
//   counted in `unknown`.
//   Ranking: for each known test user with at least one relevant test rating
//   (rating >= relevant_threshold), the model's top K among the items the
//   user did not rate in training (ties by item order) is compared with those
//   relevant items; precision, recall and NDCG are averaged over these users.
#include <cstdint>

#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"

namespace mfrec {

struct EvaluateOptions {
  std::size_t k = 10;
  double relevant_threshold = 4.0;
  unsigned threads = 0;  // 0 = all cores; never changes the result
  bool ranking = true;   // false: rating error only (cross-validation)
};

struct Evaluation {
  double rmse = 0.0;
  double mae = 0.0;
  std::uint64_t count = 0;
  std::uint64_t unknown = 0;
  double precision = 0.0;
  double recall = 0.0;
  double ndcg = 0.0;
  std::uint64_t ranked_users = 0;  // users that entered the ranking metrics
};

Evaluation evaluate(const Model& model, const Dataset& test, const EvaluateOptions& options);

}  // namespace mfrec
