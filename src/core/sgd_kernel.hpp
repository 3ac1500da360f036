#pragma once
// The SGD update for one rating, the hot loop of training. Rows are padded
// to FactorMatrix::kLanes floats (zeros), so every loop runs whole lanes and
// the compiler vectorizes it; the dot product keeps kLanes partial sums and
// adds them in a fixed order, so results do not depend on the vector width.
#include <cstddef>

#include "mfrec/model.hpp"

namespace mfrec::detail {

inline float dot_padded(const float* __restrict u, const float* __restrict v, std::size_t stride) {
  constexpr std::size_t L = FactorMatrix::kLanes;
  float acc[L] = {};
  for (std::size_t f = 0; f < stride; f += L)
    for (std::size_t l = 0; l < L; ++l) acc[l] += u[f + l] * v[f + l];
  // Pairwise, fixed order.
  for (std::size_t width = L / 2; width > 0; width /= 2)
    for (std::size_t l = 0; l < width; ++l) acc[l] += acc[l + width];
  return acc[0];
}

struct SgdStep {
  float lr;
  float lambda;       // for U and V
  float mean;
  std::size_t stride;
  float lambda_bias;  // for b and c

  // The seed's rule, with e = r − r̂:
  //   U_i += α(2e·V_j − λU_i), then V_j += α(2e·U_i − λV_j) with the new U_i
  //   (as the seed's code does), and b_i += α(2e − λ_b·b_i), c_j += α(2e − λ_b·c_j), with λ_b = λ
  //   unless --lambda-bias says otherwise.
  // Returns e (before the update).
  template <bool kBias>
  float update(float rating, float* __restrict u, float* __restrict v, float* bu, float* bv) const {
    float predicted = dot_padded(u, v, stride);
    if constexpr (kBias) predicted += mean + *bu + *bv;
    const float e = rating - predicted;
    const float g = 2.0f * e;
    for (std::size_t f = 0; f < stride; ++f) u[f] += lr * (g * v[f] - lambda * u[f]);
    for (std::size_t f = 0; f < stride; ++f) v[f] += lr * (g * u[f] - lambda * v[f]);
    if constexpr (kBias) {
      *bu += lr * (g - lambda_bias * *bu);
      *bv += lr * (g - lambda_bias * *bv);
    }
    return e;
  }
};

}  // namespace mfrec::detail
