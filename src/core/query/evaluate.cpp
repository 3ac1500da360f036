#include "mfrec/query/evaluate.hpp"

#include <algorithm>
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
    if (o.ranking && u && i && r.value >= o.relevant_threshold && !m.has_rated(*u, *i)) relevant[*u].push_back(*i);
  }
  e.rmse = errors.rmse();
  e.mae = errors.mae();
  e.count = errors.count;
}

// Precision, recall and NDCG at K of the model's top K, averaged over the
// users of `relevant` (whose lists get sorted).
void score_rankings(const Model& m, RelevantItems& relevant, const EvaluateOptions& o, Evaluation& e) {
  std::vector<std::uint32_t> users;
  for (auto& [u, items] : relevant) {
    std::sort(items.begin(), items.end());
    users.push_back(u);
  }
  RecommendOptions ro;
  ro.top = o.k;
  ro.threads = o.threads;
  double precision = 0.0, recall = 0.0, ndcg = 0.0;
  std::vector<std::uint32_t> ranked;
  recommend_users(m, users, ro, [&](std::uint32_t user, const std::vector<Recommendation>& recs) {
    ranked.clear();
    for (const auto& r : recs) ranked.push_back(r.item);
    const RankingScore s = score_ranking(ranked, relevant[user], o.k);
    precision += s.precision;
    recall += s.recall;
    ndcg += s.ndcg;
  });
  e.ranked_users = users.size();
  if (!users.empty()) {
    const auto n = static_cast<double>(users.size());
    e.precision = precision / n;
    e.recall = recall / n;
    e.ndcg = ndcg / n;
  }
}

}  // namespace

Evaluation evaluate(const Model& m, const Dataset& test, const EvaluateOptions& o) {
  if (o.ranking && o.k == 0) throw Error(ErrorKind::Usage, "--k must be at least 1");
  Evaluation e;
  RelevantItems relevant;
  score_ratings(m, test, o, e, relevant);
  if (o.ranking) score_rankings(m, relevant, o, e);
  return e;
}

}  // namespace mfrec
