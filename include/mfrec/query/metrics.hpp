#pragma once
// Accumulators for error metrics, in double whatever the model's precision.
#include <cmath>
#include <cstdint>

namespace mfrec {

struct ErrorStats {
  double sum_squared = 0.0;
  double sum_absolute = 0.0;
  std::uint64_t count = 0;

  void add(double error) {
    sum_squared += error * error;
    sum_absolute += std::fabs(error);
    ++count;
  }
  double rmse() const { return count ? std::sqrt(sum_squared / static_cast<double>(count)) : 0.0; }
  double mae() const { return count ? sum_absolute / static_cast<double>(count) : 0.0; }
};

}  // namespace mfrec

#include <vector>

namespace mfrec {

// Ranking quality of one user's top-K list with binary relevance.
struct RankingScore {
  double precision = 0.0;  // hits / K
  double recall = 0.0;     // hits / |relevant|
  double ndcg = 0.0;       // DCG / ideal DCG, gain 1 per hit at 1/log2(rank + 1)
};

// `ranked`: the recommended items, best first (at most k of them are used);
// `relevant`: the user's relevant items, sorted ascending and not empty.
RankingScore score_ranking(const std::vector<std::uint32_t>& ranked, const std::vector<std::uint32_t>& relevant,
                           std::size_t k);

}  // namespace mfrec
