#include "util/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "mfrec/error.hpp"
#include "util/random.hpp"

namespace mfrec {

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
  Rng rng(spec.seed, kStreamSynthetic);
  auto draw = [&](std::size_t n, double sd) {
    std::vector<double> v(n);
    for (auto& x : v) x = rng.normal() * sd;
    return v;
  };
  const auto p = draw(std::size_t{spec.users} * spec.rank, spec.factor_sd);
  const auto q = draw(std::size_t{spec.items} * spec.rank, spec.factor_sd);
  const auto bu = draw(spec.users, spec.bias_sd);
  const auto bi = draw(spec.items, spec.bias_sd);

  // Item popularity ∝ 1/(rank+1)^zipf, sampled through its cumulative sum.
  std::vector<double> cumulative(spec.items);
  double total = 0.0;
  for (std::uint32_t i = 0; i < spec.items; ++i) cumulative[i] = total += 1.0 / std::pow(i + 1.0, spec.zipf);

  Dataset data;
  data.source = "<synthetic>";
  for (std::uint32_t u = 0; u < spec.users; ++u) data.users.intern("u" + std::to_string(u));
  for (std::uint32_t i = 0; i < spec.items; ++i) data.items.intern("i" + std::to_string(i));

  std::unordered_set<std::uint64_t> seen;
  seen.reserve(spec.ratings * 2);
  data.ratings.reserve(spec.ratings);
  while (data.ratings.size() < spec.ratings) {
    // Every user gets at least one rating before repeats, so none is empty.
    const auto u = data.ratings.size() < spec.users ? static_cast<std::uint32_t>(data.ratings.size())
                                                    : static_cast<std::uint32_t>(rng.below(spec.users));
    const double x = rng.uniform() * total;
    const auto i = static_cast<std::uint32_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
    if (i >= spec.items || !seen.insert(std::uint64_t{u} << 32 | i).second) continue;
    double value = spec.mean + bu[u] + bi[i];
    for (std::uint32_t f = 0; f < spec.rank; ++f) value += p[std::size_t{u} * spec.rank + f] * q[std::size_t{i} * spec.rank + f];
    data.ratings.push_back({u, i, static_cast<float>(value + rng.normal() * spec.noise_sd)});
    if (truth) truth->push_back(value);
  }
  // The seed's row-major order, as the reader produces.
  std::vector<std::size_t> idx(data.ratings.size());
  for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = k;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = data.ratings[a];
    const auto& y = data.ratings[b];
    return x.user != y.user ? x.user < y.user : x.item < y.item;
  });
  std::vector<Rating> sorted(idx.size());
  std::vector<double> sorted_truth;
  for (std::size_t k = 0; k < idx.size(); ++k) sorted[k] = data.ratings[idx[k]];
  if (truth) {
    sorted_truth.resize(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) sorted_truth[k] = (*truth)[idx[k]];
    *truth = std::move(sorted_truth);
  }
  data.ratings = std::move(sorted);
  return data;
}

}  // namespace mfrec
