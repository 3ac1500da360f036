// Min-max scaling onto [0, 5]: exact values, round trips, the refusal of a
// range of one value, and what normalization means for a trained model
// (training on [0, 5], every prediction back on the input's scale).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "mfrec/model/dataset.hpp"
#include "mfrec/error.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/model/scaler.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec {
namespace {

// The seed's example (data/music.csv), 0 = not rated, every rating times
// `factor`.
Dataset music(float factor) {
  static const char* const users[] = {"Darth Vader", "Hermione", "Ripley", "Spock"};
  static const int r[4][12] = {
      {4, 4, 2, 0, 1, 2, 2, 0, 0, 4, 0, 5},
      {1, 0, 5, 0, 5, 2, 2, 5, 5, 2, 2, 1},
      {5, 5, 2, 1, 2, 3, 4, 4, 0, 5, 5, 4},
      {2, 0, 5, 5, 5, 4, 3, 2, 3, 4, 2, 0},
  };
  Dataset d;
  d.source = "music";
  for (const char* u : users) d.users.intern(u);
  for (int i = 0; i < 12; ++i) d.items.intern("item" + std::to_string(i));
  for (std::uint32_t u = 0; u < 4; ++u)
    for (std::uint32_t i = 0; i < 12; ++i)
      if (r[u][i] != 0) d.ratings.push_back({u, i, static_cast<float>(r[u][i]) * factor});
  return d;
}

TEST(Scaler, MapsOneToFiveOntoZeroToFiveExactly) {
  const Scaler s = Scaler::fit({1.0f, 5.0f});
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 5.0);
  // forward(x) = (x − 1)·5/4 = (x − 1)·1.25, exact in binary.
  EXPECT_EQ(s.forward(1.0), 0.0);
  EXPECT_EQ(s.forward(2.0), 1.25);
  EXPECT_EQ(s.forward(3.0), 2.5);
  EXPECT_EQ(s.forward(4.0), 3.75);
  EXPECT_EQ(s.forward(5.0), 5.0);
  // inverse(y) = y·4/5 + 1; 4/5 is not exact in binary, so allow a few ulps.
  EXPECT_DOUBLE_EQ(s.inverse(0.0), 1.0);
  EXPECT_DOUBLE_EQ(s.inverse(1.25), 2.0);
  EXPECT_DOUBLE_EQ(s.inverse(2.5), 3.0);
  EXPECT_DOUBLE_EQ(s.inverse(5.0), 5.0);
  // One training unit is 0.8 rating points.
  EXPECT_DOUBLE_EQ(s.unit(), 0.8);
  // Values outside the fitted range extrapolate on the same line.
  EXPECT_EQ(s.forward(0.0), -1.25);
  EXPECT_DOUBLE_EQ(s.inverse(6.25), 6.0);
}

TEST(Scaler, MapsTenToFiftyOntoZeroToFive) {
  const Scaler s = Scaler::fit({10.0f, 50.0f});
  // forward(x) = (x − 10)·5/40 = (x − 10)/8.
  EXPECT_EQ(s.forward(10.0), 0.0);
  EXPECT_EQ(s.forward(30.0), 2.5);
  EXPECT_EQ(s.forward(50.0), 5.0);
  EXPECT_DOUBLE_EQ(s.inverse(2.5), 30.0);
  EXPECT_DOUBLE_EQ(s.unit(), 8.0);
}

TEST(Scaler, ForwardThenInverseRoundTrips) {
  for (const auto& range : {RatingRange{1.0f, 5.0f}, RatingRange{-3.5f, 12.25f}, RatingRange{0.5f, 0.5001f}}) {
    const Scaler s = Scaler::fit(range);
    const double width = static_cast<double>(range.max) - range.min;
    for (int step = -4; step <= 24; ++step) {
      const double x = range.min + width * step / 20.0;
      EXPECT_NEAR(s.inverse(s.forward(x)), x, 1e-12 * (1.0 + std::fabs(x)))
          << "range " << range.min << ".." << range.max;
      const double y = Scaler::kTargetMax * step / 20.0;
      EXPECT_NEAR(s.forward(s.inverse(y)), y, 1e-9) << "range " << range.min << ".." << range.max;
    }
  }
}

TEST(Scaler, RefusesRatingsThatAreAllEqual) {
  try {
    (void)Scaler::fit({3.0f, 3.0f});
    FAIL() << "fit accepted a range of one value";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    EXPECT_NE(std::string(e.what()).find("normalize"), std::string::npos) << e.what();
  }
}

TEST(Scaler, DisabledScalerIsTheIdentity) {
  const Scaler s;  // what a model trained without --normalize holds
  EXPECT_FALSE(s.enabled);
  for (double x : {-7.25, 0.0, 1.0, 3.3, 1e6}) {
    EXPECT_EQ(s.forward(x), x);
    EXPECT_EQ(s.inverse(x), x);
  }
  EXPECT_EQ(s.unit(), 1.0);
}

TEST(ScalerTraining, NormalizeOnAllEqualRatingsIsADataError) {
  Dataset d = music(1.0f);
  for (auto& r : d.ratings) r.value = 4.0f;
  TrainOptions o;
  o.factors = 2;
  o.epochs = 1;
  o.normalize = true;
  try {
    (void)train({&d}, o);
    FAIL() << "training normalized a range of one value";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
  }
  o.normalize = false;  // without normalization the same data is fine
  EXPECT_NO_THROW((void)train({&d}, o));
}

TEST(ScalerTraining, DataAlreadyOnZeroToFiveTrainsTheSameWithOrWithoutNormalize) {
  // With min 0 and max 5 the scaler maps x to (x − 0)·(5/5) = x exactly, so
  // normalization must change nothing but the recorded flags.
  Dataset d = music(1.0f);
  d.ratings.front().value = 0.0f;  // range [0, 5]
  TrainOptions o;
  o.factors = 3;
  o.epochs = 20;
  o.lr = 0.01;
  o.lambda = 0.02;
  const Model plain = train({&d}, o);
  o.normalize = true;
  const Model scaled = train({&d}, o);
  EXPECT_TRUE(scaled.scaler.enabled);
  EXPECT_EQ(scaled.user_factors, plain.user_factors);
  EXPECT_EQ(scaled.item_factors, plain.item_factors);
  EXPECT_EQ(scaled.user_bias, plain.user_bias);
  EXPECT_EQ(scaled.item_bias, plain.item_bias);
  EXPECT_EQ(scaled.mean, plain.mean);
}

TEST(ScalerTraining, PredictionsComeBackOnTheInputScale) {
  // The same ratings on 1..5 and on 10..50. Both map onto [0, 5] identically
  // ((x − 1)·1.25 and (10x − 10)·0.125 are exact and equal for integers), so
  // training sees the same numbers and learns bit-identical parameters; only
  // the way back differs, by a factor 10.
  const Dataset small = music(1.0f);
  const Dataset large = music(10.0f);
  TrainOptions o = TrainOptions::defaults_for(Objective::Rating, Optimizer::Sgd);
  o.factors = 5;
  o.lr = 0.01;
  o.lambda = 0.02;
  o.epochs = 500;
  o.order = Order::Sequential;
  o.normalize = true;
  const Model a = train({&small}, o);
  const Model b = train({&large}, o);

  EXPECT_EQ(b.scaler.min, 10.0);
  EXPECT_EQ(b.scaler.max, 50.0);
  EXPECT_EQ(b.rating_min, 10.0f);
  EXPECT_EQ(b.rating_max, 50.0f);
  EXPECT_EQ(a.user_factors, b.user_factors);
  EXPECT_EQ(a.item_factors, b.item_factors);
  EXPECT_EQ(a.mean, b.mean);

  double sq_raw = 0.0, sq_input = 0.0, sq_clipped = 0.0;
  for (const auto& r : large.ratings) {
    const double p = b.predict(r.user, r.item);
    sq_clipped += (r.value - b.clip(p)) * (r.value - b.clip(p));
    EXPECT_NEAR(p, 10.0 * a.predict(r.user, r.item), 1e-9);
    // The raw score lives on [0, 5]; the prediction on the data's 10..50.
    EXPECT_NEAR(b.raw_score(r.user, r.item), b.scaler.forward(p), 1e-9);
    sq_raw += (r.value - b.raw_score(r.user, r.item)) * (r.value - b.raw_score(r.user, r.item));
    sq_input += (r.value - p) * (r.value - p);
  }
  const double n = static_cast<double>(large.ratings.size());
  const double rmse_input = std::sqrt(sq_input / n);
  // 500 epochs fit 39 ratings with 5 factors closely: well under one 1..5
  // rating point, which is 10 points here, while the unscaled scores are off by
  // about the ratings themselves (tens of points).
  EXPECT_LT(rmse_input, 3.0);
  EXPECT_GT(std::sqrt(sq_raw / n), 20.0);
  // The summary reports the input scale too (of predictions clipped to the
  // ratings' range): ten times the 1..5 model's RMSE.
  EXPECT_NEAR(b.summary.train_rmse, std::sqrt(sq_clipped / n), 1e-4);
  EXPECT_NEAR(b.summary.train_rmse, 10.0 * a.summary.train_rmse, 1e-4);
}

}  // namespace
}  // namespace mfrec
