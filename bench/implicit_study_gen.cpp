// Clicks with taste structure for bench/implicit_study.sh (standalone:
// c++ -O2 -std=c++20). make_ratings --interactions draws its pairs by item
// popularity alone, which leaves nothing for a factor model to find beyond
// popularity; here user u picks n_u distinct items with probability
// ∝ pop_i · exp(β·x_u·y_i/√rank) (rank-8 normal factors, Zipf popularity,
// log-normal n_u), by the Gumbel top-n trick.
//   implicit_study_gen USERS ITEMS N SEED > OUT.csv
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5) return std::fputs("usage: implicit_study_gen USERS ITEMS N SEED\n", stderr), 2;
  const long users = std::atol(argv[1]), items = std::atol(argv[2]), n = std::atol(argv[3]);
  constexpr int kRank = 8;
  constexpr double kBeta = 1.5, kSpread = 0.8;
  std::mt19937_64 rng(std::strtoull(argv[4], nullptr, 10));
  std::normal_distribution<double> normal;
  std::vector<double> y(items * kRank), pop(items), key(items);
  for (double& v : y) v = normal(rng);
  for (long i = 0; i < items; ++i) pop[i] = -0.8 * std::log(1.0 + i);
  const double mean_log = std::log(double(n) / users) - kSpread * kSpread / 2;  // E[n_u] = N / USERS
  std::vector<long> order(items);
  std::uniform_real_distribution<double> unit(1e-12, 1.0);
  std::printf("user,item\n");
  for (long u = 0; u < users; ++u) {
    double x[kRank];
    for (double& v : x) v = normal(rng);
    const long count = std::clamp<long>(std::lround(std::exp(mean_log + kSpread * normal(rng))), 1, items / 2);
    for (long i = 0; i < items; ++i) {
      double s = 0;
      for (int f = 0; f < kRank; ++f) s += x[f] * y[i * kRank + f];
      key[i] = pop[i] + kBeta * s / std::sqrt(kRank) - std::log(-std::log(unit(rng)));
    }
    std::iota(order.begin(), order.end(), 0L);
    std::nth_element(order.begin(), order.begin() + count, order.end(), [&](long a, long b) { return key[a] > key[b]; });
    for (long k = 0; k < count; ++k) std::printf("u%ld,i%ld\n", u, order[k]);
  }
}
