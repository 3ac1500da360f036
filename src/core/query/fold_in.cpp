#include "mfrec/query/fold_in.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "mfrec/error.hpp"
#include "train/implicit_als.hpp"

namespace mfrec {

namespace {

// The given ratings by ascending item, one per item (the last given), on
// the training scale.
FoldedUser sorted_ratings(const Model& m, std::span<const GivenRating> given) {
  std::vector<GivenRating> by_item(given.begin(), given.end());
  for (const GivenRating& g : by_item) {
    if (g.item >= m.items.size()) throw Error(ErrorKind::Usage, "fold_in: item index out of range");
    if (!std::isfinite(g.rating)) throw Error(ErrorKind::Usage, "fold_in: a given rating is not a finite number");
  }
  std::stable_sort(by_item.begin(), by_item.end(), [](const GivenRating& a, const GivenRating& b) { return a.item < b.item; });
  FoldedUser user;
  for (std::size_t p = 0; p < by_item.size(); ++p) {
    if (p + 1 < by_item.size() && by_item[p + 1].item == by_item[p].item) continue;  // a later one wins
    user.rated.push_back(by_item[p].item);
    user.ratings.push_back(static_cast<float>(m.scaler.forward(by_item[p].rating)));
  }
  user.factors.assign(m.k(), 0.0f);
  return user;
}

// Solves A x = b in place (x into b) for a symmetric positive definite A
// (n×n, row-major, lower triangle read) by Cholesky: A = L·Lᵀ, then two
// triangular solves. Returns false when a pivot is not positive.
bool cholesky_solve(std::vector<double>& a, std::vector<double>& b, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double pivot = a[j * n + j];
    for (std::size_t p = 0; p < j; ++p) pivot -= a[j * n + p] * a[j * n + p];
    if (!(pivot > 0.0)) return false;
    const double diagonal = std::sqrt(pivot);
    a[j * n + j] = diagonal;
    for (std::size_t i = j + 1; i < n; ++i) {
      double sum = a[i * n + j];
      for (std::size_t p = 0; p < j; ++p) sum -= a[i * n + p] * a[j * n + p];
      a[i * n + j] = sum / diagonal;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L y = b
    for (std::size_t p = 0; p < i; ++p) b[i] -= a[i * n + p] * b[p];
    b[i] /= a[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {  // Lᵀ x = y
    for (std::size_t p = i + 1; p < n; ++p) b[i] -= a[p * n + i] * b[p];
    b[i] /= a[i * n + i];
  }
  return true;
}

// Half the penalties per unit of ‖u‖² and b² for a user of n ratings, as
// training steps them (fold_in.hpp): what the normal equations add to
// their diagonal.
struct Ridge {
  double factors;
  double bias;
};

Ridge ridge_for(const Model& m, std::size_t n) {
  const TrainOptions& o = m.options;
  const auto count = static_cast<double>(n);
  const double factors = o.optimizer == Optimizer::AdaGrad ? (o.lambda * count + o.lambda_row) * training_spread(m)
                                                           : o.lambda * count;
  return {factors / 2.0, o.bias_lambda() * count / 2.0};
}

// The normal equations (XᵀX + diag(ridge)) w = Xᵀy of the user's ridge
// regression: a row x = (v_i, 1) per rating (v_i alone without biases),
// y = r' − μ − c_i (r' without biases); w = (u, b).
void fold_rating(const Model& m, FoldedUser& user) {
  const std::size_t k = m.k(), n = k + (m.options.bias ? 1 : 0);
  std::vector<double> a(n * n, 0.0), b(n, 0.0), x(n, 1.0);
  for (std::size_t p = 0; p < user.rated.size(); ++p) {
    const std::uint32_t item = user.rated[p];
    std::copy_n(m.item_factors.row(item), k, x.begin());
    double y = user.ratings[p];
    if (m.options.bias) y -= static_cast<double>(m.mean) + m.item_bias[item];
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j <= i; ++j) a[i * n + j] += x[i] * x[j];
      b[i] += y * x[i];
    }
  }
  const Ridge ridge = ridge_for(m, user.rated.size());
  for (std::size_t i = 0; i < n; ++i) a[i * n + i] += i < k ? ridge.factors : ridge.bias;
  // Only with λ = 0 and fewer ratings than unknowns: no single minimiser.
  if (!cholesky_solve(a, b, n))
    throw Error(ErrorKind::Data, "the given ratings do not determine the user's factors (the model has λ = 0 and k = " +
                                     std::to_string(k) + "); give more ratings");
  for (std::size_t f = 0; f < k; ++f) user.factors[f] = static_cast<float>(b[f]);
  if (m.options.bias) user.bias = static_cast<float>(b[k]);
}

// Σ c·p over the training interactions, which scales the implicit λ
// (detail::scaled_lambda). An implicit model keeps how many interactions
// each item had but not their values: this counts each as a value of 1
// (exact for clicks; for other strengths λ is off by the root of the ratio).
double interaction_energy(const Model& m) {
  double energy = 0.0;
  for (std::uint32_t count : m.popularity()) energy += count * (1.0 + m.options.confidence);
  return energy;
}

// The ALS user step (implicit_als.hpp) from zero, with enough conjugate
// gradient steps to converge rather than the trainer's few warm-started ones.
void fold_implicit(const Model& m, FoldedUser& user) {
  std::vector<Rating> ratings;
  for (std::size_t p = 0; p < user.rated.size(); ++p) ratings.push_back({0, user.rated[p], user.ratings[p]});
  const detail::Interactions in = detail::make_interactions(ratings, 1, m.items.size(), m.options.confidence);
  const FactorMatrix items_gram = detail::gram(m.item_factors, 1);
  const double lambda = m.options.lambda * std::sqrt(std::max(1.0, interaction_energy(m)));
  FactorMatrix x(1, m.k());
  detail::CgScratch scratch(x.stride());
  const detail::FixedSide side{m.item_factors, items_gram, static_cast<float>(lambda), 2 * m.k() + 8};
  const detail::Interaction* entries = in.by_user.entries.data();
  detail::solve_row(x.row(0), side, entries, entries + in.by_user.entries.size(), scratch);
  std::copy_n(x.row(0), m.k(), user.factors.begin());
}

// The guess for a user a model without biases knows nothing about (an
// implicit model has none): the average user, whose preferences follow what
// most users chose.
void average_user(const Model& m, FoldedUser& user) {
  std::vector<double> sum(m.k(), 0.0);
  for (std::size_t u = 0; u < m.user_factors.rows(); ++u)
    for (std::size_t f = 0; f < m.k(); ++f) sum[f] += m.user_factors.row(u)[f];
  const double users = std::max<double>(1.0, static_cast<double>(m.user_factors.rows()));
  for (std::size_t f = 0; f < m.k(); ++f) user.factors[f] = static_cast<float>(sum[f] / users);
}

}  // namespace

FoldedUser fold_in(const Model& m, std::span<const GivenRating> given) {
  FoldedUser user = sorted_ratings(m, given);
  if (user.rated.empty()) {
    if (!m.options.bias) average_user(m, user);  // with biases: zeros, the mean plus each item's bias
  } else if (m.implicit()) {
    fold_implicit(m, user);
  } else {
    fold_rating(m, user);
  }
  return user;
}

double training_spread(const Model& m) {
  if (!m.rated_codes.empty()) {
    double sum = 0.0;  // exact: the model keeps the ratings
    for (std::uint8_t code : m.rated_codes) {
      const double d = m.rating_levels[code] - m.mean;
      sum += d * d;
    }
    return sum > 0.0 ? std::sqrt(sum / static_cast<double>(m.rated_codes.size())) : 1.0;
  }
  // The fitted ratings' spread plus the residuals': Σ(r − μ)² is about
  // Σ(r̂ − μ)² + Σe² (a regularised fit leaves a little more than that).
  // Every rated pair when there are few, an even sample of about 8,192
  // otherwise: enough for σ within about 1%, and 1 ms at k = 128.
  constexpr std::uint64_t kSample = 8192;
  const std::uint64_t pairs = m.rated_items.size();
  const std::uint64_t step = std::max<std::uint64_t>(1, pairs / kSample);
  double sum = 0.0;
  std::uint64_t counted = 0;
  for (std::uint32_t u = 0; u + 1 < m.rated_offsets.size(); ++u) {
    std::uint64_t p = (m.rated_offsets[u] + step - 1) / step * step;  // the next multiple of step
    for (; p < m.rated_offsets[u + 1]; p += step, ++counted) {
      const double d = m.raw_score(u, m.rated_items[p]) - m.mean;
      sum += d * d;
    }
  }
  const double residual = m.summary.train_rmse / m.scaler.unit();
  const double spread = std::sqrt((counted ? sum / static_cast<double>(counted) : 0.0) + residual * residual);
  return spread > 0.0 ? spread : 1.0;  // as AdaGradHistory: no spread measures in 1
}

}  // namespace mfrec
