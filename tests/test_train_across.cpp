// Training across ranks (dist/epoch_across.hpp) gives every rank the model
// one process trains, byte for byte: ranks run as threads (ThreadCluster),
// the models are saved and their files compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/train/trainer.hpp"
#include "dist/epoch_across.hpp"
#include "temp_dir.hpp"
#include "thread_cluster.hpp"
#include "util/synthetic.hpp"

namespace mfrec {
namespace {

using testing::TempDir;

std::string bytes_of_model(const Model& m, const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  save_model(m, path);
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// More than 32768·(B − 1)² ratings make B bands: 4 bands here, more than
// some of the rank counts and fewer than others.
Dataset four_band_data() {
  SyntheticSpec s;
  s.users = 2000;
  s.items = 900;
  s.ratings = 300'000;
  s.seed = 3;
  return make_synthetic(s);
}

TrainOptions quick(Optimizer optimizer, unsigned threads) {
  TrainOptions o = TrainOptions::defaults_for(Objective::Rating, optimizer);
  o.factors = 8;
  o.epochs = 3;
  o.seed = 11;
  o.threads = threads;
  return o;
}

// Where two model files first differ (a model is megabytes: printing it
// would drown the report), or "equal".
std::string first_difference(const std::string& a, const std::string& b) {
  if (a == b) return "equal";
  const auto at = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return "sizes " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + ", first difference at byte " +
         std::to_string(at.first - a.begin());
}

// The model file every rank of an n-rank run trains; fails the test when
// two ranks' differ.
std::string train_on_ranks(int n, const Dataset& data, const TrainOptions& options, const TempDir& dir) {
  std::vector<std::string> files(n);
  testing::run_ranks(n, [&](const dist::Cluster& ranks) {
    TrainInput input;
    input.ratings = &data;
    input.cluster = &ranks;
    files[ranks.rank()] = bytes_of_model(train(input, options), dir, "rank" + std::to_string(ranks.rank()));
  });
  for (int r = 1; r < n; ++r) EXPECT_EQ(first_difference(files[r], files[0]), "equal") << "rank " << r << " of " << n;
  return files[0];
}

TEST(TrainAcross, BandOwnersCoverEveryBandOnceInContiguousRuns) {
  for (std::uint32_t bands : {1u, 2u, 5u, 32u})
    for (int ranks : {1, 2, 3, 7, 40}) {
      const dist::BandOwners owners(bands, ranks);
      EXPECT_EQ(owners.first(0), 0u);
      for (int r = 0; r < ranks; ++r) {
        EXPECT_LE(owners.first(r), owners.first(r + 1));
        for (std::uint32_t b = owners.first(r); b < owners.first(r + 1); ++b) EXPECT_EQ(owners.owner(b), r);
      }
      EXPECT_EQ(owners.first(ranks), bands);
      // Ranks beyond the bands run none.
      if (ranks > static_cast<int>(bands)) EXPECT_EQ(owners.first(static_cast<int>(bands)), bands);
    }
}

TEST(TrainAcross, SameModelBytesAsOneProcessForAnyRanksAndThreads) {
  const Dataset data = four_band_data();
  const TempDir dir;
  for (Optimizer optimizer : {Optimizer::Sgd, Optimizer::AdaGrad}) {
    TrainInput alone;
    alone.ratings = &data;
    const std::string expected = bytes_of_model(train(alone, quick(optimizer, 2)), dir, "alone");
    for (int n : {1, 2, 3, 5})
      for (unsigned threads : {1u, 2u})
        EXPECT_EQ(first_difference(train_on_ranks(n, data, quick(optimizer, threads), dir), expected), "equal")
            << n << " ranks, " << threads << " threads, optimizer " << static_cast<int>(optimizer);
  }
}

TEST(TrainAcross, ValidationAndEarlyStoppingAgreeWithOneProcess) {
  SyntheticSpec noisy;  // 3 bands of ratings whose noise a large model learns
  noisy.users = 2000;
  noisy.items = 1500;
  noisy.ratings = 200'000;
  noisy.noise_sd = 1.0;
  const Dataset data = make_synthetic(noisy);
  const TempDir dir;
  TrainOptions o = quick(Optimizer::AdaGrad, 2);
  o.validation_fraction = 0.2;
  o.early_stop = 1;
  o.factors = 48;  // many factors for noisy ratings: it overfits
  o.lambda = 0.005;
  o.lambda_row = 0.0;
  o.epochs = 12;
  TrainInput alone;
  alone.ratings = &data;
  const Model single = train(alone, o);
  // Early stopping went back to an earlier epoch: the snapshot path runs.
  ASSERT_LT(single.summary.best_epoch, single.summary.epochs_run);
  const std::string expected = bytes_of_model(single, dir, "alone");
  EXPECT_EQ(first_difference(train_on_ranks(3, data, o, dir), expected), "equal");
  o.optimizer = Optimizer::Sgd;
  o.lr = 0.005;
  alone.ratings = &data;
  EXPECT_EQ(first_difference(train_on_ranks(4, data, o, dir), bytes_of_model(train(alone, o), dir, "alone-sgd")),
            "equal");
}

TEST(TrainAcross, EpochReportsAreTheSameOnEveryRankAndCountBytesSent) {
  const Dataset data = four_band_data();
  std::mutex lock;
  std::vector<std::vector<EpochReport>> reports(3);
  testing::run_ranks(3, [&](const dist::Cluster& ranks) {
    TrainInput input;
    input.ratings = &data;
    input.cluster = &ranks;
    std::vector<EpochReport> mine;
    train(input, quick(Optimizer::AdaGrad, 1), [&](const EpochReport& r) { mine.push_back(r); });
    const std::lock_guard guard(lock);
    reports[ranks.rank()] = mine;
  });
  ASSERT_EQ(reports[0].size(), 3u);
  for (int r = 1; r < 3; ++r)
    for (std::size_t e = 0; e < 3; ++e) EXPECT_EQ(reports[r][e].objective, reports[0][e].objective);
  // At least the state shared at the end of a pass: all the item factors
  // (900 rows of 16 floats and a bias) from the ranks holding them.
  for (const auto& rank_reports : reports)
    for (const EpochReport& r : rank_reports) EXPECT_GT(r.bytes_sent, 0u);
}

TEST(TrainAcross, AStopOnOneRankStopsEveryRank) {
  const Dataset data = four_band_data();
  std::atomic<bool> stop_here{true};  // rank 1's signal; the others saw none
  std::vector<std::string> messages(3);
  testing::run_ranks(3, [&](const dist::Cluster& ranks) {
    std::atomic<bool> none{false};
    TrainInput input;
    input.ratings = &data;
    input.cluster = &ranks;
    input.stop = ranks.rank() == 1 ? &stop_here : &none;
    try {
      train(input, quick(Optimizer::Sgd, 1));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Interrupted);
      messages[ranks.rank()] = e.what();
    }
  });
  EXPECT_EQ(messages[0], "training interrupted in epoch 1; no model written (--save-on-interrupt keeps it)");
  EXPECT_EQ(messages[1], messages[0]);
  EXPECT_EQ(messages[2], messages[0]);
}

}  // namespace
}  // namespace mfrec
