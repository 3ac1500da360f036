// Where the time of `recommend --ratings` goes, in process: loading the
// model, folding the user in, ranking every item. Median of RUNS runs each,
// in CPU time (the process's: every step runs on one thread), which other
// work on a shared machine does not inflate as it does wall time:
//   fold_in_speed MODEL RATINGS_PER_USER [RUNS=9] [SEED=1]
// The ratings are RATINGS_PER_USER distinct items with seeded ratings in the
// model's range. Prints step,median_ms rows.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/query/fold_in.hpp"
#include "mfrec/query/recommend.hpp"
#include "util/random.hpp"

namespace {

template <class Fn>
double median_ms(int runs, Fn&& fn) {
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    const std::clock_t start = std::clock();
    fn();
    ms.push_back(1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::vector<mfrec::GivenRating> some_ratings(const mfrec::Model& m, std::uint32_t n, std::uint64_t seed) {
  mfrec::Rng rng(seed);
  std::vector<std::uint32_t> items(m.items.size());
  for (std::uint32_t i = 0; i < items.size(); ++i) items[i] = i;
  std::vector<mfrec::GivenRating> given;
  for (std::uint32_t p = 0; p < n && p < items.size(); ++p) {
    std::swap(items[p], items[p + rng.below(items.size() - p)]);
    const double r = m.rating_min + rng.below(9) / 8.0 * (m.rating_max - m.rating_min);
    given.push_back({items[p], static_cast<float>(r)});
  }
  return given;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fold_in_speed MODEL RATINGS_PER_USER [RUNS=9] [SEED=1]\n");
    return 64;
  }
  try {
    const std::string path = argv[1];
    const auto n = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    const int runs = argc > 3 ? std::atoi(argv[3]) : 9;
    const std::uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
    mfrec::Model m;
    const double load = median_ms(runs, [&] { m = mfrec::load_model(path); });
    const auto given = some_ratings(m, n, seed);
    mfrec::FoldedUser user;
    const double spread = median_ms(runs, [&] { (void)mfrec::training_spread(m); });
    const double solve = median_ms(runs, [&] { user = mfrec::fold_in(m, given); });
    std::size_t shown = 0;
    const double rank = median_ms(runs, [&] { shown = mfrec::recommend(m, user.view(), {}).size(); });
    std::printf("step,median_ms\nload,%.3f\nfold_in,%.3f\nof_which_spread,%.3f\nrecommend,%.3f\n", load, solve,
                m.options.optimizer == mfrec::Optimizer::AdaGrad && !m.implicit() ? spread : 0.0, rank);
    std::fprintf(stderr, "%zu items, k = %u, %zu ratings given, %zu recommended, %d runs\n",
                 static_cast<std::size_t>(m.items.size()), m.k(), given.size(), shown, runs);
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "fold_in_speed: %s\n", e.what());
    return 1;
  }
  return 0;
}
