#pragma once
// AdaGrad's memory for --optimizer adagrad: every user and item row's sum of
// squared gradients G (factors and bias apart), and the rates it gives. G
// starts from the gradients at the initial factors and grows by every
// rating's squared gradients once per epoch, in the pass that measures the
// epoch's fit (sgd_kernel.hpp says why not at every step).
//
// A row's rate is α/√(σ² + G), σ² the variance of the training ratings:
// LIBMF's α/√(1 + G) made independent of the rating scale. The first
// epoch's rate is then about α/σ for every row, since the factors start near
// zero and their gradients with them; factor norms grow with σ, and a step
// is stable while rate·‖factors‖² stays small, so one α suits ratings of
// 1–5, 1–10 or 0/1 alike.
//
// The factors' penalty per step is λ + λ_row/n for a row of n ratings: λ
// per rating as in SGD, plus a prior λ_row on each row as a whole, spread
// over its ratings. Without it, AdaGrad (whose rare rows keep large rates)
// fits the one or two ratings of rare items and users exactly; SGD with a
// small α only avoided that by never getting there. The penalty is applied
// in closed form, keep = 1/(1 + rate·penalty), so it never overshoots zero.
#include <cstdint>
#include <vector>

#include "train/block_kernels.hpp"

namespace mfrec::detail {

class AdaGradHistory {
 public:
  AdaGradHistory(std::uint32_t users, std::uint32_t items, float lambda, float lambda_bias, double lambda_row)
      : users_(users), items_(items), lambda_(lambda), lambda_bias_(lambda_bias), lambda_row_(lambda_row) {}

  // A pass that adds the squared gradients of `state` to the sums (the
  // first one also counts each row's ratings); the rows' squared norms are
  // computed here, for fit_block to use.
  GradientPass pass(const TrainState& state, unsigned threads);

  // The first pass, before any step, given the training ratings' variance
  // σ² (the initial fit's): the initial factors are near zero, and so would
  // be their gradients and G, leaving epoch 1 to run every row at rate α/σ,
  // too fast for rows with many ratings once their factors grow. So this
  // pass takes every row's squared norm at σ, the size the factors grow to
  // (‖U_i‖·‖V_j‖ ≈ the spread of what they explain), not at its start.
  GradientPass first_pass(const TrainState& state, double variance, unsigned threads);

  // Every row's rates for an epoch whose base rate is `lr`.
  void set_rates(float lr, TrainState& state, unsigned threads) const;

 private:
  std::vector<GradientSums> users_, items_;
  std::vector<float> user_norms_, item_norms_;
  float lambda_, lambda_bias_;
  double lambda_row_;
  double variance_ = 1.0;
  bool counted_ = false;
};

}  // namespace mfrec::detail
