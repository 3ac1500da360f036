#include "mfrec/query/evaluate.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/query/metrics.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec {

namespace {

// Users and items the model saw with at least one training rating.
class TrainedNames {
 public:
  explicit TrainedNames(const Model& m) : m_(m), item_trained_(m.items.size(), 0) {
    for (std::uint32_t i : m.rated_items) item_trained_[i] = 1;
  }
  std::optional<std::uint32_t> user(std::string_view name) const {
    const auto u = m_.users.find(name);
    if (u && m_.rated_offsets[*u + 1] > m_.rated_offsets[*u]) return u;
    return std::nullopt;
  }
  std::optional<std::uint32_t> item(std::string_view name) const {
    const auto i = m_.items.find(name);
    if (i && item_trained_[*i]) return i;
    return std::nullopt;
  }

 private:
  const Model& m_;
  std::vector<char> item_trained_;
};

using RelevantItems = std::map<std::uint32_t, std::vector<std::uint32_t>>;  // model user -> model items

// Rating error over every test rating into `e`; with ranking, each known
// user's relevant test items that the user did not rate in training.
void score_ratings(const Model& m, const Dataset& test, const EvaluateOptions& o, Evaluation& e,
                   RelevantItems& relevant) {
  const double threshold = e.relevant_threshold;
  const TrainedNames known(m);
  ErrorStats errors;
  for (const Rating& r : test.ratings) {
    const auto u = known.user(test.users.name(r.user));
    const auto i = known.item(test.items.name(r.item));
    double predicted;
    if (u && i) {
      predicted = m.predict(*u, *i);
    } else {
      predicted = m.predict_unknown(u, i);
      ++e.unknown;
    }
    errors.add(r.value - m.clip(predicted));
    if (o.ranking && u && i && r.value >= threshold && !m.has_rated(*u, *i)) relevant[*u].push_back(*i);
  }
  constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
  e.rmse = m.implicit() ? kUndefined : errors.rmse();
  e.mae = m.implicit() ? kUndefined : errors.mae();
  e.count = errors.count;
}

// The most-popular list: items by training count, most first (ties by item
// order), among the candidates the model's ranking has (not rated in
// training, at least min_ratings training ratings).
class PopularList {
 public:
  PopularList(const Model& m, const RecommendOptions& o) : m_(m) {
    const std::uint32_t min_ratings = std::max(o.min_ratings, 1u);
    const std::vector<std::uint32_t> counts = m.popularity();
    for (std::uint32_t i = 0; i < m.items.size(); ++i)
      if (counts[i] >= min_ratings) by_count_.push_back(i);
    std::stable_sort(by_count_.begin(), by_count_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return counts[a] > counts[b]; });
  }
  // `user`'s first `k` items into `out`.
  void top(std::uint32_t user, std::size_t k, std::vector<std::uint32_t>& out) const {
    out.clear();
    for (std::size_t p = 0; p < by_count_.size() && out.size() < k; ++p)
      if (!m_.has_rated(user, by_count_[p])) out.push_back(by_count_[p]);
  }

 private:
  const Model& m_;
  std::vector<std::uint32_t> by_count_;
};

void add(RankingMetrics& sum, const RankingScore& s) {
  sum.precision += s.precision;
  sum.recall += s.recall;
  sum.ndcg += s.ndcg;
}

RankingMetrics mean_of(const RankingMetrics& sum, std::size_t users) {
  if (users == 0) return {};
  const auto n = static_cast<double>(users);
  return {sum.precision / n, sum.recall / n, sum.ndcg / n};
}

// Precision, recall and NDCG at K of the model's top K, averaged over the
// users of `relevant` (whose lists get sorted).
void score_rankings(const Model& m, RelevantItems& relevant, const EvaluateOptions& o, Evaluation& e) {
  std::vector<std::uint32_t> users;
  for (auto& [u, items] : relevant) {
    std::sort(items.begin(), items.end());
    users.push_back(u);
  }
  RecommendOptions ro = o.recommend;
  ro.top = o.k;
  ro.include_rated = false;
  ro.threads = o.threads;
  const PopularList popular(m, ro);
  RankingMetrics model_sum, popular_sum;
  std::vector<std::uint32_t> ranked;
  recommend_users(m, users, ro, [&](std::uint32_t user, const std::vector<Recommendation>& recs) {
    ranked.clear();
    for (const auto& r : recs) ranked.push_back(r.item);
    add(model_sum, score_ranking(ranked, relevant[user], o.k));
    popular.top(user, o.k, ranked);
    add(popular_sum, score_ranking(ranked, relevant[user], o.k));
  });
  e.ranked_users = users.size();
  const RankingMetrics mean = mean_of(model_sum, users.size());
  e.precision = mean.precision;
  e.recall = mean.recall;
  e.ndcg = mean.ndcg;
  e.popular = mean_of(popular_sum, users.size());
}

}  // namespace

double default_relevance(const Dataset& test, bool implicit) {
  if (!implicit) return kRelevantRating;
  const bool reaches = std::any_of(test.ratings.begin(), test.ratings.end(),
                                   [](const Rating& r) { return r.value >= kRelevantRating; });
  // Every interaction with a value above 0 (a 0 or a negative is no "yes").
  return reaches ? kRelevantRating : std::numeric_limits<double>::denorm_min();
}

double relevant_threshold(const Model& m, const Dataset& test, const EvaluateOptions& o) {
  return o.relevant_threshold ? *o.relevant_threshold : default_relevance(test, m.implicit());
}

Evaluation evaluate(const Model& m, const Dataset& test, const EvaluateOptions& o) {
  if (o.ranking && o.k == 0) throw Error(ErrorKind::Usage, "--k must be at least 1");
  Evaluation e;
  e.relevant_threshold = relevant_threshold(m, test, o);
  RelevantItems relevant;
  score_ratings(m, test, o, e, relevant);
  if (o.ranking) score_rankings(m, relevant, o, e);
  return e;
}

}  // namespace mfrec
