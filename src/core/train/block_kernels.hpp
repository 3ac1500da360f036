#pragma once
// The per-block work of training: one SGD pass over a block of the grid, and
// the squared errors of a block for the epoch's fit. The trainer runs them
// on many threads at once, on blocks that share no band; each touches only
// its block's rows. The benchmarks call them as the trainer does.
#include <cstdint>
#include <vector>

#include "train/block_grid.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/model/scaler.hpp"
#include "train/sgd_kernel.hpp"

namespace mfrec::detail {

// The parameters training changes, with users and items in the grid's row
// order; the trainer copies them back into the model's order at the end.
struct TrainState {
  FactorMatrix u, v;
  std::vector<float> bu, bv;
  // AdaGrad: this epoch's rate of every row; empty for plain SGD.
  std::vector<RowRate> user_rates, item_rates;
};

// A row's sums of squared gradients (AdaGrad's G): of its factors (the mean
// over the k factors, as LIBMF) and of its bias, over its ratings.
struct GradientSums {
  double factor = 0.0;
  double bias = 0.0;
  std::uint32_t ratings = 0;  // counted by the first pass only
};

// What fit_block needs to add every rating's squared gradients to its rows'
// sums, for the state it measures: the gradient of rating (i, j) for U_i is
// 2e·V_j − λ_i·U_i, whose squared norm is 4e²‖V_j‖² − 4eλ_i U_i·V_j +
// λ_i²‖U_i‖², with λ_i = λ + λ_row/n_i the row's penalty (λ alone in the
// pass that counts n_i).
struct GradientPass {
  float lambda, lambda_bias;
  double lambda_row;
  double inverse_k;                   // 1/k: the mean over the factors
  const float* user_norms;            // ‖U_i‖² per user row (grid order)
  const float* item_norms;            // ‖V_j‖² per item row
  GradientSums* users;                // added to, per user row
  GradientSums* items;
  bool count = false;                 // also count each row's ratings
};

// What measuring the fit needs beyond the parameters.
struct FitContext {
  bool bias;
  float mean;
  Scaler scaler;
  float rating_min, rating_max;  // input scale, for clipping
};

struct FitSums {
  double raw = 0.0;       // Σe², training scale, unclipped
  double reported = 0.0;  // Σe², input scale, clipped: what users see
};

// One pass of SGD over block `block` of `grid`, in its order, with the best
// variant this CPU runs; with the rows' own rates when `state` has them
// (AdaGrad), else `step.lr` for all.
void sgd_block(const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid, std::uint32_t block);

// The compiled variants of sgd_block, so tests can run each one this CPU
// supports (otherwise only the best would ever be exercised).
enum class KernelIsa { Baseline, Avx2, Avx512 };
bool cpu_runs(KernelIsa isa);
void sgd_block(KernelIsa isa, const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid,
               std::uint32_t block);

// The squared errors of block `block` of `grid` under `state`; with
// `gradients`, also adds each rating's squared gradients to its user's and
// item's sums (so blocks that share a band must not run at once).
FitSums fit_block(const FitContext& context, const TrainState& state, const BlockGrid& grid, std::uint32_t block,
                  const GradientPass* gradients = nullptr);

}  // namespace mfrec::detail
