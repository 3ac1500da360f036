#include "block_grid.hpp"

#include <cmath>
#include <numeric>

#include "mfrec/random.hpp"

namespace mfrec::detail {

std::uint32_t choose_bands(std::uint64_t ratings) {
  const double b = std::ceil(std::sqrt(static_cast<double>(ratings) / 32768.0));
  return static_cast<std::uint32_t>(std::clamp(b, 1.0, 32.0));
}

namespace {
std::vector<std::uint32_t> deal(std::uint32_t n, std::uint32_t bands, Rng& rng) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  rng.shuffle(order.begin(), order.end());
  std::vector<std::uint32_t> band(n);
  for (std::uint32_t p = 0; p < n; ++p) band[order[p]] = p % bands;
  return band;
}
}  // namespace

BlockGrid make_grid(const std::vector<Rating>& ratings, std::uint32_t users, std::uint32_t items,
                    std::uint32_t bands, std::uint64_t seed) {
  BlockGrid g;
  g.bands = std::max(1u, bands);
  Rng rng(seed, kStreamBands);
  g.user_band = deal(users, g.bands, rng);
  g.item_band = deal(items, g.bands, rng);
  const std::uint32_t blocks = g.bands * g.bands;
  g.block_begin.assign(std::size_t{blocks} + 1, 0);
  for (const auto& r : ratings) ++g.block_begin[g.block_of(r.user, r.item) + 1];
  std::partial_sum(g.block_begin.begin(), g.block_begin.end(), g.block_begin.begin());
  std::vector<std::uint64_t> fill(g.block_begin.begin(), g.block_begin.end() - 1);
  g.ratings.resize(ratings.size());
  for (const auto& r : ratings) g.ratings[fill[g.block_of(r.user, r.item)]++] = r;
  return g;
}

std::vector<std::vector<std::uint32_t>> epoch_schedule(std::uint32_t bands, std::uint64_t seed, std::uint32_t epoch) {
  Rng rng(seed ^ (std::uint64_t{epoch} * 0x9E3779B97F4A7C15ull), kStreamSchedule);
  std::vector<std::uint32_t> perm(bands), shifts(bands);
  std::iota(perm.begin(), perm.end(), 0u);
  std::iota(shifts.begin(), shifts.end(), 0u);
  rng.shuffle(perm.begin(), perm.end());
  rng.shuffle(shifts.begin(), shifts.end());
  std::vector<std::vector<std::uint32_t>> strata(bands);
  for (std::uint32_t s = 0; s < bands; ++s)
    for (std::uint32_t b = 0; b < bands; ++b) strata[s].push_back(b * bands + perm[(b + shifts[s]) % bands]);
  return strata;
}

}  // namespace mfrec::detail
