#pragma once
// AdaGrad's memory for --optimizer adagrad: every user and item row's sum of
// squared gradients G (factors and bias apart), and the rates it gives,
// α/√(1 + G). G starts from the gradients at the initial factors and grows
// by every rating's squared gradients once per epoch, in the pass that
// measures the epoch's fit (sgd_kernel.hpp says why not at every step).
#include <cstdint>
#include <vector>

#include "train/block_kernels.hpp"

namespace mfrec::detail {

class AdaGradHistory {
 public:
  AdaGradHistory(std::uint32_t users, std::uint32_t items) : users_(users), items_(items) {}

  // A pass that adds the squared gradients of `state` to the sums: the
  // rows' squared norms are computed here, for fit_block to use.
  GradientPass pass(const TrainState& state, float lambda, float lambda_bias, unsigned threads);

  // Every row's rates for an epoch whose base rate is `lr`.
  void set_rates(float lr, TrainState& state, unsigned threads) const;

 private:
  std::vector<GradientSums> users_, items_;
  std::vector<float> user_norms_, item_norms_;
};

}  // namespace mfrec::detail
