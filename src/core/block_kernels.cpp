#include "block_kernels.hpp"

#include <algorithm>

namespace mfrec::detail {

namespace {

// A block's slice of the parameters: the rows of its user band and item band
// start here (row 0 for grids that hold global rows). F is float or const
// float.
template <class F>
struct BlockParams {
  F* u;
  F* v;
  F* bu;
  F* bv;
};

template <class State>
auto block_params(State& s, const BlockGrid& grid, std::uint32_t block) {
  const std::uint32_t user0 = grid.compact ? grid.users.band_begin[block / grid.bands] : 0;
  const std::uint32_t item0 = grid.compact ? grid.items.band_begin[block % grid.bands] : 0;
  return BlockParams<std::remove_pointer_t<decltype(s.bu.data())>>{s.u.row(user0), s.v.row(item0),
                                                                   s.bu.data() + user0, s.bv.data() + item0};
}

// always_inline: the run helpers must be compiled inside each clone of
// fit_block and sgd_block; a call to an outlined copy runs baseline code.
// kStride > 0 fixes the row stride, so the kernel's loops unroll fully.
template <std::size_t kStride, class R>
[[gnu::always_inline]] inline FitSums fit_run(const FitContext& c, std::size_t stride, const R* begin, const R* end,
                                              BlockParams<const float> p) {
  if constexpr (kStride > 0) stride = kStride;
  const double lo = c.rating_min, hi = c.rating_max;
  const auto add = [&](const R& r, double& raw, double& reported) __attribute__((always_inline)) {
    float s = dot_padded<kStride>(p.u + r.user * stride, p.v + r.item * stride, stride);
    if (c.bias) s += c.mean + p.bu[r.user] + p.bv[r.item];
    const double e = static_cast<double>(r.value) - s;
    const double shown = c.scaler.enabled ? c.scaler.inverse(r.value) - std::clamp(c.scaler.inverse(s), lo, hi)
                                          : r.value - std::clamp(static_cast<double>(s), lo, hi);
    raw += e * e;
    reported += shown * shown;
  };
  // Rating i adds to partial sums i mod 4, added up in a fixed order at the
  // end: four dependency chains instead of one.
  double raw0 = 0, raw1 = 0, raw2 = 0, raw3 = 0, rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0;
  const R* r = begin;
  for (; end - r >= 4; r += 4) {
    add(r[0], raw0, rep0);
    add(r[1], raw1, rep1);
    add(r[2], raw2, rep2);
    add(r[3], raw3, rep3);
  }
  for (double *raw = &raw0, *rep = &rep0; r != end; ++r) add(*r, *raw, *rep);
  return {(raw0 + raw1) + (raw2 + raw3), (rep0 + rep1) + (rep2 + rep3)};
}

template <class R>
[[gnu::always_inline]] inline FitSums fit_run(const FitContext& c, std::size_t stride, const R* begin, const R* end,
                                              BlockParams<const float> p) {
  switch (stride) {
    case 16: return fit_run<16>(c, stride, begin, end, p);
    case 32: return fit_run<32>(c, stride, begin, end, p);
    case 64: return fit_run<64>(c, stride, begin, end, p);
    case 128: return fit_run<128>(c, stride, begin, end, p);
    default: return fit_run<0>(c, stride, begin, end, p);
  }
}

template <class Group, bool kBias, std::size_t kStride, class R>
[[gnu::always_inline]] inline void sgd_run(const SgdStep& step, const R* begin, const R* end, BlockParams<float> p) {
  const std::size_t stride = kStride > 0 ? kStride : step.stride;
  for (const R* r = begin; r != end; ++r) {
    float* bu = kBias ? p.bu + r->user : nullptr;
    float* bv = kBias ? p.bv + r->item : nullptr;
    step.update<kBias, kStride, Group>(r->value, p.u + r->user * stride, p.v + r->item * stride, bu, bv);
  }
}

template <class Group, bool kBias, class R>
[[gnu::always_inline]] inline void sgd_run(const SgdStep& step, const R* begin, const R* end, BlockParams<float> p) {
  switch (step.stride) {
    case 16: return sgd_run<Group, kBias, 16>(step, begin, end, p);
    case 32: return sgd_run<Group, kBias, 32>(step, begin, end, p);
    case 64: return sgd_run<Group, kBias, 64>(step, begin, end, p);
    case 128: return sgd_run<Group, kBias, 128>(step, begin, end, p);
    default: return sgd_run<Group, kBias, 0>(step, begin, end, p);
  }
}

template <class Group, class R>
[[gnu::always_inline]] inline void sgd_run(const SgdStep& step, bool bias, const R* begin, const R* end,
                                           BlockParams<float> p) {
  if (bias) {
    sgd_run<Group, true>(step, begin, end, p);
  } else {
    sgd_run<Group, false>(step, begin, end, p);
  }
}

template <class Group>
[[gnu::always_inline]] inline void sgd_block_for(const SgdStep& step, bool bias, TrainState& state,
                                                 const BlockGrid& grid, std::uint32_t block) {
  const auto p = block_params(state, grid, block);
  const std::size_t first = grid.block_begin[block], last = grid.block_begin[block + 1];
  if (grid.compact) {
    sgd_run<Group>(step, bias, grid.compact_ratings() + first, grid.compact_ratings() + last, p);
  } else {
    sgd_run<Group>(step, bias, grid.ratings.data() + first, grid.ratings.data() + last, p);
  }
}

using SgdBlockFn = void (*)(const SgdStep&, bool, TrainState&, const BlockGrid&, std::uint32_t);

// The SGD pass compiled three times, each with the update's vector type
// matching its registers (target_clones cannot vary a type per clone); the
// CPU's features pick one at the first call, so the default build runs on
// any x86-64.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("arch=x86-64-v4"))) void sgd_block_avx512(const SgdStep& step, bool bias, TrainState& state,
                                                                 const BlockGrid& grid, std::uint32_t block) {
  sgd_block_for<Lanes16>(step, bias, state, grid, block);
}
__attribute__((target("arch=x86-64-v3"))) void sgd_block_avx2(const SgdStep& step, bool bias, TrainState& state,
                                                               const BlockGrid& grid, std::uint32_t block) {
  sgd_block_for<Lanes8>(step, bias, state, grid, block);
}
#endif
void sgd_block_baseline(const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid,
                        std::uint32_t block) {
  sgd_block_for<Lanes4>(step, bias, state, grid, block);
}

SgdBlockFn pick_sgd_block() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return sgd_block_avx512;
  if (__builtin_cpu_supports("x86-64-v3")) return sgd_block_avx2;
#endif
  return sgd_block_baseline;
}

}  // namespace

// Compiled for AVX-512, for AVX2+FMA and for baseline x86-64; the CPU picks
// at load time. (The dot product alone needs no per-target type.)
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MFREC_KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MFREC_KERNEL_CLONES
#endif

void sgd_block(const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid, std::uint32_t block) {
  static const SgdBlockFn impl = pick_sgd_block();
  impl(step, bias, state, grid, block);
}

MFREC_KERNEL_CLONES
FitSums fit_block(const FitContext& context, const TrainState& state, const BlockGrid& grid, std::uint32_t block) {
  const auto p = block_params(state, grid, block);
  const std::size_t first = grid.block_begin[block], last = grid.block_begin[block + 1];
  const std::size_t stride = state.u.stride();
  if (grid.compact) return fit_run(context, stride, grid.compact_ratings() + first, grid.compact_ratings() + last, p);
  return fit_run(context, stride, grid.ratings.data() + first, grid.ratings.data() + last, p);
}

}  // namespace mfrec::detail
