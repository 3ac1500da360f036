#pragma once
// Top-N recommendations from a model.
//   predicted: rank a user's items by predicted rating.
//   neighbors: the K users most similar to the user (in `space`, centered by
//              default) and score(i) = their predicted ratings of i averaged
//              with weights max(similarity, 0) (equal weights when none is
//              positive): a rating, on the input scale like the others.
// Items the user rated are left out unless include_rated; items with fewer
// than min_ratings training ratings, excluded items and, when a candidate
// list is given, items not on it always are. Ties go to the item
// that comes first in the model's item order. Scores are on the input scale
// and not clipped, so their order stays visible.
//
// Ranking score: with shrink s > 0, the prediction pulled toward the user's
// base (mean + user bias: the guess for an item the model knows nothing
// about) the less the item was rated: base + w·(prediction − base), w the
// item's n/(n + m) over the most-rated item's, n its training ratings and
// m = s × the mean training ratings per item. An item known from two
// ratings keeps little of its prediction; the most-rated keeps all of it.
// The score printed is that shrunk prediction. Rating models shrink by
// kDefaultShrink unless told otherwise; the held-out study behind it is
// bench/ranking_study.md.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/model/model.hpp"
#include "mfrec/query/similarity.hpp"

namespace mfrec {

enum class RecommendMethod { Predicted, Neighbors };
RecommendMethod parse_recommend_method(std::string_view text);
// The name parse_recommend_method reads back ("predicted", "neighbors").
constexpr std::string_view recommend_method_name(RecommendMethod method) {
  return method == RecommendMethod::Neighbors ? "neighbors" : "predicted";
}

// The shrink rating models rank with (bench/ranking_study.md): best or
// within 0.001 NDCG@10 of best on every split studied.
inline constexpr double kDefaultShrink = 300.0;
// Beyond this every item's own part is shrunk to nothing anyway (the order
// stops changing long before): the limit keeps the weights finite.
inline constexpr double kMaxShrink = 1e6;

struct RecommendOptions {
  std::size_t top = 10;
  bool include_rated = false;
  RecommendMethod method = RecommendMethod::Predicted;
  std::uint32_t neighbors = 3;
  unsigned threads = 0;  // recommend_all/_users only; 0 = all cores; never changes results
  // Only items with at least this many training ratings are candidates.
  // 1 (every item) by default: with the shrunk score no filter up to 50
  // ratings changes NDCG@10 on the splits of bench/ranking_study.md, and a
  // filter alone stays below the most-popular list there.
  std::uint32_t min_ratings = 1;
  std::optional<double> shrink = std::nullopt;  // s (see above); 0 = off; nullopt: default_shrink(model)
  SimilaritySpace space = SimilaritySpace::Centered;  // neighbors: where "most similar" is measured
  // Filters by model item index: never these; only these when set.
  std::vector<std::uint32_t> exclude = {};
  std::optional<std::vector<std::uint32_t>> candidates = std::nullopt;
};


// kDefaultShrink for rating models; 0 for implicit ones, whose preference
// scores already rise with an item's interactions.
double default_shrink(const Model& model);

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

// --explain: the rated item that most supports recommending `item` to
// `user`. For each item j the user rated, its support is
//   (r_uj − baseline_u) · cos(V_item, V_j),
// the user's own rating of j (training scale; the model's fit r̂_uj when
// the model does not know the rating: Model::given_rating) beyond the
// user's baseline mean + b_u, times how well j's factors align with the
// item's. Only j with both factors positive count (a disliked item pointing
// away is no reason); the highest support wins, ties to the earlier item;
// a zero vector aligns with nothing.
struct Because {
  std::uint32_t item;
  double rating;      // the user's rating of `item` (input scale), or the model's fit of it, clipped
  bool given = true;  // false: `rating` is the fit
};

class Explainer {
 public:
  explicit Explainer(const Model& model);
  // nullopt when no rated item supports the item (or the user rated nothing).
  std::optional<Because> because(std::uint32_t user, std::uint32_t item) const;

 private:
  const Model& model_;
  std::vector<double> inverse_norms_;  // 1/‖V_j‖, 0 for a zero vector
};

// How an item is named in answers: its title when the model has one, else its id.
std::string item_label(const Model& model, std::uint32_t item);
// `Label (4.5)`: the explanation as the because column prints it.
std::string because_text(const Model& model, const Because& because);

}  // namespace mfrec
