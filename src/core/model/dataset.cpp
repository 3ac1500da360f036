#include "mfrec/model/dataset.hpp"

#include <algorithm>
#include <cmath>
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

Split split_holdout(const Dataset& data, double fraction, std::uint64_t seed) {
  if (!(fraction > 0.0 && fraction < 1.0))
    throw Error(ErrorKind::Usage, "the validation fraction must be between 0 and 1 (exclusive)");
  const std::size_t n = data.ratings.size();
  const auto held = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  if (held == 0 || held >= n)
    throw Error(ErrorKind::Data, "cannot hold out " + std::to_string(fraction) + " of " + std::to_string(n) +
                                     " ratings and keep some on both sides");
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed, kStreamHoldout);
  rng.shuffle(order.begin(), order.end());
  std::vector<char> is_held(n, 0);
  for (std::size_t i = 0; i < held; ++i) is_held[order[i]] = 1;

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
