#pragma once
// --tol: training stops after the first epoch whose decrease of the
// training objective is less than `tol` times the total decrease since the
// first epoch (a rise counts as no decrease). Measured against the progress
// made, not against the objective itself: on dense data most of the
// objective is noise no model removes, and a fraction of it stopped
// training within a few epochs while the model was still improving. The
// objective is summed in a fixed order, so the epoch it stops at is the same
// for any thread count; it is the training objective, not a held-out error,
// so no data has to be set aside.
#include <optional>

namespace mfrec::detail {

class StoppingRule {
 public:
  explicit StoppingRule(double tol) : tol_(tol) {}

  // Given each epoch's objective in turn: whether training should stop
  // after this one. Never after the first, and never when tol is 0.
  bool should_stop(double objective) {
    if (!first_) {
      first_ = previous_ = objective;
      return false;
    }
    const double decrease = previous_ - objective;
    previous_ = objective;
    return tol_ > 0.0 && !(decrease >= tol_ * (*first_ - objective));
  }

 private:
  double tol_;
  std::optional<double> first_;
  double previous_ = 0.0;
};

}  // namespace mfrec::detail
