#pragma once
// The SGD update for one rating, the hot loop of training. Rows are padded
// to FactorMatrix::kLanes floats (zeros), so every loop runs whole lanes and
// the compiler vectorizes it; the dot product keeps kLanes partial sums and
// adds them in a fixed order, so results do not depend on the vector width.
#include <cstddef>
#include <cstring>

#include "mfrec/model/model.hpp"

namespace mfrec::detail {

// GCC/Clang vector types: one 16-float group is a zmm, two ymm or four xmm,
// whatever the target; the reduction below is written out so that it stays
// in registers (as a loop it was spilled to the stack, a third of the
// update's time).
using Lanes16 = float __attribute__((vector_size(64)));
using Lanes8 = float __attribute__((vector_size(32)));
using Lanes4 = float __attribute__((vector_size(16)));
static_assert(FactorMatrix::kLanes == 16);

// `kStride` > 0 fixes the stride at compile time, so the loop unrolls fully
// (the trainer instantiates the common ones); 0 reads `stride`.
template <std::size_t kStride = 0>
[[gnu::always_inline]] inline float dot_padded(const float* __restrict u, const float* __restrict v, std::size_t stride) {
  if constexpr (kStride > 0) stride = kStride;
  Lanes16 acc = {};
  for (std::size_t f = 0; f < stride; f += 16) {
    Lanes16 a, b;
    std::memcpy(&a, u + f, sizeof a);
    std::memcpy(&b, v + f, sizeof b);
    acc += a * b;
  }
  // Pairwise, fixed order: lanes l and l+8, then l and l+4, l+2, l+1.
  const Lanes8 s8 = __builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7) +
                    __builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15);
  const Lanes4 s4 = __builtin_shufflevector(s8, s8, 0, 1, 2, 3) + __builtin_shufflevector(s8, s8, 4, 5, 6, 7);
  const float s2a = s4[0] + s4[2];
  const float s2b = s4[1] + s4[3];
  return s2a + s2b;
}

// A row's learning rates under AdaGrad: one for its factors, one for its
// bias (their gradients differ in scale, so they keep separate histories).
// LIBMF adds each step's squared gradient to G as it goes; here that halved
// the update's speed (an SGD update is ~13 cycles; bench/adagrad_study.md),
// so the rates stay fixed for an epoch and G grows by the squared gradients
// of every rating once per epoch, in the pass that measures the fit
// (block_kernels.hpp). Fixed rates also make the epoch's result independent
// of which thread runs which block, for free.
struct RowRate {
  float factor;
  float bias;
  float keep;       // what the factors keep of themselves per step
  float bias_keep;  // the same for the bias (AdaGrad only)
};

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
  // `Group` is the vector type of the U and V update, one register of the
  // target (Lanes16 for AVX-512, Lanes8 for AVX2, Lanes4 for SSE): a wider
  // type is split badly by GCC. The dot product's sums do not depend on it.
  template <bool kBias, std::size_t kStride = 0, class Group = Lanes16>
  [[gnu::always_inline]] float update(float rating, float* __restrict u, float* __restrict v, float* bu, float* bv) const {
    const RowRate all{lr, lr, 1.0f - lr * lambda, 0.0f};
    return step<kBias, kStride, Group, false>(rating, u, v, bu, bv, all, all);
  }

  // AdaGrad's rule: the rates of the user's row and the item's row, α being
  // user.factor in U_i's step, item.factor in V_j's, and the penalties in
  // closed form, U_i·keep + (rate·2e)·V_j and b_i·bias_keep + rate_b·2e
  // (keep = 1/(1 + rate·penalty): never past zero, however large the rate).
  // The factors' arithmetic is the rule above's, operation for operation.
  template <bool kBias, std::size_t kStride = 0, class Group = Lanes16>
  [[gnu::always_inline]] float update(float rating, float* __restrict u, float* __restrict v, float* bu, float* bv,
                                      RowRate user, RowRate item) const {
    return step<kBias, kStride, Group, true>(rating, u, v, bu, bv, user, item);
  }

 private:
  template <bool kBias, std::size_t kStride, class Group, bool kClosedFormBias>
  [[gnu::always_inline]] float step(float rating, float* __restrict u, float* __restrict v, float* bu, float* bv,
                                    RowRate user, RowRate item) const {
    const std::size_t stride = kStride > 0 ? kStride : this->stride;
    float predicted = dot_padded<kStride>(u, v, stride);
    if constexpr (kBias) predicted += mean + *bu + *bv;
    const float e = rating - predicted;
    const float g = 2.0f * e;
    // U_i + α(2e·V_j − λU_i) as (1 − αλ)·U_i + (α·2e)·V_j: one multiply and
    // one fused multiply-add per lane instead of three operations. Group by
    // group, V_j's with the group of U_i just computed; written with vector
    // types because GCC scalarized the fully unrolled k=16 loop.
    const float keep_u = user.keep, step_u = user.factor * g;
    const float keep_v = item.keep, step_v = item.factor * g;
    constexpr std::size_t kGroup = sizeof(Group) / sizeof(float);
    for (std::size_t f = 0; f < stride; f += kGroup) {
      Group uf, vf;
      std::memcpy(&uf, u + f, sizeof uf);
      std::memcpy(&vf, v + f, sizeof vf);
      uf = keep_u * uf + step_u * vf;
      vf = keep_v * vf + step_v * uf;
      std::memcpy(u + f, &uf, sizeof uf);
      std::memcpy(v + f, &vf, sizeof vf);
    }
    if constexpr (kBias) {
      if constexpr (kClosedFormBias) {
        *bu = *bu * user.bias_keep + user.bias * g;
        *bv = *bv * item.bias_keep + item.bias * g;
      } else {
        *bu += user.bias * (g - lambda_bias * *bu);
        *bv += item.bias * (g - lambda_bias * *bv);
      }
    }
    return e;
  }
};

}  // namespace mfrec::detail
