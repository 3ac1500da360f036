#pragma once
// Min-max scaling of observed ratings onto [0, 5] (the seed's MinMaxScaler,
// fitted on observed ratings only, so "not rated" cells never skew it).
#include "mfrec/model/dataset.hpp"

namespace mfrec {

struct Scaler {
  bool enabled = false;
  double min = 0.0;  // the input's smallest rating
  double max = 0.0;  // the input's largest rating

  static constexpr double kTargetMax = 5.0;

  // Throws Error(Data) when every rating is the same: no line maps them.
  static Scaler fit(const RatingRange& range);

  double forward(double x) const { return enabled ? (x - min) * (kTargetMax / (max - min)) : x; }
  double inverse(double y) const { return enabled ? y * ((max - min) / kTargetMax) + min : y; }
  // How much one unit of the training scale is on the input's scale.
  double unit() const { return enabled ? (max - min) / kTargetMax : 1.0; }
};

}  // namespace mfrec
