#include "mfrec/query/similarity.hpp"

#include <algorithm>
#include <cmath>

#include "mfrec/error.hpp"

namespace mfrec {

SimilaritySpace parse_similarity_space(std::string_view t) {
  if (t == "centered") return SimilaritySpace::Centered;
  if (t == "predicted") return SimilaritySpace::Predicted;
  if (t == "factors") return SimilaritySpace::Factors;
  throw Error(ErrorKind::Usage, "unknown space '" + std::string(t) + "' (use centered, predicted or factors)");
}

PredictedFactorization predicted_factorization(const Model& m) {
  // x_u(i) = a·(U_u·V_i + [μ + b_u + c_i]) + t, with a, t the scaler's
  // inverse map (1 and 0 without normalization):
  //   user row [a·U_u, a·β, a·β·(μ + b_u) + t], item row [V_i, c_i, 1],
  // where β is 1 with biases and 0 without.
  const std::size_t k = m.k();
  PredictedFactorization f;
  f.dim = k + 2;
  const double a = m.scaler.unit();
  const double t = m.scaler.enabled ? m.scaler.min : 0.0;
  const double beta = m.options.bias ? 1.0 : 0.0;
  f.user_rows.resize(std::size_t{m.users.size()} * f.dim);
  for (std::uint32_t u = 0; u < m.users.size(); ++u) {
    double* row = &f.user_rows[u * f.dim];
    for (std::size_t c = 0; c < k; ++c) row[c] = a * m.user_factors.row(u)[c];
    row[k] = a * beta;
    row[k + 1] = a * beta * (static_cast<double>(m.mean) + m.user_bias[u]) + t;
  }
  f.item_rows.resize(std::size_t{m.items.size()} * f.dim);
  for (std::uint32_t i = 0; i < m.items.size(); ++i) {
    double* row = &f.item_rows[i * f.dim];
    for (std::size_t c = 0; c < k; ++c) row[c] = m.item_factors.row(i)[c];
    row[k] = beta * m.item_bias[i];
    row[k + 1] = 1.0;
  }
  return f;
}

namespace {

// `rows` x k row-major copies of the factors minus their mean row, in double.
std::vector<double> centered_rows(const FactorMatrix& f, std::size_t rows) {
  const std::size_t k = f.k();
  std::vector<double> mean(k, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < k; ++c) mean[c] += f.row(r)[c];
  if (rows > 0)
    for (double& v : mean) v /= static_cast<double>(rows);
  std::vector<double> out(rows * k);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < k; ++c) out[r * k + c] = f.row(r)[c] - mean[c];
  return out;
}

}  // namespace

PredictedFactorization centered_factorization(const Model& m) {
  // Double centering removes every term that is constant along a row or a
  // column: the mean, both biases and the scaler's shift t. The scaler's
  // factor a would scale every entry alike, which no cosine sees, so it is
  // left out; the bias columns of predicted_factorization are exactly 0 here.
  PredictedFactorization f;
  f.dim = m.k();
  f.user_rows = centered_rows(m.user_factors, m.users.size());
  f.item_rows = centered_rows(m.item_factors, m.items.size());
  return f;
}

namespace {

// G = BᵀB for `rows` x `dim` row-major B.
std::vector<double> gram(const std::vector<double>& b, std::size_t rows, std::size_t dim) {
  std::vector<double> g(dim * dim, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* x = &b[r * dim];
    for (std::size_t i = 0; i < dim; ++i)
      for (std::size_t j = i; j < dim; ++j) g[i * dim + j] += x[i] * x[j];
  }
  for (std::size_t i = 0; i < dim; ++i)
    for (std::size_t j = 0; j < i; ++j) g[i * dim + j] = g[j * dim + i];
  return g;
}

}  // namespace

SimilarityIndex::SimilarityIndex(const Model& m, Side side, SimilaritySpace space) {
  size_ = side == Side::Users ? m.users.size() : m.items.size();
  if (space == SimilaritySpace::Factors) {
    const FactorMatrix& f = side == Side::Users ? m.user_factors : m.item_factors;
    dim_ = m.k();
    rows_.resize(std::size_t{size_} * dim_);
    for (std::uint32_t r = 0; r < size_; ++r)
      for (std::size_t c = 0; c < dim_; ++c) rows_[r * dim_ + c] = f.row(r)[c];
    projected_ = rows_;  // G = I
  } else {
    PredictedFactorization f =
        space == SimilaritySpace::Centered ? centered_factorization(m) : predicted_factorization(m);
    const bool users = side == Side::Users;
    dim_ = f.dim;
    rows_ = std::move(users ? f.user_rows : f.item_rows);
    const std::vector<double>& other = users ? f.item_rows : f.user_rows;
    project(gram(other, users ? m.items.size() : m.users.size(), dim_));
  }
  norm_.resize(size_);
  for (std::uint32_t r = 0; r < size_; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < dim_; ++c) s += projected_[r * dim_ + c] * rows_[r * dim_ + c];
    norm_[r] = std::sqrt(std::max(s, 0.0));
  }
}

void SimilarityIndex::project(const std::vector<double>& g) {
  projected_.assign(rows_.size(), 0.0);
  for (std::uint32_t r = 0; r < size_; ++r) {
    const double* a = &rows_[r * dim_];
    double* p = &projected_[r * dim_];
    for (std::size_t i = 0; i < dim_; ++i) {
      if (a[i] == 0.0) continue;
      const double* gi = &g[i * dim_];
      for (std::size_t j = 0; j < dim_; ++j) p[j] += a[i] * gi[j];
    }
  }
}

double SimilarityIndex::operator()(std::uint32_t a, std::uint32_t b) const {
  if (a == b) return 1.0;  // CLI.md: 1 on the diagonal, even for an all-zero row
  if (norm_[a] == 0.0 || norm_[b] == 0.0) return 0.0;
  if (a > b) std::swap(a, b);  // one order of operations: exactly symmetric
  const double* p = &projected_[a * dim_];
  const double* r = &rows_[b * dim_];
  double dot = 0.0;
  for (std::size_t c = 0; c < dim_; ++c) dot += p[c] * r[c];
  return std::clamp(dot / (norm_[a] * norm_[b]), -1.0, 1.0);
}

std::vector<Neighbor> SimilarityIndex::nearest(std::uint32_t a, std::size_t count) const {
  std::vector<Neighbor> all;
  all.reserve(size_);
  for (std::uint32_t b = 0; b < size_; ++b)
    if (b != a) all.push_back({b, (*this)(a, b)});
  const auto better = [](const Neighbor& x, const Neighbor& y) {
    return x.similarity != y.similarity ? x.similarity > y.similarity : x.index < y.index;
  };
  const std::size_t n = std::min(count, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), better);
  all.resize(n);
  return all;
}

}  // namespace mfrec
