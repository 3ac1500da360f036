#pragma once
// The SGD epoch across ranks (`mpirun -np N mfrec train`), as the DSGD
// papers run it: the block grid is the same on every rank, rank r runs the
// blocks of its own user bands, and an item band's factors travel, stratum
// by stratum, to the rank whose user band meets it next. Every block thus
// starts from exactly the parameters it would in one process, so the model
// is the same bytes for any number of ranks.
//
// At the end of a pass every rank is given the whole state (users' rows
// from their owners, item bands from their last holders), so that the fit,
// validation, early stopping and the model are computed by the code one
// process runs, on every rank alike.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "mfrec/dist/cluster.hpp"
#include "train/block_grid.hpp"
#include "train/block_kernels.hpp"

namespace mfrec::dist {

// Which rank runs which user bands: rank r the contiguous bands
// [first(r), first(r + 1)), as even as B bands allow. Ranks past the
// number of bands run none (they still take part in every collective).
class BandOwners {
 public:
  BandOwners(std::uint32_t bands, int ranks);
  std::uint32_t first(int rank) const;
  int owner(std::uint32_t band) const;

 private:
  std::uint32_t bands_;
  int working_;  // min(ranks, bands)
};

// One SGD pass over `strata` (epoch_schedule's, in order): for each, calls
// run_blocks(this rank's blocks of it), then hands each item band on to the
// rank that runs it next. Before every stratum the ranks agree whether any
// of them has `stop_source` set; if so, the pass ends there on every rank
// and `agreed_stop` is set. Then the whole state is shared (share_state).
void sgd_pass_across(const Cluster& ranks, const detail::BlockGrid& grid, detail::TrainState& state,
                     const std::vector<std::vector<std::uint32_t>>& strata,
                     const std::function<void(std::vector<std::uint32_t>&)>& run_blocks,
                     const std::atomic<bool>* stop_source, std::atomic<bool>& agreed_stop);

// Every block's fit, on every rank, in block order: fit_one(block) for this
// rank's blocks on `threads` threads, then gathered. With `gradients`
// (AdaGrad) the blocks go in the strata measure_fit uses, the item bands'
// gradient sums travelling between ranks as factors do in a pass, and the
// sums of every row are shared at the end.
std::vector<detail::FitSums> fit_parts_across(const Cluster& ranks, const detail::BlockGrid& grid,
                                              const detail::GradientPass* gradients, unsigned threads,
                                              const std::function<detail::FitSums(std::uint32_t)>& fit_one);

}  // namespace mfrec::dist
