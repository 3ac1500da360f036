#include "mfrec/query/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "mfrec/error.hpp"

namespace mfrec {

RankingScore score_ranking(const std::vector<std::uint32_t>& ranked, const std::vector<std::uint32_t>& relevant,
                           std::size_t k) {
  if (relevant.empty() || k == 0) throw Error(ErrorKind::Internal, "score_ranking needs relevant items and k > 0");
  std::size_t hits = 0;
  double dcg = 0.0;
  const std::size_t shown = std::min(k, ranked.size());
  for (std::size_t r = 0; r < shown; ++r) {
    if (std::binary_search(relevant.begin(), relevant.end(), ranked[r])) {
      ++hits;
      dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    }
  }
  double ideal = 0.0;
  for (std::size_t r = 0; r < std::min(k, relevant.size()); ++r) ideal += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  RankingScore s;
  s.precision = static_cast<double>(hits) / static_cast<double>(k);
  s.recall = static_cast<double>(hits) / static_cast<double>(relevant.size());
  s.ndcg = dcg / ideal;
  return s;
}

}  // namespace mfrec
