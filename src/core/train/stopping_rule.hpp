#pragma once
// --tol: training stops after the first epoch whose decrease of the
// training objective is less than `tol` times its total decrease since
// epoch 2 (a rise counts as no decrease). Measured against the progress
// made, not against the objective itself: on dense data most of the
// objective is noise no model removes, and a fraction of it stopped
// training within a few epochs while the model was still improving. From
// epoch 2, not 1: without biases, epoch 1's objective still holds most of
// the mean, and a fall measured from there stopped MovieLens at epoch 6. The
// objective is summed in a fixed order, so the epoch it stops at is the same
// for any thread count; it is the training objective, not a held-out error,
// so no data has to be set aside.

namespace mfrec::detail {

class StoppingRule {
 public:
  explicit StoppingRule(double tol) : tol_(tol) {}

  // Given each epoch's objective in turn: whether training should stop
  // after this one. Never after the first two, and never when tol is 0.
  bool should_stop(double objective) {
    if (++epoch_ <= 2) {
      if (epoch_ == 2) first_ = objective;
      previous_ = objective;
      return false;
    }
    const double decrease = previous_ - objective;
    previous_ = objective;
    return tol_ > 0.0 && !(decrease >= tol_ * (first_ - objective));
  }

 private:
  double tol_;
  unsigned epoch_ = 0;
  double first_ = 0.0;  // the objective after epoch 2
  double previous_ = 0.0;
};

}  // namespace mfrec::detail
