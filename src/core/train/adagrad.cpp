#include "train/adagrad.hpp"

#include <algorithm>
#include <cmath>

#include "util/parallel.hpp"

namespace mfrec::detail {

namespace {

void squared_norms(const FactorMatrix& f, std::vector<float>& out, unsigned threads) {
  out.resize(f.rows());
  for_each_chunk(f.rows(), threads, [&](std::size_t first, std::size_t last, std::uint32_t) {
    for (std::size_t i = first; i < last; ++i) out[i] = dot_padded(f.row(i), f.row(i), f.stride());
  });
}

// A row's rates from its history.
struct RateRule {
  double lr, variance, lambda, lambda_bias, lambda_row;
  RowRate operator()(const GradientSums& g) const {
    const double factor = lr / std::sqrt(variance + g.factor), bias = lr / std::sqrt(variance + g.bias);
    const double penalty = lambda + (g.ratings > 0 ? lambda_row / g.ratings : 0.0);
    return {static_cast<float>(factor), static_cast<float>(bias), static_cast<float>(1.0 / (1.0 + factor * penalty)),
            static_cast<float>(1.0 / (1.0 + bias * lambda_bias))};
  }
};

void rates_of(const std::vector<GradientSums>& sums, const RateRule& rule, std::vector<RowRate>& out,
              unsigned threads) {
  out.resize(sums.size());
  for_each_chunk(sums.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t) {
    for (std::size_t i = first; i < last; ++i) out[i] = rule(sums[i]);
  });
}

}  // namespace

double rating_spread(const std::vector<Rating>& ratings, float mean, unsigned threads) {
  if (ratings.empty()) return 0.0;
  std::vector<double> sums((ratings.size() + kRatingsPerChunk - 1) / kRatingsPerChunk, 0.0);
  for_each_chunk(ratings.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t c) {
    for (std::size_t k = first; k < last; ++k) {
      const double d = static_cast<double>(ratings[k].value) - mean;
      sums[c] += d * d;
    }
  });
  double sum = 0.0;
  for (double s : sums) sum += s;  // chunk order: the same for any thread count
  return std::sqrt(sum / static_cast<double>(ratings.size()));
}

AdaGradHistory::AdaGradHistory(std::uint32_t users, std::uint32_t items, double spread, float lambda,
                               float lambda_bias, double lambda_row)
    : users_(users),
      items_(items),
      // All the ratings the same: no spread to measure in; 1 keeps the
      // rates finite (the biases fit such data at once).
      spread_(spread > 0.0 ? spread : 1.0),
      lambda_(static_cast<float>(lambda * spread_)),
      lambda_bias_(lambda_bias),
      lambda_row_(lambda_row * spread_) {}

GradientPass AdaGradHistory::pass(const TrainState& state, unsigned threads) {
  squared_norms(state.u, user_norms_, threads);
  squared_norms(state.v, item_norms_, threads);
  const bool count = !counted_;
  counted_ = true;
  return {lambda_,       lambda_bias_,  lambda_row_,        1.0 / static_cast<double>(state.u.k()),
          user_norms_.data(), item_norms_.data(), users_.data(), items_.data(),
          count};
}

GradientPass AdaGradHistory::first_pass(const TrainState& state, unsigned threads) {
  GradientPass p = pass(state, threads);
  std::fill(user_norms_.begin(), user_norms_.end(), static_cast<float>(spread_));
  std::fill(item_norms_.begin(), item_norms_.end(), static_cast<float>(spread_));
  return p;
}

namespace {

// Σ (λ·n + λ_row)·‖x‖² (+ λ_b·n·b²) over rows [first, last) of one side, continuing `total`.
double penalty_terms(const std::vector<GradientSums>& sums, const std::vector<float>& norms,
                     const std::vector<float>& biases, bool bias, float lambda, double lambda_row, float lambda_bias,
                     std::uint32_t first, std::uint32_t last, double total) {
  for (std::size_t i = first; i < last; ++i) {
    const double n = sums[i].ratings;
    total += (lambda * n + lambda_row) * norms[i];
    if (bias) total += lambda_bias * n * double{biases[i]} * biases[i];
  }
  return total;
}

}  // namespace

double AdaGradHistory::user_terms(const TrainState& state, bool bias, std::uint32_t first, std::uint32_t last,
                                  double start) const {
  return penalty_terms(users_, user_norms_, state.bu, bias, lambda_, lambda_row_, lambda_bias_, first, last, start);
}

double AdaGradHistory::item_terms(const TrainState& state, bool bias) const {
  return penalty_terms(items_, item_norms_, state.bv, bias, lambda_, lambda_row_, lambda_bias_, 0,
                       static_cast<std::uint32_t>(items_.size()), 0.0);
}

double AdaGradHistory::penalty(const TrainState& state, bool bias) const {
  return 0.5 * user_terms(state, bias, 0, static_cast<std::uint32_t>(users_.size()), 0.0) +
         0.5 * item_terms(state, bias);
}

void AdaGradHistory::set_rates(float lr, TrainState& state, unsigned threads) const {
  const RateRule rule{lr, spread_ * spread_, lambda_, lambda_bias_, lambda_row_};
  rates_of(users_, rule, state.user_rates, threads);
  rates_of(items_, rule, state.item_rates, threads);
}

}  // namespace mfrec::detail
