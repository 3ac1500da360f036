// --optimizer adagrad: the update with per-row rates and the squared
// gradients behind those rates, worked out by hand (dyadic numbers, exact in
// float, compared with ==), the rates they give and the --tol stopping rule
// on a made-up objective sequence. The same model for any thread count:
// test_block_grid.cpp, for both optimizers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "mfrec/train/trainer.hpp"
#include "train/adagrad.hpp"
#include "train/block_grid.hpp"
#include "train/block_kernels.hpp"
#include "train/sgd_kernel.hpp"
#include "train/stopping_rule.hpp"
#include "util/random.hpp"
#include "util/synthetic.hpp"

namespace mfrec {
namespace {

using detail::RowRate;

// One user and one item of k = 2: U = (1, 0.5), V = (0.5, −1), b = 0.25,
// c = −0.5, μ = 0.5; rating 2. U·V = 0, r̂ = 0.25, e = 1.75, 2e = 3.5.
struct OneRating {
  detail::TrainState s{FactorMatrix(1, 2), FactorMatrix(1, 2), {0.25f}, {-0.5f}, {}, {}};
  OneRating() {
    s.u.row(0)[0] = 1.0f, s.u.row(0)[1] = 0.5f;
    s.v.row(0)[0] = 0.5f, s.v.row(0)[1] = -1.0f;
  }
};

TEST(AdaGradStep, UpdateWithEachRowsRatesByHand) {
  OneRating r;
  const detail::SgdStep step{/*lr=*/1.0f, /*lambda=*/0.5f, /*mean=*/0.5f, r.s.u.stride(), /*lambda_bias=*/0.5f};
  // Rates are given; lr and λ_b are not used. keep = what a factor (or
  // bias) keeps of itself: 1/(1 + rate·penalty).
  const RowRate user{/*factor=*/0.25f, /*bias=*/0.125f, /*keep=*/0.75f, /*bias_keep=*/0.5f};
  const RowRate item{/*factor=*/0.5f, /*bias=*/0.25f, /*keep=*/0.5f, /*bias_keep=*/0.75f};
  const float e = step.update<true>(2.0f, r.s.u.row(0), r.s.v.row(0), &r.s.bu[0], &r.s.bv[0], user, item);
  EXPECT_EQ(e, 1.75f);
  // U = keep_u·U + (rate_u·2e)·V = 0.75·(1, 0.5) + 0.875·(0.5, −1) = (1.1875, −0.5)
  EXPECT_EQ(r.s.u.row(0)[0], 1.1875f);
  EXPECT_EQ(r.s.u.row(0)[1], -0.5f);
  // V = keep_v·V + (rate_v·2e)·U_new = 0.5·(0.5, −1) + 1.75·(1.1875, −0.5) = (2.328125, −1.375)
  EXPECT_EQ(r.s.v.row(0)[0], 2.328125f);
  EXPECT_EQ(r.s.v.row(0)[1], -1.375f);
  // b = bias_keep·b + rate_b·2e = 0.5·0.25 + 0.125·3.5 = 0.5625
  // c = 0.75·(−0.5) + 0.25·3.5 = 0.5
  EXPECT_EQ(r.s.bu[0], 0.5625f);
  EXPECT_EQ(r.s.bv[0], 0.5f);
}

// `--optimizer sgd` keeps its models bit for bit because its factors' update
// is this one with every rate α and keep 1 − αλ, computed the same way (the
// biases differ: AdaGrad shrinks them in closed form).
TEST(AdaGradStep, RatesAllAlphaAreTheSgdStepBitForBit) {
  FactorMatrix u(2, 40), v(2, 40);
  Rng rng(5);
  for (auto* f : {&u, &v})
    for (std::size_t i = 0; i < 2; ++i) rng.fill_normal(f->row(i), 40, 0.3);
  std::vector<float> b = {0.1f, -0.2f};
  const detail::SgdStep step{0.013f, 0.07f, 3.3f, u.stride(), 0.05f};
  const RowRate same{step.lr, step.lr, 1.0f - step.lr * step.lambda, 0.0f};
  for (int t = 0; t < 20; ++t) {
    step.update<false, 48>(4.0f, u.row(0), v.row(0), &b[0], &b[1]);
    step.update<false, 48>(4.0f, u.row(1), v.row(1), &b[0], &b[1], same, same);
  }
  // Rows 0 and 1 started apart, so compare each against its own replay.
  FactorMatrix u2(2, 40), v2(2, 40);
  Rng replay(5);
  for (auto* f : {&u2, &v2})
    for (std::size_t i = 0; i < 2; ++i) replay.fill_normal(f->row(i), 40, 0.3);
  std::vector<float> b2 = {0.1f, -0.2f};
  for (int t = 0; t < 20; ++t) {
    step.update<false, 48>(4.0f, u2.row(0), v2.row(0), &b2[0], &b2[1], same, same);
    step.update<false, 48>(4.0f, u2.row(1), v2.row(1), &b2[0], &b2[1]);
  }
  EXPECT_TRUE(u == u2 && v == v2 && b == b2);
}

TEST(AdaGradHistory, SquaredGradientsOfOneRatingByHand) {
  OneRating r;
  const detail::BlockGrid grid = detail::make_grid({{0, 0, 2.0f}}, {.users = 1, .items = 1, .bands = 1});
  // σ = 1: λ and λ_row as given.
  detail::AdaGradHistory history(1, 1, /*spread=*/1.0, /*lambda=*/0.5f, /*lambda_bias=*/0.5f, /*lambda_row=*/1.0);
  const detail::GradientPass pass = history.pass(r.s, 1);
  const detail::FitContext context{true, 0.5f, Scaler{}, 0.0f, 10.0f};
  const detail::FitSums fit = detail::fit_block(context, r.s, grid, 0, &pass);
  EXPECT_EQ(fit.raw, 1.75 * 1.75);
  // User factors: 2e·V − λU = 3.5·(0.5, −1) − 0.5·(1, 0.5) = (1.25, −3.75),
  //   mean square over k = 2: (1.5625 + 14.0625)/2 = 7.8125.
  // Item factors: 2e·U − λV = (3.5 − 0.25, 1.75 + 0.5) = (3.25, 2.25): 7.8125.
  // Biases: (2e − λ_b·b)² = 3.375² = 11.390625, (2e − λ_b·c)² = 3.75² = 14.0625.
  // Rates with σ² = 1 (no first pass), α = 0.5: 0.5/√(1 + G); the factors
  // keep 1/(1 + rate·(λ + λ_row/n)) of themselves, n = 1 rating.
  detail::TrainState rated = r.s;
  history.set_rates(0.5f, rated, 1);
  const auto rate = [](double g) { return static_cast<float>(0.5 / std::sqrt(1.0 + g)); };
  const float factor = rate(7.8125);
  EXPECT_EQ(rated.user_rates[0].factor, factor);
  EXPECT_EQ(rated.item_rates[0].factor, factor);
  EXPECT_EQ(rated.user_rates[0].bias, rate(11.390625));
  EXPECT_EQ(rated.item_rates[0].bias, rate(14.0625));
  EXPECT_EQ(rated.user_rates[0].keep, static_cast<float>(1.0 / (1.0 + factor * 1.5)));
  EXPECT_EQ(rated.user_rates[0].bias_keep, static_cast<float>(1.0 / (1.0 + rate(11.390625) * 0.5)));
  // A second pass at the same state knows n = 1, so the factors' penalty is
  // λ + λ_row/n = 1.5: 2e·V − 1.5U = (0.25, −4.25), 2e·U − 1.5V = (2.75,
  // 3.25), both of mean square 18.125/2 = 9.0625. The ratings are counted once.
  const detail::GradientPass again = history.pass(r.s, 1);
  detail::fit_block(context, r.s, grid, 0, &again);
  history.set_rates(0.5f, rated, 1);
  EXPECT_EQ(rated.user_rates[0].factor, rate(7.8125 + 9.0625));
  EXPECT_EQ(rated.item_rates[0].factor, rate(7.8125 + 9.0625));
  EXPECT_EQ(rated.user_rates[0].keep, static_cast<float>(1.0 / (1.0 + rate(7.8125 + 9.0625) * 1.5)));
}

TEST(StoppingRule, StopsOnceAnEpochGainsLessThanTolOfTheProgressSinceEpochTwo) {
  detail::StoppingRule rule(0.1);
  EXPECT_FALSE(rule.should_stop(1000.0));  // epoch 1: not a reference (it holds the mean without biases)
  EXPECT_FALSE(rule.should_stop(100.0));   // epoch 2: the reference, never a stop
  EXPECT_FALSE(rule.should_stop(60.0));    // down 40 of 40 since epoch 2
  EXPECT_FALSE(rule.should_stop(50.0));    // down 10 of 50: at least 0.1 × 50
  EXPECT_FALSE(rule.should_stop(44.0));    // down 6 of 56: at least 5.6
  EXPECT_TRUE(rule.should_stop(43.5));     // down 0.5 of 56.5: less than 5.65
}

TEST(StoppingRule, ARiseStopsAndZeroNeverDoes) {
  detail::StoppingRule rising(0.001);
  EXPECT_FALSE(rising.should_stop(10.0));
  EXPECT_FALSE(rising.should_stop(11.0));  // epoch 2 never stops
  EXPECT_TRUE(rising.should_stop(11.5));
  detail::StoppingRule off(0.0);
  for (double objective : {10.0, 10.0, 11.0, 9.0, 9.0}) EXPECT_FALSE(off.should_stop(objective));
}

TEST(AdaGradTraining, TolStopsTrainingAndTheSummarySaysSo) {
  const Dataset d = make_synthetic({.users = 300, .items = 200, .ratings = 15000});
  TrainOptions o;
  o.factors = 8;
  o.tol = 0.01;
  std::vector<double> objectives;
  const Model m = train({&d}, o, [&](const EpochReport& r) { objectives.push_back(r.objective); });
  ASSERT_GE(objectives.size(), 2u);
  EXPECT_LT(objectives.size(), o.epochs);
  EXPECT_TRUE(m.summary.converged);
  EXPECT_EQ(m.summary.epochs_run, objectives.size());
  const std::size_t n = objectives.size();
  ASSERT_GE(n, 3u);
  EXPECT_LT(objectives[n - 2] - objectives[n - 1], o.tol * (objectives[1] - objectives[n - 1]));
  for (std::size_t e = 2; e + 1 < n; ++e)
    EXPECT_GE(objectives[e - 1] - objectives[e], o.tol * (objectives[1] - objectives[e]));
}

}  // namespace
}  // namespace mfrec
