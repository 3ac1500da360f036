#pragma once
// Accumulators for error metrics, in double whatever the model's precision.
#include <cmath>
#include <cstdint>

namespace mfrec {

struct ErrorStats {
  double sum_squared = 0.0;
  double sum_absolute = 0.0;
  std::uint64_t count = 0;

  void add(double error) {
    sum_squared += error * error;
    sum_absolute += std::fabs(error);
    ++count;
  }
  double rmse() const { return count ? std::sqrt(sum_squared / static_cast<double>(count)) : 0.0; }
  double mae() const { return count ? sum_absolute / static_cast<double>(count) : 0.0; }
};

}  // namespace mfrec
