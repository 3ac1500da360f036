// Training speed microbenchmarks (Google Benchmark); items_per_second is
// rating updates per second.
//   BM_Kernel/hot/k:K    the trainer's block pass (detail::sgd_block) on 32
//                        users x 32 items that stay in L1: the arithmetic
//   BM_Kernel/block/k:K  the same on one grid block of the 10M-rating shape
//                        (200,000 users x 20,000 items, 18 bands), laid out
//                        by the trainer's own make_grid
//   BM_Kernel/adagrad_hot, adagrad_block: the same with --optimizer
//                        adagrad's update (a rate per row)
//   BM_Epoch_1M/threads:T  one SGD epoch (every stratum, blocks in parallel)
//                        on 1M synthetic ratings, k = 32, as train() runs it
//   BM_TrainEpochWithSetup_1M/threads:T  a whole mfrec::train call of one
//                        epoch: setup and the objective pass included
// Run: build/bench/bench_kernel [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "train/block_grid.hpp"
#include "train/block_kernels.hpp"
#include "mfrec/model/model.hpp"
#include "util/random.hpp"
#include "util/synthetic.hpp"
#include "mfrec/train/trainer.hpp"

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

// A grid over synthetic ratings and the parameters it trains, initialised as
// the trainer does (N(0, 1/k²) factors, zero biases).
struct Problem {
  mfrec::detail::BlockGrid grid;
  mfrec::detail::TrainState state;
  mfrec::detail::SgdStep step;
};

Problem make_problem(const mfrec::Dataset& data, std::uint32_t bands, std::size_t k) {
  const std::uint32_t users = data.users.size(), items = data.items.size();
  Problem p{mfrec::detail::make_grid(data.ratings, {.users = users, .items = items, .bands = bands, .seed = 1}),
            {mfrec::FactorMatrix(users, k), mfrec::FactorMatrix(items, k), std::vector<float>(users, 0.0f),
             std::vector<float>(items, 0.0f), {}, {}},
            {}};
  mfrec::Rng rng(1);
  for (auto* f : {&p.state.u, &p.state.v})
    for (std::size_t r = 0; r < f->rows(); ++r) rng.fill_normal(f->row(r), k, 1.0 / static_cast<double>(k));
  double sum = 0.0;
  for (const auto& r : data.ratings) sum += r.value;
  p.step = {.lr = kLr, .lambda = kLambda, .mean = static_cast<float>(sum / static_cast<double>(data.ratings.size())),
            .stride = p.state.u.stride(), .lambda_bias = kLambda};
  return p;
}

// `users` x `items` with `ratings` ratings: one block's worth.
struct BlockShape {
  std::uint32_t users, items;
  std::uint64_t ratings;
};

constexpr BlockShape kHot{32, 32, 512};

// One block of the trainer's grid for a data set of this shape: the same
// band count, hence ratings, users and items per block.
BlockShape trainer_block(std::uint32_t users, std::uint32_t items, std::uint64_t ratings) {
  const std::uint32_t bands = mfrec::detail::choose_bands(ratings);
  return {users / bands, items / bands, ratings / (std::uint64_t{bands} * bands)};
}

// row_rates: AdaGrad's update, each row with its own rate (all kLr here).
void BM_Kernel(benchmark::State& state, BlockShape shape, bool row_rates) {
  const mfrec::Dataset data = mfrec::make_synthetic(ratings_spec(shape.users, shape.items, shape.ratings));
  Problem p = make_problem(data, 1, static_cast<std::size_t>(state.range(0)));
  if (row_rates) {
    p.state.user_rates.assign(p.state.u.rows(), {kLr, kLr, 1.0f - kLr * kLambda, 1.0f - kLr * kLambda});
    p.state.item_rates.assign(p.state.v.rows(), {kLr, kLr, 1.0f - kLr * kLambda, 1.0f - kLr * kLambda});
  }
  for (auto _ : state) {
    mfrec::detail::sgd_block(p.step, true, p.state, p.grid, 0);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.grid.size()));
}
BENCHMARK_CAPTURE(BM_Kernel, hot, kHot, false)->ArgName("k")->RangeMultiplier(2)->Range(8, 128);
BENCHMARK_CAPTURE(BM_Kernel, block, trainer_block(200'000, 20'000, 10'000'000), false)
    ->ArgName("k")
    ->RangeMultiplier(2)
    ->Range(8, 128);
BENCHMARK_CAPTURE(BM_Kernel, adagrad_hot, kHot, true)->ArgName("k")->RangeMultiplier(2)->Range(8, 128);
BENCHMARK_CAPTURE(BM_Kernel, adagrad_block, trainer_block(200'000, 20'000, 10'000'000), true)
    ->ArgName("k")
    ->RangeMultiplier(2)
    ->Range(8, 128);

// Built once: generating 1M ratings takes longer than the epoch.
const mfrec::Dataset& ratings_1m() {
  static const mfrec::Dataset data = mfrec::make_synthetic(ratings_spec(20'000, 2'000, 1'000'000));
  return data;
}

// One epoch's SGD as train() runs it: the strata in the seeded order, the
// blocks of each on `threads` threads.
void BM_Epoch(benchmark::State& state) {
  static Problem p = make_problem(ratings_1m(), mfrec::detail::choose_bands(ratings_1m().ratings.size()), 32);
  const auto threads = static_cast<unsigned>(state.range(0));
  std::uint32_t epoch = 0;
  for (auto _ : state) {
    for (const auto& stratum : mfrec::detail::epoch_schedule(p.grid.bands, 1, ++epoch))
      mfrec::detail::parallel_for(static_cast<std::uint32_t>(stratum.size()), threads, [&](std::uint32_t i) {
        mfrec::detail::sgd_block(p.step, true, p.state, p.grid, stratum[i]);
      });
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.grid.size()));
}
BENCHMARK(BM_Epoch)
    ->Name("BM_Epoch_1M")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A whole train() call with one epoch: besides the SGD pass it times model
// setup (id maps, initialisation, the block grid) and the epoch's objective
// pass, so its rate is below the kernel's.
void BM_TrainEpochWithSetup(benchmark::State& state) {
  const mfrec::Dataset& data = ratings_1m();
  // Plain SGD, as this benchmark has always timed (AdaGrad adds a pass).
  mfrec::TrainOptions options = mfrec::TrainOptions::defaults_for(mfrec::Objective::Rating, mfrec::Optimizer::Sgd);
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
