#include "train/block_kernels.hpp"
#include "mfrec/train/trainer.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

// Vector types are passed between always-inlined helpers only, never across
// a real call, so GCC's note that their calling convention differs between
// targets does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

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
  const RowRate* user_rates;  // nullptr: plain SGD
  const RowRate* item_rates;
};

// The first user row and item row of a block's bands (0 for grids that hold
// global rows).
struct BlockOrigin {
  std::uint32_t user, item;
};

BlockOrigin block_origin(const BlockGrid& grid, std::uint32_t block) {
  if (!grid.compact) return {0, 0};
  return {grid.users.band_begin[block / grid.bands], grid.items.band_begin[block % grid.bands]};
}

template <class State>
auto block_params(State& s, const BlockGrid& grid, std::uint32_t block) {
  const BlockOrigin o = block_origin(grid, block);
  const auto rates = [](const std::vector<RowRate>& r, std::uint32_t first) {
    return r.empty() ? nullptr : r.data() + first;
  };
  return BlockParams<std::remove_pointer_t<decltype(s.bu.data())>>{
      s.u.row(o.user),        s.v.row(o.item),        s.bu.data() + o.user, s.bv.data() + o.item,
      rates(s.user_rates, o.user), rates(s.item_rates, o.item)};
}

// The block's slice of a gradient pass: its rows start at the block's origin.
GradientPass block_gradients(const GradientPass& g, BlockOrigin o) {
  GradientPass b = g;
  b.user_norms += o.user;
  b.item_norms += o.item;
  b.users += o.user;
  b.items += o.item;
  return b;
}

// Adds one rating's squared gradients (e = r − r̂, dot = U_i·V_j) to its
// rows' sums; user and item are rows of the block's slice.
[[gnu::always_inline]] inline void add_gradients(const GradientPass& g, std::uint32_t user, std::uint32_t item,
                                                 double dot, double e, bool bias, const float* bu, const float* bv) {
  GradientSums& u = g.users[user];
  GradientSums& v = g.items[item];
  const auto penalty = [&](const GradientSums& row) {
    return g.count ? double{g.lambda} : g.lambda + g.lambda_row / row.ratings;
  };
  const double lu = penalty(u), lv = penalty(v), two_e = 2.0 * e;
  const double uu = g.user_norms[user], vv = g.item_norms[item];
  u.factor += (two_e * two_e * vv - 2.0 * two_e * lu * dot + lu * lu * uu) * g.inverse_k;
  v.factor += (two_e * two_e * uu - 2.0 * two_e * lv * dot + lv * lv * vv) * g.inverse_k;
  if (g.count) {
    ++u.ratings;
    ++v.ratings;
  }
  if (!bias) return;
  const double du = two_e - double{g.lambda_bias} * bu[user], dv = two_e - double{g.lambda_bias} * bv[item];
  u.bias += du * du;
  v.bias += dv * dv;
}

using Doubles8 = double __attribute__((vector_size(64)));

// The dot products of 8 ratings at once: acc[j] holds rating j's 16 partial
// sums, and lane j of the result is rating j's dot. The sums are added in
// dot_padded's order (lanes l and l+8, then l+4, l+2, l+1), so each result
// is bit for bit dot_padded's, with the 8 reductions sharing their shuffles.
[[gnu::always_inline]] inline Lanes8 reduce8(const Lanes16 (&acc)[8]) {
  Lanes16 pairs[4];  // [rating 2m's 8 sums | rating 2m+1's 8 sums]
  for (int m = 0; m < 4; ++m)
    pairs[m] = __builtin_shufflevector(acc[2 * m], acc[2 * m + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22,
                                       23) +
               __builtin_shufflevector(acc[2 * m], acc[2 * m + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29,
                                       30, 31);
  Lanes16 quads[2];  // 4 sums for each of 4 ratings
  for (int m = 0; m < 2; ++m)
    quads[m] = __builtin_shufflevector(pairs[2 * m], pairs[2 * m + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25,
                                       26, 27) +
               __builtin_shufflevector(pairs[2 * m], pairs[2 * m + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29,
                                       30, 31);
  // 2 sums for each of 8 ratings, then 1.
  const Lanes16 twos =
      __builtin_shufflevector(quads[0], quads[1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29) +
      __builtin_shufflevector(quads[0], quads[1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
  return __builtin_shufflevector(twos, twos, 0, 2, 4, 6, 8, 10, 12, 14) +
         __builtin_shufflevector(twos, twos, 1, 3, 5, 7, 9, 11, 13, 15);
}

// always_inline: the run helpers must be compiled inside each clone of
// fit_block and sgd_block; a call to an outlined copy runs baseline code.
// kStride > 0 fixes the row stride, so the kernel's loops unroll fully.
//
// Ratings go 8 at a time, with vector arithmetic for everything after the
// dot products (a rating's scalar tail of conversions, clipping and sums
// cost as much as its dot product). Each of the 8 lanes keeps its own sums,
// added up in a fixed order at the end; the few ratings left over go one by
// one.
template <std::size_t kStride, class R>
[[gnu::always_inline]] inline FitSums fit_run(const FitContext& c, std::size_t stride, const R* begin, const R* end,
                                              BlockParams<const float> p, const GradientPass* gradients) {
  if constexpr (kStride > 0) stride = kStride;
  const double lo = c.rating_min, hi = c.rating_max;
  const Doubles8 lo8 = lo - Doubles8{}, hi8 = hi - Doubles8{};
  const double unit = c.scaler.unit(), offset = c.scaler.enabled ? c.scaler.min : 0.0;
  const auto to_input_scale = [&](Doubles8 x) __attribute__((always_inline)) { return x * unit + offset; };
  const auto clip = [&](Doubles8 x) __attribute__((always_inline)) {
    x = x < lo8 ? lo8 : x;
    return x > hi8 ? hi8 : x;
  };
  Doubles8 raw = {}, reported = {};
  const R* r = begin;
  for (; end - r >= 8; r += 8) {
    Lanes16 acc[8] = {};
    for (std::size_t f = 0; f < stride; f += 16) {
      for (int j = 0; j < 8; ++j) {
        Lanes16 a, b;
        std::memcpy(&a, p.u + r[j].user * stride + f, sizeof a);
        std::memcpy(&b, p.v + r[j].item * stride + f, sizeof b);
        acc[j] += a * b;
      }
    }
    const Lanes8 dots = reduce8(acc);
    Lanes8 predicted = dots, value;
    for (int j = 0; j < 8; ++j) value[j] = r[j].value;
    if (c.bias) {
      Lanes8 biases;
      for (int j = 0; j < 8; ++j) biases[j] = c.mean + p.bu[r[j].user] + p.bv[r[j].item];
      predicted += biases;
    }
    const Doubles8 s = __builtin_convertvector(predicted, Doubles8);
    const Doubles8 v = __builtin_convertvector(value, Doubles8);
    const Doubles8 e = v - s;
    const Doubles8 shown = to_input_scale(v) - clip(to_input_scale(s));
    raw += e * e;
    reported += shown * shown;
    if (gradients)
      for (int j = 0; j < 8; ++j) add_gradients(*gradients, r[j].user, r[j].item, dots[j], e[j], c.bias, p.bu, p.bv);
  }
  double raw_sum = 0.0, reported_sum = 0.0;
  for (int j = 0; j < 8; ++j) {
    raw_sum += raw[j];
    reported_sum += reported[j];
  }
  for (; r != end; ++r) {
    const float dot = dot_padded<kStride>(p.u + r->user * stride, p.v + r->item * stride, stride);
    float s = dot;
    if (c.bias) s += c.mean + p.bu[r->user] + p.bv[r->item];
    const double e = static_cast<double>(r->value) - s;
    if (gradients) add_gradients(*gradients, r->user, r->item, dot, e, c.bias, p.bu, p.bv);
    const double shown = (r->value * unit + offset) - std::clamp(s * unit + offset, lo, hi);
    raw_sum += e * e;
    reported_sum += shown * shown;
  }
  return {raw_sum, reported_sum};
}

template <class R>
[[gnu::always_inline]] inline FitSums fit_run(const FitContext& c, std::size_t stride, const R* begin, const R* end,
                                              BlockParams<const float> p, const GradientPass* g) {
  switch (stride) {
    case 16: return fit_run<16>(c, stride, begin, end, p, g);
    case 32: return fit_run<32>(c, stride, begin, end, p, g);
    case 64: return fit_run<64>(c, stride, begin, end, p, g);
    case 128: return fit_run<128>(c, stride, begin, end, p, g);
    default: return fit_run<0>(c, stride, begin, end, p, g);
  }
}

template <class Group, bool kBias, bool kRowRates, std::size_t kStride, class R>
[[gnu::always_inline]] inline void sgd_run(const SgdStep& step, const R* begin, const R* end, BlockParams<float> p) {
  const std::size_t stride = kStride > 0 ? kStride : step.stride;
  for (const R* r = begin; r != end; ++r) {
    float* bu = kBias ? p.bu + r->user : nullptr;
    float* bv = kBias ? p.bv + r->item : nullptr;
    float* u = p.u + r->user * stride;
    float* v = p.v + r->item * stride;
    if constexpr (kRowRates) {
      step.update<kBias, kStride, Group>(r->value, u, v, bu, bv, p.user_rates[r->user], p.item_rates[r->item]);
    } else {
      step.update<kBias, kStride, Group>(r->value, u, v, bu, bv);
    }
  }
}

template <class Group, bool kBias, bool kRowRates, class R>
[[gnu::always_inline]] inline void sgd_run(const SgdStep& step, const R* begin, const R* end, BlockParams<float> p) {
  switch (step.stride) {
    case 16: return sgd_run<Group, kBias, kRowRates, 16>(step, begin, end, p);
    case 32: return sgd_run<Group, kBias, kRowRates, 32>(step, begin, end, p);
    case 64: return sgd_run<Group, kBias, kRowRates, 64>(step, begin, end, p);
    case 128: return sgd_run<Group, kBias, kRowRates, 128>(step, begin, end, p);
    default: return sgd_run<Group, kBias, kRowRates, 0>(step, begin, end, p);
  }
}

template <class Group, class R>
[[gnu::always_inline]] inline void sgd_run(const SgdStep& step, bool bias, const R* begin, const R* end,
                                           BlockParams<float> p) {
  const bool row_rates = p.user_rates != nullptr;
  if (bias) {
    if (row_rates) sgd_run<Group, true, true>(step, begin, end, p);
    else sgd_run<Group, true, false>(step, begin, end, p);
  } else {
    if (row_rates) sgd_run<Group, false, true>(step, begin, end, p);
    else sgd_run<Group, false, false>(step, begin, end, p);
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

SgdBlockFn sgd_block_fn(KernelIsa isa) {
  switch (isa) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    case KernelIsa::Avx512: return sgd_block_avx512;
    case KernelIsa::Avx2: return sgd_block_avx2;
#endif
    default: return sgd_block_baseline;
  }
}

}  // namespace

// Compiled for AVX-512, for AVX2+FMA and for baseline x86-64; the CPU picks
// at load time. (The dot product alone needs no per-target type.)
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MFREC_KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MFREC_KERNEL_CLONES
#endif

bool cpu_runs(KernelIsa isa) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  switch (isa) {
    case KernelIsa::Avx512: return __builtin_cpu_supports("x86-64-v4");
    case KernelIsa::Avx2: return __builtin_cpu_supports("x86-64-v3");
    default: return true;
  }
#else
  return isa == KernelIsa::Baseline;  // the only variant compiled
#endif
}

void sgd_block(KernelIsa isa, const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid,
               std::uint32_t block) {
  sgd_block_fn(isa)(step, bias, state, grid, block);
}

namespace {
// The widest variant this CPU runs, decided once.
KernelIsa best_isa() {
  static const KernelIsa isa = cpu_runs(KernelIsa::Avx512) ? KernelIsa::Avx512
                               : cpu_runs(KernelIsa::Avx2) ? KernelIsa::Avx2
                                                           : KernelIsa::Baseline;
  return isa;
}
}  // namespace

void sgd_block(const SgdStep& step, bool bias, TrainState& state, const BlockGrid& grid, std::uint32_t block) {
  static const SgdBlockFn best = sgd_block_fn(best_isa());
  best(step, bias, state, grid, block);
}

MFREC_KERNEL_CLONES
FitSums fit_block(const FitContext& context, const TrainState& state, const BlockGrid& grid, std::uint32_t block,
                  const GradientPass* gradients) {
  const auto p = block_params(state, grid, block);
  const std::size_t first = grid.block_begin[block], last = grid.block_begin[block + 1];
  const std::size_t stride = state.u.stride();
  std::optional<GradientPass> slice;
  if (gradients) slice = block_gradients(*gradients, block_origin(grid, block));
  const GradientPass* g = slice ? &*slice : nullptr;
  if (grid.compact) return fit_run(context, stride, grid.compact_ratings() + first, grid.compact_ratings() + last, p, g);
  return fit_run(context, stride, grid.ratings.data() + first, grid.ratings.data() + last, p, g);
}

}  // namespace mfrec::detail

namespace mfrec {

const char* sgd_kernel_name() {
  switch (detail::best_isa()) {
    case detail::KernelIsa::Avx512: return "AVX-512";
    case detail::KernelIsa::Avx2: return "AVX2+FMA";
    default: return "baseline";
  }
}

}  // namespace mfrec
