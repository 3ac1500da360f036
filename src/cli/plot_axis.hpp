#pragma once
// An axis of the training chart: the value range, its ticks, and the map
// from values to pixels (linear, or log10).
#include <string>
#include <vector>

namespace mfrec::cli {

struct Tick {
  double value;
  std::string label;  // the value as shown, and as data-value
};

class Axis {
 public:
  // Covers [lo, hi] (finite values) between pixels p0 (at lo) and p1, with
  // about five ticks at round values; log: decades (and 2, 5 within them).
  Axis(double lo, double hi, double p0, double p1, bool log);
  double pixel(double value) const;
  const std::vector<Tick>& ticks() const { return ticks_; }
  bool log() const { return log_; }

 private:
  void linear_ticks(double lo, double hi);
  void log_ticks(double lo, double hi);
  double lo_ = 0, hi_ = 1, p0_, p1_;
  bool log_;
  std::vector<Tick> ticks_;
};

}  // namespace mfrec::cli
