#pragma once
// AdaGrad's memory for --optimizer adagrad: every user and item row's sum of
// squared gradients G (factors and bias apart), and the rates it gives. G
// starts from the gradients at the initial factors and grows by every
// rating's squared gradients once per epoch, in the pass that measures the
// epoch's fit (sgd_kernel.hpp says why not at every step).
//
// Everything is measured in σ, the spread of the training ratings around
// their mean, so that one setting suits ratings of 1–5, 1–10 or 0/1:
// - A row's rate is α/√(σ² + G): LIBMF's α/√(1 + G) with the 1 made a
//   squared gradient of the data's own size.
// - The factors' penalty per step is (λ + λ_row/n)·σ for a row of n ratings.
//   Errors grow with σ and factor norms with √σ (U·V carries what the
//   biases leave), so e² and λ‖U‖² keep their balance only if λ grows with
//   σ. λ_row is a prior on each row as a whole, spread over its ratings. The
//   penalty is applied in closed form, keep = 1/(1 + rate·penalty), so a
//   large rate never overshoots zero. The biases' λ_b is left as given (a
//   bias and an error grow alike).
#include <cstdint>
#include <vector>

#include "train/block_kernels.hpp"

namespace mfrec::detail {

// The spread σ of ratings around `mean`: √(Σ(r − mean)²/n).
double rating_spread(const std::vector<Rating>& ratings, float mean, unsigned threads);

class AdaGradHistory {
 public:
  AdaGradHistory(std::uint32_t users, std::uint32_t items, double spread, float lambda, float lambda_bias,
                 double lambda_row);

  // A pass that adds the squared gradients of `state` to the sums (the
  // first one also counts each row's ratings); the rows' squared norms are
  // computed here, for fit_block to use.
  GradientPass pass(const TrainState& state, unsigned threads);

  // The pass before any step. The initial factors are near zero, and so
  // would be their gradients and G, leaving epoch 1 to run every row at
  // rate α/σ, too fast for rows with many ratings once their factors grow.
  // So this pass takes every row's squared norm at σ, the size factors grow
  // to, not the size they start at.
  GradientPass first_pass(const TrainState& state, unsigned threads);

  // The penalty the steps minimise with Σe², after a pass over `state`:
  // ½Σ_rows (λ·n + λ_row)·σ·‖x‖² + ½λ_b·Σ_rows n·b² (a step's shrink is the
  // gradient of half the penalty, taken once per rating).
  double penalty(const TrainState& state, bool bias) const;
  // The same in parts, for training across ranks (each rank holds its own
  // users' rows): the user side's sum over rows [first, last), continuing
  // `start`, and the item side's; penalty = ½·users + ½·items.
  double user_terms(const TrainState& state, bool bias, std::uint32_t first, std::uint32_t last, double start) const;
  double item_terms(const TrainState& state, bool bias) const;

  // Every row's rates for an epoch whose base rate is `lr`.
  void set_rates(float lr, TrainState& state, unsigned threads) const;

 private:
  std::vector<GradientSums> users_, items_;
  std::vector<float> user_norms_, item_norms_;
  double spread_;
  float lambda_, lambda_bias_;  // λ·σ, λ_b
  double lambda_row_;           // λ_row·σ
  bool counted_ = false;
};

}  // namespace mfrec::detail
