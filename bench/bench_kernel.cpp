// Training speed microbenchmarks (Google Benchmark); items_per_second is
// rating updates per second.
//   BM_Kernel/hot/k:K    the SGD kernel on 32 users x 32 items that stay in
//                        L1/L2: the arithmetic alone
//   BM_Kernel/block/k:K  the kernel over one grid block of the 10M-rating
//                        shape (200,000 users x 20,000 items), in shuffled
//                        order, as the trainer runs it
//   BM_TrainEpochWithSetup_1M/threads:T  mfrec::train for one epoch on 1M
//                        synthetic ratings, k = 32
// Run: build/bench/bench_kernel [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "block_grid.hpp"
#include "mfrec/model.hpp"
#include "mfrec/random.hpp"
#include "mfrec/synthetic.hpp"
#include "mfrec/trainer.hpp"
#include "sgd_kernel.hpp"

namespace {

// Small enough that factors stay bounded however many passes gbench runs.
constexpr float kLr = 0.001f;
constexpr float kLambda = 0.05f;

// Ratings as make_ratings writes them (rank 16, the same signal spread and
// noise), so every benchmark sees the data the speed script trains on.
mfrec::SyntheticSpec ratings_spec(std::uint32_t users, std::uint32_t items, std::uint64_t ratings) {
  mfrec::SyntheticSpec spec;
  spec.users = users;
  spec.items = items;
  spec.ratings = ratings;
  spec.rank = 16;
  spec.factor_sd = 0.5 / std::sqrt(spec.rank / 4.0);
  spec.noise_sd = 0.5;
  return spec;
}

// The ratings of one block and the matrices they live in. Rows of `u` and
// `v` are indexed by the ratings' user and item.
struct Block {
  std::vector<mfrec::Rating> ratings;
  mfrec::FactorMatrix u, v;
  std::vector<float> user_bias, item_bias;
  float mean = 0.0f;
};

// ---- The kernel, as the trainer calls it: the only code to adapt when its
// ---- signature changes.

mfrec::detail::SgdStep make_step(const Block& b) {
  return {.lr = kLr, .lambda = kLambda, .mean = b.mean, .stride = b.u.stride(), .lambda_bias = kLambda};
}

// The same clones as the trainer's sgd_pass, so the CPU runs the same code.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
void sgd_pass(const mfrec::detail::SgdStep& step, Block& b) {
  for (const mfrec::Rating& r : b.ratings)
    step.update<true>(r.value, b.u.row(r.user), b.v.row(r.item), &b.user_bias[r.user], &b.item_bias[r.item]);
}

// ---- Data.

// `users` x `items` rated cells, `ratings` of them, whose rows lie in
// matrices of `matrix_users` x `matrix_items` rows.
struct BlockShape {
  std::uint32_t users, items;
  std::uint64_t ratings;
  std::uint32_t matrix_users, matrix_items;
};

constexpr BlockShape kHot{32, 32, 512, 32, 32};

// One block of the trainer's grid for a data set of this shape: the same
// band count, hence ratings, users and items per block.
BlockShape trainer_block(std::uint32_t users, std::uint32_t items, std::uint64_t ratings) {
  const std::uint32_t bands = mfrec::detail::choose_bands(ratings);
  return {users / bands, items / bands, ratings / (std::uint64_t{bands} * bands), users, items};
}

// `n` distinct rows out of `rows`, in random order: the trainer deals rows
// into bands by a seeded shuffle, so a band's rows are spread over the whole
// matrix (which matters for the TLB and the prefetchers).
std::vector<std::uint32_t> scattered_rows(std::uint32_t n, std::uint32_t rows, mfrec::Rng& rng) {
  std::vector<std::uint32_t> all(rows);
  std::iota(all.begin(), all.end(), 0u);
  rng.shuffle(all.begin(), all.end());
  all.resize(n);
  return all;
}

// The trainer's initialisation, on the rows this block uses.
void init_rows(mfrec::FactorMatrix& m, const std::vector<std::uint32_t>& rows, mfrec::Rng& rng) {
  const double sd = 1.0 / static_cast<double>(m.k());
  for (std::uint32_t r : rows)
    for (std::size_t c = 0; c < m.k(); ++c) m.row(r)[c] = static_cast<float>(rng.normal() * sd);
}

Block make_block(const BlockShape& shape, std::size_t k) {
  const mfrec::Dataset data = mfrec::make_synthetic(ratings_spec(shape.users, shape.items, shape.ratings));
  mfrec::Rng rng(1);
  const auto user_rows = scattered_rows(shape.users, shape.matrix_users, rng);
  const auto item_rows = scattered_rows(shape.items, shape.matrix_items, rng);

  Block b;
  b.ratings.reserve(data.ratings.size());
  double sum = 0.0;
  for (const mfrec::Rating& r : data.ratings) {
    b.ratings.push_back({user_rows[r.user], item_rows[r.item], r.value});
    sum += r.value;
  }
  b.mean = static_cast<float>(sum / static_cast<double>(b.ratings.size()));
  rng.shuffle(b.ratings.begin(), b.ratings.end());
  b.u = mfrec::FactorMatrix(shape.matrix_users, k);
  b.v = mfrec::FactorMatrix(shape.matrix_items, k);
  init_rows(b.u, user_rows, rng);
  init_rows(b.v, item_rows, rng);
  b.user_bias.assign(shape.matrix_users, 0.0f);
  b.item_bias.assign(shape.matrix_items, 0.0f);
  return b;
}

// ---- Benchmarks.

void BM_Kernel(benchmark::State& state, BlockShape shape) {
  Block block = make_block(shape, static_cast<std::size_t>(state.range(0)));
  const auto step = make_step(block);
  for (auto _ : state) {
    sgd_pass(step, block);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(block.ratings.size()));
}
BENCHMARK_CAPTURE(BM_Kernel, hot, kHot)->ArgName("k")->RangeMultiplier(2)->Range(8, 128);
BENCHMARK_CAPTURE(BM_Kernel, block, trainer_block(200'000, 20'000, 10'000'000))
    ->ArgName("k")
    ->RangeMultiplier(2)
    ->Range(8, 128);

// Built once: generating 1M ratings takes longer than the epoch.
const mfrec::Dataset& ratings_1m() {
  static const mfrec::Dataset data = mfrec::make_synthetic(ratings_spec(20'000, 2'000, 1'000'000));
  return data;
}

// A whole train() call with one epoch: besides the SGD pass it times model
// setup (id maps, initialisation, the block grid) and the epoch's objective
// pass, so its rate is below the kernel's.
void BM_TrainEpochWithSetup(benchmark::State& state) {
  const mfrec::Dataset& data = ratings_1m();
  mfrec::TrainOptions options;
  options.factors = 32;
  options.epochs = 1;
  options.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    mfrec::Model model = mfrec::train(mfrec::TrainInput{.ratings = &data}, options);
    benchmark::DoNotOptimize(model);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(data.ratings.size()));
}
BENCHMARK(BM_TrainEpochWithSetup)
    ->Name("BM_TrainEpochWithSetup_1M")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();  // wall clock: the CPU time of the calling thread misses the other one

}  // namespace
