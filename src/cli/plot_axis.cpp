#include "plot_axis.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace mfrec::cli {

namespace {

// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * power >= raw * (1 - 1e-9)) return m * power;
  return 10 * power;
}

// `value` as a label with the decimals `step` needs, read back as the value
// the tick is drawn at, so that label and position always agree.
Tick make_tick(double value, double step) {
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  std::string label = fmt::format("{:.{}f}", value, decimals);
  if (label.starts_with('-') && label.find_first_not_of("-0.") == std::string::npos) label.erase(0, 1);  // "-0.00"
  return {std::stod(label), label};
}

}  // namespace

Axis::Axis(double lo, double hi, double p0, double p1, bool log) : p0_(p0), p1_(p1), log_(log) {
  if (log) log_ticks(lo, hi);
  else linear_ticks(lo, hi);
}

void Axis::linear_ticks(double lo, double hi) {
  if (!(hi > lo)) {  // one value: a unit around it
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step((hi - lo) / 5);
  lo_ = std::floor(lo / step + 1e-9) * step;
  hi_ = std::ceil(hi / step - 1e-9) * step;
  for (double v = lo_; v <= hi_ + step * 1e-6; v += step) ticks_.push_back(make_tick(v, step));
  lo_ = ticks_.front().value;
  hi_ = ticks_.back().value;
}

void Axis::log_ticks(double lo, double hi) {
  const int first = static_cast<int>(std::floor(std::log10(lo) + 1e-12));
  const int last = std::max(first + 1, static_cast<int>(std::ceil(std::log10(hi) - 1e-12)));
  // Few decades: 1, 2 and 5 in each, so the axis has enough labels.
  const bool fine = last - first <= 2;
  for (int e = first; e <= last; ++e)
    for (double m : {1.0, 2.0, 5.0}) {
      if (m != 1.0 && (!fine || e == last)) continue;
      const double v = m * std::pow(10.0, e);
      ticks_.push_back({v, fmt::format("{:g}", v)});
      ticks_.back().value = std::stod(ticks_.back().label);
    }
  lo_ = std::log10(ticks_.front().value);
  hi_ = std::log10(ticks_.back().value);
}

double Axis::pixel(double value) const {
  const double v = log_ ? std::log10(value) : value;
  return p0_ + (v - lo_) / (hi_ - lo_) * (p1_ - p0_);
}

}  // namespace mfrec::cli
