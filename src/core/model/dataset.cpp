#include "mfrec/model/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "mfrec/error.hpp"
#include "util/random.hpp"
#include "util/parallel.hpp"

namespace mfrec {

RatingRange rating_range(const std::vector<Rating>& ratings, unsigned threads) {
  if (ratings.empty()) throw Error(ErrorKind::Data, "no ratings");
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<RatingRange> parts((ratings.size() + detail::kRatingsPerChunk - 1) / detail::kRatingsPerChunk,
                                 RatingRange{ratings.front().value, ratings.front().value});
  detail::for_each_chunk(ratings.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t c) {
    for (std::size_t k = first; k < last; ++k) {
      parts[c].min = std::min(parts[c].min, ratings[k].value);
      parts[c].max = std::max(parts[c].max, ratings[k].value);
    }
  });
  RatingRange r = parts.front();
  for (const auto& p : parts) {
    r.min = std::min(r.min, p.min);
    r.max = std::max(r.max, p.max);
  }
  return r;
}

namespace {

// Marks the first `held` indices of a seeded shuffle of 0..n-1, in `Index`
// (32 bits when n allows: the permutation is the step's largest buffer).
template <class Index>
std::vector<bool> mark_shuffled_prefix(std::size_t n, std::size_t held, std::uint64_t seed) {
  std::vector<Index> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<Index>(i);
  Rng rng(seed, kStreamHoldout);
  rng.shuffle(order.begin(), order.end());
  std::vector<bool> is_held(n, false);
  for (std::size_t i = 0; i < held; ++i) is_held[order[i]] = true;
  return is_held;
}

}  // namespace

std::vector<bool> holdout_mask(std::size_t n, double fraction, std::uint64_t seed) {
  if (!(fraction > 0.0 && fraction < 1.0))
    throw Error(ErrorKind::Usage, "the validation fraction must be between 0 and 1 (exclusive)");
  const auto held = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  if (held == 0 || held >= n)
    throw Error(ErrorKind::Data, "cannot hold out " + std::to_string(fraction) + " of " + std::to_string(n) +
                                     " ratings and keep some on both sides");
  if (n <= std::numeric_limits<std::uint32_t>::max()) return mark_shuffled_prefix<std::uint32_t>(n, held, seed);
  return mark_shuffled_prefix<std::size_t>(n, held, seed);
}

Split split_holdout(const Dataset& data, double fraction, std::uint64_t seed) {
  const std::vector<bool> is_held = holdout_mask(data.ratings.size(), fraction, seed);
  const std::size_t n = data.ratings.size();
  const auto held = static_cast<std::size_t>(std::count(is_held.begin(), is_held.end(), true));
  Split split;
  split.train.users = data.users;
  split.train.items = data.items;
  split.train.source = data.source;
  split.holdout.users = data.users;
  split.holdout.items = data.items;
  split.holdout.source = data.source;
  split.train.ratings.reserve(n - held);
  split.holdout.ratings.reserve(held);
  for (std::size_t i = 0; i < n; ++i) (is_held[i] ? split.holdout : split.train).ratings.push_back(data.ratings[i]);
  return split;
}

}  // namespace mfrec
