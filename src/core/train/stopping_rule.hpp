#pragma once
// --tol: training stops once an epoch lowers the training objective by less
// than a fraction `tol` of the previous epoch's (a rise counts as no
// improvement). The objective is summed in a fixed order, so the epoch it
// stops at is the same for any thread count; the objective, not a held-out
// error, so that it needs no data set aside.
#include <limits>

namespace mfrec::detail {

class StoppingRule {
 public:
  explicit StoppingRule(double tol) : tol_(tol) {}

  // Given each epoch's objective in turn: whether training should stop
  // after this one. Never after the first, and never when tol is 0.
  bool should_stop(double objective) {
    const double before = previous_;
    previous_ = objective;
    return tol_ > 0.0 && before - objective < tol_ * before;
  }

 private:
  double tol_;
  double previous_ = std::numeric_limits<double>::infinity();
};

}  // namespace mfrec::detail
