#include "train/implicit_als.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "mfrec/error.hpp"
#include "train/sgd_kernel.hpp"
#include "util/parallel.hpp"

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
  for (const Interaction* e = first; e != last; ++e) {
    const float* y = side.y.row(e->col);
    const float s = dot_padded<kStride>(y, x, stride);
    axpy<kStride>(r, e->target() - (e->confidence() - 1.0f) * s, y, stride);
  }
  std::copy_n(r, stride, p);
  float rs = dot_padded<kStride>(r, r, stride);
  for (unsigned step = 0; step < side.steps && rs > 1e-20f; ++step) {
    gram_times<kStride>(ap, side.gram, side.lambda, p, stride);
    for (const Interaction* e = first; e != last; ++e) {
      const float* y = side.y.row(e->col);
      axpy<kStride>(ap, (e->confidence() - 1.0f) * dot_padded<kStride>(y, p, stride), y, stride);
    }
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
                                                  std::uint32_t first, std::uint32_t last, CgScratch& scratch) {
  const Interaction* entries = rows.entries.data();
  for (std::uint32_t u = first; u < last; ++u)
    cg_row<kStride>(x.row(u), side, entries + rows.offsets[u], entries + rows.offsets[u + 1], scratch);
}

MFREC_ALS_CLONES
void solve_task(FactorMatrix& x, const FixedSide& side, const InteractionRows& rows, std::uint32_t first,
                std::uint32_t last, CgScratch& scratch) {
  switch (x.stride()) {
    case 16: return solve_task_for<16>(x, side, rows, first, last, scratch);
    case 32: return solve_task_for<32>(x, side, rows, first, last, scratch);
    case 64: return solve_task_for<64>(x, side, rows, first, last, scratch);
    case 128: return solve_task_for<128>(x, side, rows, first, last, scratch);
    default: return solve_task_for<0>(x, side, rows, first, last, scratch);
  }
}

// Σ y yᵀ over rows [first, last) of y, in float (a chunk is short), into
// `acc` (k x stride, zero on entry).
MFREC_ALS_CLONES
void gram_chunk(const FactorMatrix& y, std::size_t first, std::size_t last, FactorMatrix& acc) {
  for (std::size_t i = first; i < last; ++i) {
    const float* row = y.row(i);
    for (std::size_t a = 0; a < y.k(); ++a) axpy<0>(acc.row(a), row[a], row, y.stride());
  }
}

// Σ_observed [c(p − s)² − s²] + Σ_u x_uᵀ(YᵀY)x_u + λ‖x_u‖² over users
// [first, last).
MFREC_ALS_CLONES
double objective_chunk(const FactorMatrix& x, const FactorMatrix& y, const InteractionRows& by_user,
                       const FactorMatrix& y_gram, double lambda, std::uint32_t first, std::uint32_t last,
                       float* scratch) {
  double sum = 0.0;
  const std::size_t stride = x.stride();
  for (std::uint32_t u = first; u < last; ++u) {
    const float* xu = x.row(u);
    for (auto k = by_user.offsets[u]; k < by_user.offsets[u + 1]; ++k) {
      const Interaction& e = by_user.entries[k];
      const double s = dot_padded(xu, y.row(e.col), stride);
      const double p = e.weight > 0.0f ? 1.0 : 0.0;
      sum += e.confidence() * (p - s) * (p - s) - s * s;
    }
    gram_times<0>(scratch, y_gram, static_cast<float>(lambda), xu, stride);  // (YᵀY + λI) x_u
    sum += dot_padded(xu, scratch, stride);
  }
  return sum;
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
    throw Error(ErrorKind::Data, "an interaction's confidence 1 + " + std::to_string(alpha) + " × " +
                                     std::to_string(value) + " is not a finite number; use a smaller --confidence");
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
                const std::atomic<bool>* stop) {
  const std::uint32_t n = rows.rows();
  const std::uint32_t tasks = (n + kRowsPerTask - 1) / kRowsPerTask;
  threads = std::max(1u, std::min(threads, tasks));
  std::vector<CgScratch> scratch(threads, CgScratch(x.stride()));
  parallel_for(tasks, threads, [&](std::uint32_t t, unsigned worker) {
    if (stop && stop->load(std::memory_order_relaxed)) return;
    solve_task(x, side, rows, t * kRowsPerTask, std::min(n, (t + 1) * kRowsPerTask), scratch[worker]);
  });
}

double implicit_objective(const FactorMatrix& x, const FactorMatrix& y, const InteractionRows& by_user,
                          const FactorMatrix& y_gram, double lambda, unsigned threads) {
  FactorMatrix scratch(std::max(1u, threads), x.k());
  const double users = chunked_sum(x.rows(), threads, [&](std::size_t first, std::size_t last, unsigned worker) {
    return objective_chunk(x, y, by_user, y_gram, lambda, static_cast<std::uint32_t>(first),
                           static_cast<std::uint32_t>(last), scratch.row(worker));
  });
  double items_norm = 0.0;  // ‖Y‖² = trace(YᵀY)
  for (std::size_t f = 0; f < y.k(); ++f) items_norm += y_gram.row(f)[f];
  return users + lambda * items_norm;
}

}  // namespace mfrec::detail
