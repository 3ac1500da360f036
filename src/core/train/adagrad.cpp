#include "train/adagrad.hpp"

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

void rates_of(const std::vector<GradientSums>& sums, float lr, std::vector<RowRate>& out, unsigned threads) {
  out.resize(sums.size());
  for_each_chunk(sums.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t) {
    for (std::size_t i = first; i < last; ++i)
      out[i] = {static_cast<float>(lr / std::sqrt(1.0 + sums[i].factor)),
                static_cast<float>(lr / std::sqrt(1.0 + sums[i].bias))};
  });
}

}  // namespace

GradientPass AdaGradHistory::pass(const TrainState& state, float lambda, float lambda_bias, unsigned threads) {
  squared_norms(state.u, user_norms_, threads);
  squared_norms(state.v, item_norms_, threads);
  return {lambda,
          lambda_bias,
          1.0 / static_cast<double>(state.u.k()),
          user_norms_.data(),
          item_norms_.data(),
          users_.data(),
          items_.data()};
}

void AdaGradHistory::set_rates(float lr, TrainState& state, unsigned threads) const {
  rates_of(users_, lr, state.user_rates, threads);
  rates_of(items_, lr, state.item_rates, threads);
}

}  // namespace mfrec::detail
