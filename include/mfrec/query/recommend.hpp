#pragma once
// Top-N recommendations from a model.
//   predicted: rank a user's items by predicted rating.
//   neighbors: the seed's method: score(i) = Σ over the K users most similar
//              to the user (cosine of predicted rows) of similarity × their
//              predicted rating of i.
// Items the user rated are left out unless include_rated. Ties go to the
// item that comes first in the model's item order. Scores are on the input
// scale and not clipped, so their order stays visible.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "mfrec/model/model.hpp"

namespace mfrec {

enum class RecommendMethod { Predicted, Neighbors };
RecommendMethod parse_recommend_method(std::string_view text);
// The name parse_recommend_method reads back ("predicted", "neighbors").
constexpr std::string_view recommend_method_name(RecommendMethod method) {
  return method == RecommendMethod::Neighbors ? "neighbors" : "predicted";
}

struct RecommendOptions {
  std::size_t top = 10;
  bool include_rated = false;
  RecommendMethod method = RecommendMethod::Predicted;
  std::uint32_t neighbors = 3;
  unsigned threads = 0;  // recommend_all/_users only; 0 = all cores; never changes results
  // Only items with at least this many training ratings are candidates
  // (1: every item). nullopt: default_min_ratings(model).
  std::optional<std::uint32_t> min_ratings;
};

// The min_ratings a model gets unless told otherwise.
std::uint32_t default_min_ratings(const Model& model);

struct Recommendation {
  std::uint32_t item;
  double score;
};

std::vector<Recommendation> recommend(const Model& model, std::uint32_t user, const RecommendOptions& options);

using RecommendationSink = std::function<void(std::uint32_t user, const std::vector<Recommendation>&)>;

// Every user, scored in blocks against all items (in parallel); `emit` is
// called on the calling thread in user order.
void recommend_all(const Model& model, const RecommendOptions& options, const RecommendationSink& emit);

// The same for the given users, emitted in the order given.
void recommend_users(const Model& model, const std::vector<std::uint32_t>& users, const RecommendOptions& options,
                     const RecommendationSink& emit);

}  // namespace mfrec
