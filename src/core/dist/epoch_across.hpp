#pragma once
// The SGD epoch across ranks (`mpirun -np N mfrec train`), as the DSGD
// papers run it: the block grid is the same on every rank, rank r runs the
// blocks of its own user bands, and an item band's factors travel, stratum
// by stratum, to the rank whose user band meets it next. Every block thus
// starts from exactly the parameters it would in one process, so the model
// is the same bytes for any number of ranks.
//
// A user's rows (factors, bias, AdaGrad's sums) live with the rank that
// runs the user's band; every item band is given to every rank at the end of
// a pass. What one process sums over all user rows in row order, the ranks
// continue one after the other over their runs of rows (sum_over_user_rows),
// so that every rank computes the fit, validation and early stopping of one
// process, to the bit, and the model once the users' rows are shared.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "mfrec/dist/cluster.hpp"
#include "mfrec/query/metrics.hpp"
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
// and `agreed_stop` is set. At the end every rank gets every item band.
void sgd_pass_across(const Cluster& ranks, const detail::BlockGrid& grid, detail::TrainState& state,
                     const std::vector<std::vector<std::uint32_t>>& strata,
                     const std::function<void(std::vector<std::uint32_t>&)>& run_blocks,
                     const std::atomic<bool>* stop_source, std::atomic<bool>& agreed_stop);

// Every block's fit, on every rank, in block order: fit_one(block) for this
// rank's blocks on `threads` threads, then gathered. With `gradients`
// (AdaGrad) the blocks go in the strata measure_fit uses, the item bands'
// gradient sums travelling between ranks as factors do in a pass, and the
// item bands' sums are given to every rank at the end.
std::vector<detail::FitSums> fit_parts_across(const Cluster& ranks, const detail::BlockGrid& grid,
                                              const detail::GradientPass* gradients, unsigned threads,
                                              const std::function<detail::FitSums(std::uint32_t)>& fit_one);

// The training rows of the users this rank runs: [first, last).
struct UserRows {
  std::uint32_t first, last;
};
UserRows my_user_rows(const Cluster& ranks, const detail::BlockGrid& grid);

// What continue_sum(0, users, 0.0) gives in one process, on every rank:
// each rank continues the running sum over its own user rows, in rank order.
double sum_over_user_rows(const Cluster& ranks, const detail::BlockGrid& grid,
                          const std::function<double(std::uint32_t, std::uint32_t, double)>& continue_sum);

// The held-out ratings' ErrorStats of one process, on every rank: the rank
// holding a rating's user row computes error_of(i) (rank 0 those of users
// unknown to the model, `unknown`), rank 0 adds them up in held order.
ErrorStats heldout_across(const Cluster& ranks, const detail::BlockGrid& grid, const std::vector<Rating>& held,
                          std::uint32_t unknown, const std::function<double(std::size_t)>& error_of);

// Every user's factors and bias from the rank that holds them into every
// rank (once, for the model).
void share_users(const Cluster& ranks, const detail::BlockGrid& grid, detail::TrainState& state);

}  // namespace mfrec::dist
