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

struct RateRule {
  double lr, variance, lambda, lambda_row;
  RowRate operator()(const GradientSums& g) const {
    const double factor = lr / std::sqrt(variance + g.factor);
    const double penalty = lambda + (g.ratings > 0 ? lambda_row / g.ratings : 0.0);
    return {static_cast<float>(factor), static_cast<float>(lr / std::sqrt(variance + g.bias)),
            static_cast<float>(1.0 / (1.0 + factor * penalty))};
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

GradientPass AdaGradHistory::pass(const TrainState& state, unsigned threads) {
  squared_norms(state.u, user_norms_, threads);
  squared_norms(state.v, item_norms_, threads);
  const bool count = !counted_;
  counted_ = true;
  return {lambda_,           lambda_bias_,      1.0 / static_cast<double>(state.u.k()),
          user_norms_.data(), item_norms_.data(), users_.data(),
          items_.data(),      count};
}

GradientPass AdaGradHistory::first_pass(const TrainState& state, double variance, unsigned threads) {
  variance_ = variance;
  GradientPass p = pass(state, threads);
  const auto sigma = static_cast<float>(std::sqrt(variance));
  std::fill(user_norms_.begin(), user_norms_.end(), sigma);
  std::fill(item_norms_.begin(), item_norms_.end(), sigma);
  return p;
}

void AdaGradHistory::set_rates(float lr, TrainState& state, unsigned threads) const {
  const RateRule rule{lr, variance_, lambda_, lambda_row_};
  rates_of(users_, rule, state.user_rates, threads);
  rates_of(items_, rule, state.item_rates, threads);
}

}  // namespace mfrec::detail
