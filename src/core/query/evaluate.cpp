#include "mfrec/query/evaluate.hpp"

#include <algorithm>
#include <map>

#include "mfrec/error.hpp"
#include "mfrec/query/metrics.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec {

Evaluation evaluate(const Model& m, const Dataset& test, const EvaluateOptions& o) {
  if (o.ranking && o.k == 0) throw Error(ErrorKind::Usage, "--k must be at least 1");
  // Known means seen with at least one training rating.
  std::vector<char> item_trained(m.items.size(), 0);
  for (std::uint32_t i : m.rated_items) item_trained[i] = 1;
  auto known_user = [&](std::string_view name) -> std::optional<std::uint32_t> {
    const auto u = m.users.find(name);
    if (u && m.rated_offsets[*u + 1] > m.rated_offsets[*u]) return u;
    return std::nullopt;
  };
  auto known_item = [&](std::string_view name) -> std::optional<std::uint32_t> {
    const auto i = m.items.find(name);
    if (i && item_trained[*i]) return i;
    return std::nullopt;
  };

  Evaluation e;
  ErrorStats errors;
  std::map<std::uint32_t, std::vector<std::uint32_t>> relevant;  // model user -> model items
  for (const Rating& r : test.ratings) {
    const auto u = known_user(test.users.name(r.user));
    const auto i = known_item(test.items.name(r.item));
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

  if (!o.ranking) return e;
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
  return e;
}

}  // namespace mfrec
