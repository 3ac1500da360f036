// Fold-in of a new user: the ridge solve against normal equations worked out
// by hand and, on a random model, the exact minimiser checked by its zero
// gradient (SGD's and AdaGrad's penalties); the implicit ALS step against a
// hand solve; repeated items, the empty fallback and the normalised scale;
// recommend, predict and --explain for a view; the CLI's --ratings parsing.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <vector>

#include "given_ratings.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/fold_in.hpp"
#include "mfrec/query/predict.hpp"
#include "mfrec/query/recommend.hpp"
#include "temp_dir.hpp"
#include "util/random.hpp"

namespace mfrec {
namespace {

// Items a, b, c, d with k = 1: V = 1, 2, 0, −1; item biases 0.5, 0, 0, 0;
// mean 3; ratings 1 to 5. One user, ann (U = 1, b = 0.2), rated a and c.
// SGD with λ = 0.5, λ_b = 1.
Model hand_model() {
  Model m;
  m.options = TrainOptions::defaults_for(Objective::Rating, Optimizer::Sgd);
  m.options.factors = 1;
  m.options.lambda = 0.5;
  m.options.lambda_bias = 1.0;
  m.users.intern("ann");
  for (const char* name : {"a", "b", "c", "d"}) m.items.intern(name);
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.mean = 3.0f;
  m.rated_offsets = {0, 2};
  m.rated_items = {0, 2};
  m.item_counts = {1, 4, 1, 2};
  m.user_bias = {0.2f};
  m.item_bias = {0.5f, 0.0f, 0.0f, 0.0f};
  m.user_factors = FactorMatrix(1, 1);
  m.user_factors.row(0)[0] = 1.0f;
  m.item_factors = FactorMatrix(4, 1);
  const float v[4] = {1, 2, 0, -1};
  for (std::size_t i = 0; i < 4; ++i) m.item_factors.row(i)[0] = v[i];
  return m;
}

constexpr std::uint32_t a = 0, b = 1, c = 2, d = 3;

// Given a = 4 and b = 5: targets y = r − μ − c_i = 0.5 and 2, rows
// x = (v, 1) = (1, 1) and (2, 1); n = 2 adds λn/2 = 0.5 and λ_b·n/2 = 1 to
// the diagonal: [[5.5, 3], [3, 3]] (u, b) = (4.5, 2.5), so u = 6/7.5 = 0.8
// and b = 0.25/7.5 = 1/30.
TEST(FoldIn, RidgeSolveMatchesTheHandSolvedNormalEquations) {
  const Model m = hand_model();
  const std::vector<GivenRating> given{{a, 4.0f}, {b, 5.0f}};
  const FoldedUser user = fold_in(m, given);
  ASSERT_EQ(user.factors.size(), 1u);
  EXPECT_NEAR(user.factors[0], 0.8, 1e-6);
  EXPECT_NEAR(user.bias, 1.0 / 30.0, 1e-6);
  EXPECT_EQ(user.rated, (std::vector<std::uint32_t>{a, b}));
  EXPECT_EQ(user.ratings, (std::vector<float>{4.0f, 5.0f}));
}

// Without biases the targets are the ratings: u = Σ r·v / (Σ v² + λn/2) =
// (4·1 + 5·2) / (1 + 4 + 0.5) = 14/5.5.
TEST(FoldIn, WithoutBiasesSolvesTheFactorsAlone) {
  Model m = hand_model();
  m.options.bias = false;
  const std::vector<GivenRating> given{{a, 4.0f}, {b, 5.0f}};
  const FoldedUser user = fold_in(m, given);
  EXPECT_NEAR(user.factors[0], 14.0 / 5.5, 1e-6);
  EXPECT_EQ(user.bias, 0.0f);
}

TEST(FoldIn, AnItemGivenTwiceCountsWithItsLastRating) {
  const Model m = hand_model();
  const std::vector<GivenRating> twice{{b, 1.0f}, {a, 4.0f}, {b, 5.0f}};
  const std::vector<GivenRating> once{{a, 4.0f}, {b, 5.0f}};
  const FoldedUser folded = fold_in(m, twice);
  EXPECT_EQ(folded.factors, fold_in(m, once).factors);
  EXPECT_EQ(folded.ratings, (std::vector<float>{4.0f, 5.0f}));
}

TEST(FoldIn, NoRatingGivesTheMeanPlusItemBiasWithBiasesAndTheAverageUserWithout) {
  Model m = hand_model();
  const FoldedUser stranger = fold_in(m, {});
  std::vector<double> row;
  predict_row(m, stranger.view(), {.clip = false}, row);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(row[i], m.predict_unknown(std::nullopt, i));
  m.options.bias = false;
  EXPECT_EQ(fold_in(m, {}).factors, std::vector<float>{1.0f});  // ann is the average user
}

TEST(FoldIn, ReadsRatingsOnTheInputScaleOfANormalisedModel) {
  Model scaled = hand_model();
  scaled.scaler = Scaler{true, 1.0, 3.0};  // training scale = (r − 1) × 2.5
  scaled.rating_max = 3.0f;
  const std::vector<GivenRating> input{{a, 2.0f}, {b, 3.0f}};
  const std::vector<GivenRating> training{{a, 2.5f}, {b, 5.0f}};
  const Model plain = hand_model();
  EXPECT_EQ(fold_in(scaled, input).factors, fold_in(plain, training).factors);
  EXPECT_EQ(fold_in(scaled, input).ratings, (std::vector<float>{2.5f, 5.0f}));  // kept on the training scale
}

TEST(FoldIn, RejectsAnItemOutOfRangeAndARatingThatIsNotFinite) {
  const Model m = hand_model();
  const std::vector<GivenRating> far{{7, 3.0f}};
  const std::vector<GivenRating> nan{{a, std::nanf("")}};
  EXPECT_THROW(fold_in(m, far), Error);
  EXPECT_THROW(fold_in(m, nan), Error);
}

// A random model with biases: the fold-in zeroes the gradient of
// Σ(r − μ − b − c_i − u·v_i)² + ½ρ‖u‖² + ½ρ_b·b², ρ as training steps it.
Model random_model(Optimizer optimizer) {
  Model m = hand_model();
  m.options = TrainOptions::defaults_for(Objective::Rating, optimizer);
  m.options.factors = 8;
  m.summary.train_rmse = 0.7;
  m.items = IdMap();
  const std::uint32_t items = 30;
  for (std::uint32_t i = 0; i < items; ++i) m.items.intern("i" + std::to_string(i));
  m.item_factors = FactorMatrix(items, 8);
  m.user_factors = FactorMatrix(1, 8);
  m.item_bias.assign(items, 0.0f);
  m.item_counts.assign(items, 3);
  Rng rng(7);
  for (std::uint32_t i = 0; i < items; ++i) {
    rng.fill_normal(m.item_factors.row(i), 8, 0.5);
    m.item_bias[i] = static_cast<float>(rng.normal() * 0.3);
  }
  rng.fill_normal(m.user_factors.row(0), 8, 0.5);
  m.rated_items = {1, 4, 9, 16, 25};
  m.rated_offsets = {0, 5};
  return m;
}

void expect_zero_gradient(const Model& m, const std::vector<GivenRating>& given, double rho, double rho_bias) {
  const FoldedUser user = fold_in(m, given);
  const std::size_t k = m.k();
  std::vector<double> gradient(k, 0.0);
  double bias_gradient = 0.0, scale = 0.0;
  for (const GivenRating& g : given) {
    const double e = g.rating - raw_score(m, user.view(), g.item);
    for (std::size_t f = 0; f < k; ++f) gradient[f] -= 2.0 * e * m.item_factors.row(g.item)[f];
    bias_gradient -= 2.0 * e;
    scale += std::fabs(e);
  }
  for (std::size_t f = 0; f < k; ++f) EXPECT_NEAR(gradient[f] + rho * user.factors[f], 0.0, 1e-4) << f;
  EXPECT_NEAR(bias_gradient + rho_bias * user.bias, 0.0, 1e-4);
  EXPECT_GT(scale, 0.1);  // the fit is not exact: the penalty matters
}

std::vector<GivenRating> twelve_ratings() {
  std::vector<GivenRating> given;
  for (std::uint32_t i = 0; i < 12; ++i) given.push_back({i * 2, static_cast<float>(1 + (i * 7) % 5)});
  return given;
}

TEST(FoldIn, SgdModelFoldsToTheExactMinimiser) {
  const Model m = random_model(Optimizer::Sgd);
  const double n = 12;
  expect_zero_gradient(m, twelve_ratings(), m.options.lambda * n, m.options.bias_lambda() * n);
}

TEST(FoldIn, AdaGradModelFoldsToTheExactMinimiserOfItsPenalty) {
  const Model m = random_model(Optimizer::AdaGrad);
  const double n = 12, spread = training_spread(m);
  const TrainOptions& o = m.options;
  expect_zero_gradient(m, twelve_ratings(), (o.lambda * n + o.lambda_row) * spread, o.bias_lambda() * n);
}

// The spread estimate: the fitted ratings' spread around the mean plus the
// training RMSE's square. hand_model's ann: fits of a and c are
// 3 + 0.2 + 0.5 + 1 = 4.7 and 3.2, so Σ(r̂ − μ)²/2 = (2.89 + 0.04)/2.
TEST(FoldIn, TrainingSpreadAddsTheFitsSpreadAndTheTrainingError) {
  Model m = hand_model();
  m.summary.train_rmse = 0.5;
  EXPECT_NEAR(training_spread(m), std::sqrt((2.89 + 0.04) / 2 + 0.25), 1e-6);
}

// With the ratings kept (coded), σ is exact: ann rated 4 and 2 around the
// mean 3, σ = 1, whatever the fit.
TEST(FoldIn, TrainingSpreadIsExactFromTheRatingsTheModelKeeps) {
  Model m = hand_model();
  m.summary.train_rmse = 0.5;
  m.rating_levels = {2.0f, 4.0f};
  m.rated_codes = {1, 0};
  EXPECT_DOUBLE_EQ(training_spread(m), 1.0);
}

// The example of test_implicit_als.cpp: Y = (1, 0), (0, 1), (1, 1),
// (0.5, −0.5), YᵀY = [[2.25, 0.75], [0.75, 2.25]]; α = 1. Given a = 2
// (c = 3) and c = 1 (c = 2); four training interactions of value 1 make
// Σc·p = 8, so λ = 0.5/√8 scales to 0.5. The ALS normal equations:
// [[5.75, 1.75], [1.75, 3.75]] x = (5, 2), x = (15.25, 2.75)/18.5.
TEST(FoldIn, ImplicitModelTakesTheAlsUserStep) {
  Model m = hand_model();
  m.options = TrainOptions::defaults_for(Objective::Implicit);
  m.options.factors = 2;
  m.options.bias = false;
  m.options.confidence = 1.0;
  m.options.lambda = 0.5 / std::sqrt(8.0);
  m.item_counts = {1, 1, 1, 1};
  m.item_factors = FactorMatrix(4, 2);
  const float y[4][2] = {{1, 0}, {0, 1}, {1, 1}, {0.5f, -0.5f}};
  for (std::size_t i = 0; i < 4; ++i) std::copy_n(y[i], 2, m.item_factors.row(i));
  m.user_factors = FactorMatrix(1, 2);
  const std::vector<GivenRating> given{{a, 2.0f}, {c, 1.0f}};
  const FoldedUser user = fold_in(m, given);
  EXPECT_NEAR(user.factors[0], 15.25 / 18.5, 1e-5);
  EXPECT_NEAR(user.factors[1], 2.75 / 18.5, 1e-5);
}

// A view of ann herself ranks, predicts and explains as ann does.
TEST(FoldIn, AViewOfAModelUserAnswersAsTheUser) {
  const Model m = hand_model();
  FoldedUser copy;
  copy.factors = {1.0f};
  copy.bias = 0.2f;
  copy.rated = {a, c};
  for (const RecommendOptions& o : {RecommendOptions{}, RecommendOptions{.include_rated = true, .shrink = 0}}) {
    const auto mine = recommend(m, copy.view(), o), hers = recommend(m, 0, o);
    ASSERT_EQ(mine.size(), hers.size());
    for (std::size_t r = 0; r < mine.size(); ++r) {
      EXPECT_EQ(mine[r].item, hers[r].item);
      EXPECT_EQ(mine[r].score, hers[r].score);
    }
  }
  std::vector<double> mine, hers;
  predict_row(m, copy.view(), {}, mine);
  predict_row(m, 0, {}, hers);
  EXPECT_EQ(mine, hers);
  EXPECT_THROW(recommend(m, copy.view(), {.method = RecommendMethod::Neighbors}), Error);
}

// With ratings in the view, --explain weighs and shows the rating given:
// given a = 5 (5 − 3.2 above the baseline, cos(a, b) = 1), a explains b
// with (5); ann's own fit of a, 4.7, explains it with (4.7).
TEST(FoldIn, ExplainUsesTheRatingGiven) {
  const Model m = hand_model();
  const Explainer explainer(m);
  FoldedUser user;
  user.factors = {1.0f};
  user.bias = 0.2f;
  user.rated = {a, c};
  user.ratings = {5.0f, 2.0f};
  const auto because = explainer.because(user.view(), b);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, a);
  EXPECT_EQ(because->rating, 5.0);
  EXPECT_NEAR(explainer.because(0, b)->rating, 4.7, 1e-6);
  user.ratings = {3.0f, 2.0f};  // a below the baseline supports nothing
  EXPECT_FALSE(explainer.because(user.view(), b));
}

// --ratings parsing on a model with titles: "Heat, The" (a comma), "x=y"
// (an equals sign) and "Twin" twice (ambiguous).
Model titled_model() {
  Model m = hand_model();
  m.item_titles = {"Heat, The", "x=y", "Twin", "Twin"};
  return m;
}

std::vector<std::uint32_t> folded_items(const std::string& text, bool strict = false) {
  cli::GivenRatingFlags flags;
  flags.ratings = text;
  return cli::fold_in_given(titled_model(), flags, strict, true).rated;
}

TEST(GivenRatings, SplitsAtUnquotedCommasAndTheLastEquals) {
  EXPECT_EQ(folded_items("\"Heat, The\"=4, x=y=5"), (std::vector<std::uint32_t>{a, b}));
  EXPECT_EQ(folded_items("\"Heat, The=4\",d=2,"), (std::vector<std::uint32_t>{a, d}));
  EXPECT_EQ(folded_items("a=1 , \"x=y\" = 2"), (std::vector<std::uint32_t>{a, b}));
}

TEST(GivenRatings, RatingsAreNumbersWithinTheModelsRange) {
  cli::GivenRatingFlags flags;
  flags.ratings = "a=4,b=5";
  EXPECT_EQ(cli::fold_in_given(hand_model(), flags, false, true).ratings, (std::vector<float>{4.0f, 5.0f}));
  auto kind_of = [](const std::string& text) {
    try {
      folded_items(text);
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  EXPECT_EQ(kind_of("a=6"), ErrorKind::Data);
  EXPECT_EQ(kind_of("a=0.5"), ErrorKind::Data);
  EXPECT_EQ(kind_of("a=four"), ErrorKind::Usage);
  EXPECT_EQ(kind_of("a"), ErrorKind::Usage);
  EXPECT_EQ(kind_of("\"a=4"), ErrorKind::Usage);
  EXPECT_EQ(kind_of("Twin=4"), ErrorKind::Data);  // names items c and d
}

TEST(GivenRatings, UnknownItemsAreIgnoredOrWithStrictAnError) {
  EXPECT_EQ(folded_items("nope=4,d=2"), (std::vector<std::uint32_t>{d}));
  EXPECT_TRUE(folded_items("nope=4").empty());
  EXPECT_THROW(folded_items("nope=4,d=2", true), Error);
}

TEST(GivenRatings, ReadsAFileWithCommasInTitlesAndAHeader) {
  testing::TempDir dir;
  std::ofstream(dir.file("r.csv")) << "item,rating\n\"Heat, The\",4\nx=y,5\n";
  cli::GivenRatingFlags flags;
  flags.ratings_file = dir.file("r.csv");
  const FoldedUser user = cli::fold_in_given(titled_model(), flags, false, true);
  EXPECT_EQ(user.rated, (std::vector<std::uint32_t>{a, b}));
  EXPECT_EQ(user.ratings, (std::vector<float>{4.0f, 5.0f}));
  std::ofstream(dir.file("bad.csv")) << "a,4\nb,lots\n";
  flags.ratings_file = dir.file("bad.csv");
  try {
    cli::fold_in_given(titled_model(), flags, false, true);
    ADD_FAILURE() << "no error for a rating that is not a number";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    ASSERT_TRUE(e.where());
    EXPECT_EQ(e.where()->line, 2u);
    EXPECT_EQ(e.where()->column, 3u);
  }
}

}  // namespace
}  // namespace mfrec
