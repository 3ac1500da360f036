// mfrec tune: the successive-halving schedule by hand, the drawn trials
// (seeded, in range, two digits, fixed options never varied), and a whole
// search whose reported scores are exactly cross_validate()'s.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/train/tune.hpp"
#include "util/synthetic.hpp"

namespace mfrec {
namespace {

using Names = std::vector<std::string>;

Dataset small_synthetic() {
  SyntheticSpec s;
  s.users = 80;
  s.items = 60;
  s.rank = 3;
  s.ratings = 1500;
  s.seed = 5;
  return make_synthetic(s);
}

// Rating defaults, but few epochs: rungs of 1, 3 and 9 epochs for 9 trials.
TrainOptions quick_base() {
  TrainOptions o;
  o.epochs = 9;
  o.threads = 1;
  return o;
}

TuneOptions quick_tune(std::uint64_t seed = 42) {
  TuneOptions t;
  t.trials = 9;
  t.folds = 3;
  t.seed = seed;
  return t;
}

void expect_schedule(std::uint32_t trials, std::uint32_t epochs, const std::vector<Rung>& want) {
  const std::vector<Rung> got = rung_schedule(trials, epochs);
  ASSERT_EQ(got.size(), want.size()) << trials << " trials, " << epochs << " epochs";
  for (std::size_t r = 0; r < want.size(); ++r) {
    EXPECT_EQ(got[r].epochs, want[r].epochs) << "rung " << r << " of " << trials << "/" << epochs;
    EXPECT_EQ(got[r].trials, want[r].trials) << "rung " << r << " of " << trials << "/" << epochs;
  }
}

TEST(TuneSchedule, RungsByHand) {
  // ⌊log₃ 16⌋ = 2: 60/9 = 6.7 → 7 epochs, 60/3 = 20, 60; 16, ⌈16/3⌉ = 6, ⌈6/3⌉ = 2 trials.
  expect_schedule(16, 60, {{7, 16}, {20, 6}, {60, 2}});
  // ⌊log₃ 27⌋ = 3: 60/27 = 2.2 → 2.
  expect_schedule(27, 60, {{2, 27}, {7, 9}, {20, 3}, {60, 1}});
  // Few epochs cap the rungs: ⌊log₃ 10⌋ = 2, ⌊log₃ 2⌋ = 0.
  expect_schedule(16, 10, {{1, 16}, {3, 6}, {10, 2}});
  expect_schedule(16, 2, {{2, 16}});
  // Fewer than three trials: one rung at the full epochs.
  expect_schedule(1, 60, {{60, 1}});
  expect_schedule(2, 60, {{60, 2}});
  expect_schedule(3, 60, {{20, 3}, {60, 1}});
}

TEST(TuneSchedule, NoTrialsIsAUsageError) {
  try {
    rung_schedule(0, 60);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_STREQ(e.what(), "--trials must be at least 1");
  }
}

TEST(TuneDraws, RoundToTwoSignificantDigits) {
  EXPECT_EQ(round_to_two_digits(0.0123456), 0.012);
  EXPECT_EQ(round_to_two_digits(0.00078449), 0.00078);
  EXPECT_EQ(round_to_two_digits(0.0996), 0.1);
  EXPECT_EQ(round_to_two_digits(0.3), 0.3);
  EXPECT_EQ(round_to_two_digits(1.25), 1.3);
  EXPECT_EQ(round_to_two_digits(1234.0), 1200.0);
  EXPECT_EQ(round_to_two_digits(0.0), 0.0);
}

TEST(TuneDraws, SearchesOnlyWhatAppliesAndIsNotFixed) {
  const TrainOptions rating;
  EXPECT_EQ(searched_options(rating, {}), (Names{"k", "lambda", "lr", "epochs"}));
  EXPECT_EQ(searched_options(rating, {"k", "epochs", "bias"}), (Names{"lambda", "lr"}));
  // α means nothing to ALS: the confidence is searched instead.
  const TrainOptions implicit = TrainOptions::defaults_for(Objective::Implicit);
  EXPECT_EQ(searched_options(implicit, {}), (Names{"k", "lambda", "epochs", "confidence"}));
}

TEST(TuneDraws, SameSeedSameTrialsOtherSeedOtherTrials) {
  const TrainOptions base;
  const Names searched = searched_options(base, {});
  const std::vector<TrainOptions> a = draw_trials(base, searched, 16, 42);
  const std::vector<TrainOptions> b = draw_trials(base, searched, 16, 42);
  const std::vector<TrainOptions> c = draw_trials(base, searched, 16, 43);
  std::size_t differ = 0;
  for (std::size_t t = 0; t < a.size(); ++t) {
    EXPECT_EQ(a[t].factors, b[t].factors);
    EXPECT_EQ(a[t].lambda, b[t].lambda);
    EXPECT_EQ(a[t].lr, b[t].lr);
    differ += a[t].lambda != c[t].lambda || a[t].lr != c[t].lr;
  }
  EXPECT_GE(differ, 15u);
}

TEST(TuneDraws, ValuesStayInTheirRangeAroundTheBase) {
  TrainOptions base;
  base.factors = 32;  // k may go up to twice the base: 16, 32 or 64
  base.lambda = 0.2;
  base.lr = 0.01;
  std::set<std::uint32_t> ks;
  for (const TrainOptions& t : draw_trials(base, searched_options(base, {}), 200, 7)) {
    ks.insert(t.factors);
    EXPECT_GE(t.lambda, 0.05);
    EXPECT_LE(t.lambda, 0.8);
    EXPECT_GE(t.lr, 0.0025);
    EXPECT_LE(t.lr, 0.04);
    EXPECT_EQ(round_to_two_digits(t.lambda), t.lambda);
    EXPECT_EQ(round_to_two_digits(t.lr), t.lr);
    EXPECT_EQ(t.epochs, base.epochs);  // the rungs set the epochs
  }
  EXPECT_EQ(ks, (std::set<std::uint32_t>{16, 32, 64}));
}

TEST(TuneDraws, FixedOptionsAreNeverVariedAndLeaveTheOtherDrawsAlone) {
  TrainOptions base;
  base.factors = 24;
  const std::vector<TrainOptions> free = draw_trials(base, searched_options(base, {}), 20, 42);
  const std::vector<TrainOptions> fixed = draw_trials(base, searched_options(base, {"k", "lr"}), 20, 42);
  for (std::size_t t = 0; t < fixed.size(); ++t) {
    EXPECT_EQ(fixed[t].factors, 24u);
    EXPECT_EQ(fixed[t].lr, base.lr);
    EXPECT_EQ(fixed[t].lambda, free[t].lambda);
  }
}

TEST(Tune, ReportedScoresAreCrossValidateOfTheSameOptionsAndFolds) {
  const Dataset d = small_synthetic();
  const TuneResult r = tune(d, quick_base(), quick_tune());
  ASSERT_EQ(r.rungs.size(), 3u);
  ASSERT_EQ(r.records.size(), 9u + 3u + 1u + 1u);  // and the base at the last rung
  for (const TuneRecord& record : r.records) EXPECT_EQ(record.options.epochs, r.rungs[record.rung].epochs);
  const TuneRecord& best = r.records[r.best];
  const CrossValidation hand = cross_validate(d, best.options, 3, 42);
  EXPECT_EQ(best.cv.rmse_mean, hand.rmse_mean);
  ASSERT_EQ(best.cv.folds.size(), hand.folds.size());
  for (std::size_t f = 0; f < hand.folds.size(); ++f) EXPECT_EQ(best.cv.folds[f].rmse, hand.folds[f].rmse);
  // Epochs searched: the best of every rung's records.
  for (const TuneRecord& record : r.records) EXPECT_FALSE(record.cv.better_than(best.cv, Objective::Rating));
}

TEST(Tune, EachRungKeepsTheBestThirdInTrialOrderAndTheBaseIsScoredLast) {
  const TuneResult r = tune(small_synthetic(), quick_base(), quick_tune());
  std::vector<TuneRecord> first(r.records.begin(), r.records.begin() + 9);
  for (std::size_t t = 0; t < 9; ++t) EXPECT_EQ(first[t].trial, t + 1);
  std::stable_sort(first.begin(), first.end(),
                   [](const TuneRecord& x, const TuneRecord& y) { return x.cv.rmse_mean < y.cv.rmse_mean; });
  std::vector<std::size_t> kept{first[0].trial, first[1].trial, first[2].trial};
  std::sort(kept.begin(), kept.end());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.records[9 + i].trial, kept[i]);
    EXPECT_EQ(r.records[9 + i].rung, 1u);
  }
  // The last rung: the base setting (trial 0) at the full epochs, then the
  // one drawn trial left.
  ASSERT_EQ(r.records.size(), 9u + 3u + 2u);
  EXPECT_EQ(r.records[12].trial, 0u);
  EXPECT_EQ(r.records[12].rung, 2u);
  EXPECT_EQ(r.records[12].options.lambda, quick_base().lambda);
  EXPECT_EQ(r.records[12].options.epochs, 9u);
}

TEST(Tune, NeverWorseThanTheBaseSetting) {
  const Dataset d = small_synthetic();
  const TuneResult r = tune(d, quick_base(), quick_tune());
  const CrossValidation base = cross_validate(d, quick_base(), 3, 42);
  EXPECT_LE(r.records[r.best].cv.rmse_mean, base.rmse_mean);
}

TEST(Tune, ReproducibleFromItsSeedForAnyThreadCount) {
  const Dataset d = small_synthetic();
  TrainOptions two_threads = quick_base();
  two_threads.threads = 2;
  const TuneResult a = tune(d, quick_base(), quick_tune());
  const TuneResult b = tune(d, two_threads, quick_tune());
  const TuneResult c = tune(d, quick_base(), quick_tune(43));
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].trial, b.records[i].trial);
    EXPECT_EQ(a.records[i].options.lambda, b.records[i].options.lambda);
    EXPECT_EQ(a.records[i].cv.rmse_mean, b.records[i].cv.rmse_mean);
  }
  EXPECT_EQ(a.best, b.best);
  EXPECT_EQ(a.trials[0].lambda, c.trials[0].lambda);  // the base
  EXPECT_NE(a.trials[1].lambda, c.trials[1].lambda);
}

TEST(Tune, FixedOptionsHoldForEveryTrialAndEpochsFixedPicksFromTheLastRung) {
  TrainOptions base = quick_base();
  base.factors = 8;
  base.bias = false;
  TuneOptions t = quick_tune();
  t.fixed = {"k", "bias", "epochs"};
  const TuneResult r = tune(small_synthetic(), base, t);
  EXPECT_EQ(r.searched, (Names{"lambda", "lr"}));
  for (const TuneRecord& record : r.records) {
    EXPECT_EQ(record.options.factors, 8u);
    EXPECT_FALSE(record.options.bias);
  }
  EXPECT_EQ(r.records[r.best].rung, r.rungs.size() - 1);
  EXPECT_EQ(r.records[r.best].options.epochs, 9u);
}

TEST(Tune, AnImplicitSearchRanksByNdcg) {
  TrainOptions base = TrainOptions::defaults_for(Objective::Implicit);
  base.epochs = 3;
  base.threads = 1;
  TuneOptions t = quick_tune();
  t.trials = 3;
  const TuneResult r = tune(small_synthetic(), base, t);
  EXPECT_EQ(r.searched, (Names{"k", "lambda", "epochs", "confidence"}));
  for (const TuneRecord& record : r.records) {
    EXPECT_EQ(record.options.lr, base.lr);
    EXPECT_LE(record.cv.ndcg_mean, r.records[r.best].cv.ndcg_mean);
  }
}

TEST(Tune, AStopRequestEndsTheSearch) {
  const std::atomic<bool> stop{true};
  TuneOptions t = quick_tune();
  t.stop = &stop;
  try {
    tune(small_synthetic(), quick_base(), t);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Interrupted);
  }
}

TEST(Tune, ADivergedTrialRanksLastAndTheSearchGoesOn) {
  TrainOptions base = quick_base();
  base.lr = 0.3;  // draws from 0.075 to 1.2: some diverge, some do not
  const TuneResult r = tune(small_synthetic(), base, quick_tune());
  const auto diverged = std::count_if(r.records.begin(), r.records.end(), [](const TuneRecord& x) { return x.diverged; });
  EXPECT_GT(diverged, 0);
  EXPECT_LT(diverged, static_cast<long>(r.records.size()));
  EXPECT_FALSE(r.records[r.best].diverged);
}

TEST(Tune, EveryTrialDivergedIsADivergedError) {
  TrainOptions base = quick_base();
  base.lr = 100;
  try {
    tune(small_synthetic(), base, quick_tune());
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Diverged);
  }
}

TEST(Tune, FewerThanTwoFoldsIsAUsageError) {
  TuneOptions t = quick_tune();
  t.folds = 1;
  EXPECT_THROW(tune(small_synthetic(), quick_base(), t), Error);
}

}  // namespace
}  // namespace mfrec
