#include "train/implicit_als.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <type_traits>

#include "mfrec/error.hpp"
#include "train/sgd_kernel.hpp"
#include "util/number_text.hpp"
#include "util/parallel.hpp"

// Vector types stay inside always-inlined helpers (see block_kernels.cpp).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace mfrec::detail {

namespace {

// Rows per task of a half-iteration (tasks are handed out one by one, so
// the skew between light and heavy rows evens out), and per chunk of the
// sums that must not depend on the thread count.
constexpr std::uint32_t kRowsPerTask = 64;
constexpr std::uint32_t kRowsPerChunk = 1024;

// The hot loops are compiled for AVX-512, for AVX2+FMA and for baseline
// x86-64, the CPU picking at load time (as block_kernels.cpp's fit_block);
// the helpers below are always inlined into each clone.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MFREC_ALS_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MFREC_ALS_CLONES
#endif

// Calls fn with the row stride as a compile-time constant for the common
// ones (16, 32, 64, 128 floats), so the loops unroll fully, or 0 (read the
// stride at run time).
template <class Fn>
[[gnu::always_inline]] inline decltype(auto) with_stride(std::size_t stride, Fn&& fn) {
  switch (stride) {
    case 16: return fn(std::integral_constant<std::size_t, 16>{});
    case 32: return fn(std::integral_constant<std::size_t, 32>{});
    case 64: return fn(std::integral_constant<std::size_t, 64>{});
    case 128: return fn(std::integral_constant<std::size_t, 128>{});
    default: return fn(std::integral_constant<std::size_t, 0>{});
  }
}

// out += a·v over the padded stride (padding stays zero).
template <std::size_t kStride>
[[gnu::always_inline]] inline void axpy(float* __restrict out, float a, const float* __restrict v, std::size_t stride) {
  if constexpr (kStride > 0) stride = kStride;
  for (std::size_t f = 0; f < stride; ++f) out[f] += a * v[f];
}

// out = G·v + λv, G symmetric: Σ_f v[f]·G_f, with no horizontal sums.
template <std::size_t kStride>
[[gnu::always_inline]] inline void gram_times(float* __restrict out, const FactorMatrix& g, float lambda,
                                              const float* __restrict v, std::size_t stride) {
  if constexpr (kStride > 0) stride = kStride;
  for (std::size_t f = 0; f < stride; ++f) out[f] = lambda * v[f];
  for (std::size_t f = 0; f < g.k(); ++f) axpy<kStride>(out, v[f], g.row(f), stride);
}

// out = Σ_e weight(e, y_e·v)·y_e over the interactions [first, last), v
// fixed: the pass over a row's interactions that every CG step makes. With
// the stride known, the sum stays in registers; the next rows are
// prefetched, as the other side's rows come in no useful order.
template <std::size_t kStride, class Weight>
[[gnu::always_inline]] inline void accumulate(float* __restrict out, const float* __restrict v, const FactorMatrix& y,
                                              const Interaction* first, const Interaction* last, Weight weight) {
  constexpr std::size_t kAhead = 4;
  auto prefetch = [&](const Interaction* e) {
    if (e < last) {
      const char* row = reinterpret_cast<const char*>(y.row(e->col));
      for (std::size_t b = 0; b < y.stride() * sizeof(float); b += 64) __builtin_prefetch(row + b);
    }
  };
  if constexpr (kStride == 0) {
    for (const Interaction* e = first; e != last; ++e) {
      prefetch(e + kAhead);
      const float* row = y.row(e->col);
      axpy<0>(out, weight(*e, dot_padded(row, v, y.stride())), row, y.stride());
    }
  } else {
    constexpr std::size_t kVectors = kStride / 16;
    Lanes16 acc[kVectors];
    std::memcpy(acc, out, sizeof acc);
    for (const Interaction* e = first; e != last; ++e) {
      prefetch(e + kAhead);
      const float* row = y.row(e->col);
      const float w = weight(*e, dot_padded<kStride>(row, v, kStride));
      for (std::size_t j = 0; j < kVectors; ++j) {
        Lanes16 part;
        std::memcpy(&part, row + 16 * j, sizeof part);
        acc[j] += w * part;
      }
    }
    std::memcpy(out, acc, sizeof acc);
  }
}

// Conjugate gradient on A x = b, A = YᵀY + Σ(c − 1) y yᵀ + λI, b = Σ c·p·y,
// from the current x: r = b − A x, then `steps` steps. A is never formed;
// A·v costs O(k² + k·n).
template <std::size_t kStride>
[[gnu::always_inline]] inline void cg_row(float* __restrict x, const FixedSide& side, const Interaction* first,
                                          const Interaction* last, CgScratch& scratch) {
  const std::size_t stride = kStride > 0 ? kStride : side.y.stride();
  float* __restrict r = scratch.r();
  float* __restrict p = scratch.p();
  float* __restrict ap = scratch.ap();
  gram_times<kStride>(ap, side.gram, side.lambda, x, stride);
  for (std::size_t f = 0; f < stride; ++f) r[f] = -ap[f];
  accumulate<kStride>(r, x, side.y, first, last,
                      [](const Interaction& e, float s) { return e.target() - (e.confidence() - 1.0f) * s; });
  std::copy_n(r, stride, p);
  float rs = dot_padded<kStride>(r, r, stride);
  for (unsigned step = 0; step < side.steps && rs > 1e-20f; ++step) {
    gram_times<kStride>(ap, side.gram, side.lambda, p, stride);
    accumulate<kStride>(ap, p, side.y, first, last,
                        [](const Interaction& e, float s) { return (e.confidence() - 1.0f) * s; });
    const float p_ap = dot_padded<kStride>(p, ap, stride);
    if (!(p_ap > 0.0f)) break;  // A is positive definite; this is rounding at the solution
    const float a = rs / p_ap;
    axpy<kStride>(x, a, p, stride);
    axpy<kStride>(r, -a, ap, stride);
    const float rs_next = dot_padded<kStride>(r, r, stride);
    const float beta = rs_next / rs;
    for (std::size_t f = 0; f < stride; ++f) p[f] = r[f] + beta * p[f];
    rs = rs_next;
  }
}

template <std::size_t kStride>
[[gnu::always_inline]] inline void solve_task_for(FactorMatrix& x, const FixedSide& side, const InteractionRows& rows,
                                                  std::uint32_t first, std::uint32_t last, std::uint32_t keep_empty_below,
                                                  CgScratch& scratch) {
  const Interaction* entries = rows.entries.data();
  for (std::uint32_t u = first; u < last; ++u) {
    if (u < keep_empty_below && rows.offsets[u] == rows.offsets[u + 1]) continue;
    cg_row<kStride>(x.row(u), side, entries + rows.offsets[u], entries + rows.offsets[u + 1], scratch);
  }
}

MFREC_ALS_CLONES
void solve_task(FactorMatrix& x, const FixedSide& side, const InteractionRows& rows, std::uint32_t first,
                std::uint32_t last, std::uint32_t keep_empty_below, CgScratch& scratch) {
  with_stride(x.stride(), [&](auto stride) __attribute__((always_inline)) {
    solve_task_for<stride()>(x, side, rows, first, last, keep_empty_below, scratch);
  });
}

// Σ y yᵀ over rows [first, last) of y, in float (a chunk is short), into
// `acc` (k x stride, zero on entry).
MFREC_ALS_CLONES
void gram_chunk(const FactorMatrix& y, std::size_t first, std::size_t last, FactorMatrix& acc) {
  with_stride(y.stride(), [&](auto stride) __attribute__((always_inline)) {
    for (std::size_t i = first; i < last; ++i) {
      const float* row = y.row(i);
      for (std::size_t a = 0; a < y.k(); ++a) axpy<stride()>(acc.row(a), row[a], row, y.stride());
    }
  });
}

// Σ_observed [c(p − s)² − s²] + Σ_u x_uᵀ(YᵀY + λI)x_u over users
// [first, last).
template <std::size_t kStride>
[[gnu::always_inline]] inline double objective_for(const FactorMatrix& x, const FixedSide& side,
                                                   const InteractionRows& by_user, std::uint32_t first,
                                                   std::uint32_t last, float* scratch) {
  const std::size_t stride = kStride > 0 ? kStride : x.stride();
  double sum = 0.0;
  for (std::uint32_t u = first; u < last; ++u) {
    const float* xu = x.row(u);
    for (auto k = by_user.offsets[u]; k < by_user.offsets[u + 1]; ++k) {
      const Interaction& e = by_user.entries[k];
      const double s = dot_padded<kStride>(xu, side.y.row(e.col), stride);
      const double p = e.weight > 0.0f ? 1.0 : 0.0;
      sum += e.confidence() * (p - s) * (p - s) - s * s;
    }
    gram_times<kStride>(scratch, side.gram, side.lambda, xu, stride);
    sum += dot_padded<kStride>(xu, scratch, stride);
  }
  return sum;
}

MFREC_ALS_CLONES
double objective_chunk(const FactorMatrix& x, const FixedSide& side, const InteractionRows& by_user,
                       std::uint32_t first, std::uint32_t last, float* scratch) {
  return with_stride(x.stride(), [&](auto stride) __attribute__((always_inline)) {
    return objective_for<stride()>(x, side, by_user, first, last, scratch);
  });
}

// Chunks of kRowsPerChunk rows of `rows`, summed by fn(first, last, worker)
// on `threads` threads and added in chunk order.
template <class Fn>
double chunked_sum(std::size_t rows, unsigned threads, Fn&& fn) {
  std::vector<double> parts((rows + kRowsPerChunk - 1) / kRowsPerChunk, 0.0);
  parallel_for(static_cast<std::uint32_t>(parts.size()), threads, [&](std::uint32_t c, unsigned worker) {
    parts[c] = fn(std::size_t{c} * kRowsPerChunk, std::min(rows, (std::size_t{c} + 1) * kRowsPerChunk), worker);
  });
  return std::accumulate(parts.begin(), parts.end(), 0.0);
}

// 1 + α·|r| as the signed weight; throws when it is not a finite float.
float interaction_weight(float value, double alpha) {
  const auto c = static_cast<float>(1.0 + alpha * std::fabs(static_cast<double>(value)));
  if (!std::isfinite(c))
    throw Error(ErrorKind::Data, "an interaction's confidence 1 + " + shortest(alpha) + " × " + shortest(value) +
                                     " is not a finite number; use a smaller --confidence");
  return value > 0.0f ? c : -c;
}

}  // namespace

Interactions make_interactions(const std::vector<Rating>& ratings, std::uint32_t users, std::uint32_t items,
                               double alpha) {
  Interactions out;
  InteractionRows& by_user = out.by_user;
  InteractionRows& by_item = out.by_item;
  by_user.offsets.assign(std::size_t{users} + 1, 0);
  by_item.offsets.assign(std::size_t{items} + 1, 0);
  for (const Rating& r : ratings) {
    if (r.value == 0.0f) continue;
    ++by_user.offsets[r.user + 1];
    ++by_item.offsets[r.item + 1];
  }
  std::partial_sum(by_user.offsets.begin(), by_user.offsets.end(), by_user.offsets.begin());
  std::partial_sum(by_item.offsets.begin(), by_item.offsets.end(), by_item.offsets.begin());
  by_user.entries.resize(by_user.offsets.back());
  by_item.entries.resize(by_item.offsets.back());
  // Ratings come by (user, item): filling by_item in their order leaves
  // each item's users ascending too.
  std::vector<std::uint64_t> next_of_item(by_item.offsets.begin(), by_item.offsets.end() - 1);
  std::size_t next = 0;
  for (const Rating& r : ratings) {
    if (r.value == 0.0f) continue;
    const float w = interaction_weight(r.value, alpha);
    by_user.entries[next++] = {r.item, w};
    by_item.entries[next_of_item[r.item]++] = {r.user, w};
  }
  return out;
}

double scaled_lambda(double lambda, const InteractionRows& rows) {
  double energy = 0.0;  // Σ c·p², in the rows' order: the same for any thread count
  for (const Interaction& e : rows.entries) energy += e.target();
  return lambda * std::sqrt(std::max(1.0, energy));
}

FactorMatrix gram(const FactorMatrix& y, unsigned threads) {
  const std::size_t k = y.k();
  const std::size_t chunks = (y.rows() + kRowsPerChunk - 1) / kRowsPerChunk;
  std::vector<FactorMatrix> parts(chunks);
  parallel_for(static_cast<std::uint32_t>(chunks), threads, [&](std::uint32_t c) {
    parts[c] = FactorMatrix(k, k);
    gram_chunk(y, std::size_t{c} * kRowsPerChunk, std::min(y.rows(), (std::size_t{c} + 1) * kRowsPerChunk), parts[c]);
  });
  std::vector<double> total(k * k, 0.0);
  for (const FactorMatrix& part : parts)
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < k; ++b) total[a * k + b] += part.row(a)[b];
  FactorMatrix g(k, k);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) g.row(a)[b] = static_cast<float>(total[a * k + b]);
  return g;
}

void solve_row(float* x, const FixedSide& side, const Interaction* first, const Interaction* last,
               CgScratch& scratch) {
  cg_row<0>(x, side, first, last, scratch);
}

void solve_rows(FactorMatrix& x, const FixedSide& side, const InteractionRows& rows, unsigned threads,
                const std::atomic<bool>* stop, std::uint32_t keep_empty_below) {
  const std::uint32_t n = rows.rows();
  const std::uint32_t tasks = (n + kRowsPerTask - 1) / kRowsPerTask;
  threads = std::max(1u, std::min(threads, tasks));
  std::vector<CgScratch> scratch(threads, CgScratch(x.stride()));
  parallel_for(tasks, threads, [&](std::uint32_t t, unsigned worker) {
    if (stop && stop->load(std::memory_order_relaxed)) return;
    solve_task(x, side, rows, t * kRowsPerTask, std::min(n, (t + 1) * kRowsPerTask), keep_empty_below, scratch[worker]);
  });
}

double implicit_objective(const FactorMatrix& x, const FactorMatrix& y, const InteractionRows& by_user,
                          const FactorMatrix& y_gram, double lambda, unsigned threads) {
  FactorMatrix scratch(std::max(1u, threads), x.k());
  const double users = chunked_sum(x.rows(), threads, [&](std::size_t first, std::size_t last, unsigned worker) {
    return objective_chunk(x, FixedSide{y, y_gram, static_cast<float>(lambda), 0}, by_user,
                           static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last), scratch.row(worker));
  });
  double items_norm = 0.0;  // ‖Y‖² = trace(YᵀY)
  for (std::size_t f = 0; f < y.k(); ++f) items_norm += y_gram.row(f)[f];
  return users + lambda * items_norm;
}

}  // namespace mfrec::detail
