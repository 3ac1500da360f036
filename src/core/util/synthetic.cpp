#include "util/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "mfrec/error.hpp"
#include "util/random.hpp"

namespace mfrec {

namespace {

// The noise-free model the ratings are drawn from. Drawn in this order
// (p, q, bu, bi) from one stream: the order is part of what a seed means.
struct Truth {
  std::vector<double> p, q, bu, bi;

  double value(const SyntheticSpec& spec, std::uint32_t u, std::uint32_t i) const {
    double v = spec.mean + bu[u] + bi[i];
    for (std::uint32_t f = 0; f < spec.rank; ++f) v += p[std::size_t{u} * spec.rank + f] * q[std::size_t{i} * spec.rank + f];
    return v;
  }
};

Truth draw_truth(const SyntheticSpec& spec, Rng& rng) {
  auto draw = [&](std::size_t n, double sd) {
    std::vector<double> v(n);
    for (auto& x : v) x = rng.normal() * sd;
    return v;
  };
  Truth t;
  t.p = draw(std::size_t{spec.users} * spec.rank, spec.factor_sd);
  t.q = draw(std::size_t{spec.items} * spec.rank, spec.factor_sd);
  t.bu = draw(spec.users, spec.bias_sd);
  t.bi = draw(spec.items, spec.bias_sd);
  return t;
}

// Item popularity ∝ 1/(rank+1)^zipf, sampled through its cumulative sum.
class ItemPopularity {
 public:
  explicit ItemPopularity(const SyntheticSpec& spec) : cumulative_(spec.items) {
    for (std::uint32_t i = 0; i < spec.items; ++i) cumulative_[i] = total_ += 1.0 / std::pow(i + 1.0, spec.zipf);
  }
  // spec.items (no item) when rounding puts `rng`'s draw past the last one.
  std::uint32_t draw(Rng& rng) const {
    const double x = rng.uniform() * total_;
    return static_cast<std::uint32_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
  double total_ = 0.0;
};

// spec.ratings distinct pairs into data.ratings, in the order drawn, and
// their noise-free values into `truth` when given.
void draw_ratings(const SyntheticSpec& spec, Rng& rng, Dataset& data, std::vector<double>* truth) {
  const Truth model = draw_truth(spec, rng);
  const ItemPopularity popularity(spec);
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(spec.ratings * 2);
  data.ratings.reserve(spec.ratings);
  while (data.ratings.size() < spec.ratings) {
    // Every user gets at least one rating before repeats, so none is empty.
    const auto u = data.ratings.size() < spec.users ? static_cast<std::uint32_t>(data.ratings.size())
                                                    : static_cast<std::uint32_t>(rng.below(spec.users));
    const std::uint32_t i = popularity.draw(rng);
    if (i >= spec.items || !seen.insert(std::uint64_t{u} << 32 | i).second) continue;
    const double value = model.value(spec, u, i);
    data.ratings.push_back({u, i, static_cast<float>(value + rng.normal() * spec.noise_sd)});
    if (truth) truth->push_back(value);
  }
}

// The seed's row-major order, as the reader produces; `truth` follows.
void sort_row_major(std::vector<Rating>& ratings, std::vector<double>* truth) {
  std::vector<std::size_t> idx(ratings.size());
  for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = k;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = ratings[a];
    const auto& y = ratings[b];
    return x.user != y.user ? x.user < y.user : x.item < y.item;
  });
  std::vector<Rating> sorted(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) sorted[k] = ratings[idx[k]];
  if (truth) {
    std::vector<double> sorted_truth(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) sorted_truth[k] = (*truth)[idx[k]];
    *truth = std::move(sorted_truth);
  }
  ratings = std::move(sorted);
}

}  // namespace

Dataset make_synthetic(const SyntheticSpec& spec, std::vector<double>* truth) {
  const std::uint64_t cells = std::uint64_t{spec.users} * spec.items;
  if (spec.users == 0 || spec.items == 0 || spec.rank == 0 || spec.ratings == 0 || spec.ratings > cells / 2)
    throw Error(ErrorKind::Usage, "synthetic data needs users, items, rank > 0 and ratings <= users*items/2");
  // `truth` is filled in step with the ratings and reordered with them below;
  // anything it held before would shift every index.
  if (truth) {
    truth->clear();
    truth->reserve(spec.ratings);
  }
  Dataset data;
  data.source = "<synthetic>";
  for (std::uint32_t u = 0; u < spec.users; ++u) data.users.intern("u" + std::to_string(u));
  for (std::uint32_t i = 0; i < spec.items; ++i) data.items.intern("i" + std::to_string(i));
  Rng rng(spec.seed, kStreamSynthetic);
  draw_ratings(spec, rng, data, truth);
  sort_row_major(data.ratings, truth);
  return data;
}

}  // namespace mfrec
