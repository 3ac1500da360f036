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
// variant this CPU runs.
void sgd_block(const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid, std::uint32_t block);

// The compiled variants of sgd_block, so tests can run each one this CPU
// supports (otherwise only the best would ever be exercised).
enum class KernelIsa { Baseline, Avx2, Avx512 };
bool cpu_runs(KernelIsa isa);
void sgd_block(KernelIsa isa, const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid,
               std::uint32_t block);

// The squared errors of block `block` of `grid` under `state`.
FitSums fit_block(const FitContext& context, const TrainState& state, const BlockGrid& grid, std::uint32_t block);

}  // namespace mfrec::detail
