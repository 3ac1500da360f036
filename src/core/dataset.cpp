#include "mfrec/dataset.hpp"

#include <algorithm>
#include <cmath>

#include "mfrec/error.hpp"
#include "mfrec/random.hpp"

namespace mfrec {

RatingRange rating_range(const std::vector<Rating>& ratings) {
  if (ratings.empty()) throw Error(ErrorKind::Data, "no ratings");
  RatingRange r{ratings.front().value, ratings.front().value};
  for (const auto& x : ratings) {
    r.min = std::min(r.min, x.value);
    r.max = std::max(r.max, x.value);
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
