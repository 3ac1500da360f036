// What training across N ranks costs on a real data set, counted from the
// grid training builds (README "Many machines", the scale model):
//   grid_critical_path RATINGS [K=100] [THREADS=2] [SEED=42] [RANKS=1,2,4,8,16,32,64]
// For each N: the ratings on the critical path of an epoch (per stratum,
// the busiest rank's makespan on THREADS threads, summed over the strata)
// and the speed-up it allows, and the bytes the busiest rank sends per epoch
// as dist::sgd_pass_across and fit_parts_across send them (item bands handed
// on, then every item band to every rank; with AdaGrad the item bands'
// gradient sums likewise), for k = K. Left out as small: the fit's block
// sums (16·B² bytes), the running sums passed rank to rank (8 bytes a hop)
// and, with validation, 8 bytes a held-out rating to rank 0.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "dist/epoch_across.hpp"
#include "train/block_grid.hpp"
#include "train/block_kernels.hpp"

namespace {

using mfrec::detail::BlockGrid;

struct Costs {
  double critical_ratings = 0;  // Σ over strata of the busiest rank's makespan, in ratings
  double sgd_tokens = 0;        // bytes: item bands handed on during the pass, the rank sending most
  double shared_items = 0;      // bytes: every item band to every rank at the end of the pass, the rank sending most
  double adagrad = 0;           // bytes: the fit pass's item gradient sums, handed on and shared, the rank sending most
};

std::uint64_t block_size(const BlockGrid& g, std::uint32_t b) { return g.block_begin[b + 1] - g.block_begin[b]; }

// A rank's time for a stratum's blocks on `threads` threads, in ratings: no
// less than its largest block, nor than an even share.
double makespan(std::vector<std::uint64_t> sizes, unsigned threads) {
  if (sizes.empty()) return 0;
  std::sort(sizes.rbegin(), sizes.rend());
  std::vector<double> load(threads, 0.0);
  for (auto s : sizes) *std::min_element(load.begin(), load.end()) += static_cast<double>(s);  // largest first
  return *std::max_element(load.begin(), load.end());
}

// Bytes each rank sends in a walk where item band j meets user band
// visitor[s][j] in step s (dist/epoch_across.cpp): a band leaving for
// another rank between steps, then from its last holder to every other rank.
std::vector<double> walk_bytes(const BlockGrid& g, const mfrec::dist::BandOwners& owners, int ranks,
                               const std::vector<std::vector<std::uint32_t>>& visitor, double row_bytes,
                               std::vector<double>& shared) {
  std::vector<double> sent(ranks, 0.0);
  shared.assign(ranks, 0.0);
  const auto band_bytes = [&](std::uint32_t j) { return row_bytes * (g.items.band_begin[j + 1] - g.items.band_begin[j]); };
  for (std::size_t s = 0; s + 1 < visitor.size(); ++s)
    for (std::uint32_t j = 0; j < g.bands; ++j) {
      const int from = owners.owner(visitor[s][j]), to = owners.owner(visitor[s + 1][j]);
      if (from != to) sent[from] += band_bytes(j);
    }
  for (std::uint32_t j = 0; j < g.bands; ++j) shared[owners.owner(visitor.back()[j])] += band_bytes(j) * (ranks - 1);
  return sent;
}

double most(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

Costs costs(const BlockGrid& g, int ranks, unsigned threads, std::size_t k_padded, std::uint64_t seed) {
  const std::uint32_t B = g.bands;
  const mfrec::dist::BandOwners owners(B, ranks);
  const auto strata = mfrec::detail::epoch_schedule(B, seed, 1);
  Costs c;
  std::vector<std::vector<std::uint32_t>> visitor(B, std::vector<std::uint32_t>(B));
  for (std::size_t s = 0; s < strata.size(); ++s) {
    std::vector<std::vector<std::uint64_t>> mine(ranks);
    for (auto block : strata[s]) {
      mine[owners.owner(block / B)].push_back(block_size(g, block));
      visitor[s][block % B] = block / B;
    }
    double worst = 0;
    for (int r = 0; r < ranks; ++r) worst = std::max(worst, makespan(mine[r], threads));
    c.critical_ratings += worst;
  }
  std::vector<double> shared;
  c.sgd_tokens = most(walk_bytes(g, owners, ranks, visitor, static_cast<double>(k_padded * 4 + 4), shared));
  c.shared_items = most(shared);
  // The fit pass with AdaGrad: in step `shift` item band j meets user band j − shift.
  for (std::uint32_t shift = 0; shift < B; ++shift)
    for (std::uint32_t j = 0; j < B; ++j) visitor[shift][j] = (j + B - shift) % B;
  std::vector<double> sums_sent = walk_bytes(g, owners, ranks, visitor, 24.0, shared);
  for (int r = 0; r < ranks; ++r) sums_sent[r] += shared[r];
  c.adagrad = most(sums_sent);
  return c;
}

std::vector<int> parse_ranks(const char* text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string n; std::getline(in, n, ',');) out.push_back(std::atoi(n.c_str()));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: grid_critical_path RATINGS [K=100] [THREADS=2] [SEED=42] [RANKS=1,2,4,...]\n");
    return 64;
  }
  try {
    const std::size_t k = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
    const unsigned threads = argc > 3 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 2;
    const std::uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 42;
    const std::vector<int> rank_counts = parse_ranks(argc > 5 ? argv[5] : "1,2,4,8,16,32,64");
    mfrec::Dataset d = mfrec::read_ratings(argv[1], {});
    const auto users = d.users.size(), items = d.items.size();
    const std::uint64_t n = d.ratings.size();
    const BlockGrid g = mfrec::detail::make_grid(
        std::move(d.ratings),
        {.users = users, .items = items, .bands = mfrec::detail::choose_bands(n), .seed = seed, .threads = threads});
    const std::size_t k_padded = (k + 15) / 16 * 16;
    std::printf("# %s: %u users, %u items, %llu ratings, B = %u bands, k = %zu (rows of %zu floats), %u threads\n",
                argv[1], users, items, static_cast<unsigned long long>(n), g.bands, k, k_padded, threads);
    std::printf("ranks\tworking\tcritical_ratings\tspeedup\tsgd_tokens_MB\tshared_items_MB\tadagrad_sums_MB\n");
    double one = 0;
    for (int r : rank_counts) {
      const Costs c = costs(g, r, threads, k_padded, seed);
      if (one == 0) one = c.critical_ratings * (r == 1 ? 1 : 0);
      std::printf("%d\t%u\t%.0f\t%.2f\t%.1f\t%.1f\t%.1f\n", r, std::min<unsigned>(r, g.bands), c.critical_ratings,
                  one > 0 ? one / c.critical_ratings : 0.0, c.sgd_tokens / 1e6, c.shared_items / 1e6, c.adagrad / 1e6);
    }
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "grid_critical_path: %s\n", e.what());
    return 1;
  }
}
