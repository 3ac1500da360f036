// recommend's item rules on a hand-made model: --min-ratings leaves out
// exactly the items with fewer training ratings (1 = off), exclude and
// candidates exactly the items they name, for both methods and every entry
// point; --shrink ranks by the prediction whose item part is
// shrunk by n/(n + m), worked out below. The filter tests turn shrink off
// (.shrink = 0) so that they rank by the plain predictions above.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec {
namespace {

// Users ann, bob; items a, b, c, d; k = 1; mean 3; ratings seen in [1, 5].
// ann rated a, bob rated b. Training ratings per item: a 1, b 5, c 13, d 1
// (mean 5).
//   U: ann 1, bob 2     b: ann 0, bob -0.5
//   V: a 1, b 0.5, c 0, d 2     c: a 0, b 0.5, c 0.25, d 0.5
// ann's predictions mean + b + c + U·V: a 4, b 4, c 3.25, d 5.5.
// bob's: a 4.5, b 4, c 2.75, d 7.
Model hand_model() {
  Model m;
  m.options.factors = 1;
  m.options.bias = true;
  for (const char* name : {"ann", "bob"}) m.users.intern(name);
  for (const char* name : {"a", "b", "c", "d"}) m.items.intern(name);
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.rated_offsets = {0, 1, 2};
  m.rated_items = {0, 1};
  m.item_counts = {1, 5, 13, 1};
  m.mean = 3.0f;
  m.user_bias = {0.0f, -0.5f};
  m.item_bias = {0.0f, 0.5f, 0.25f, 0.5f};
  m.user_factors = FactorMatrix(2, 1);
  m.item_factors = FactorMatrix(4, 1);
  m.user_factors.row(0)[0] = 1;
  m.user_factors.row(1)[0] = 2;
  const float v[4] = {1, 0.5f, 0, 2};
  for (std::size_t i = 0; i < 4; ++i) m.item_factors.row(i)[0] = v[i];
  return m;
}

std::vector<std::uint32_t> items_of(const std::vector<Recommendation>& recs) {
  std::vector<std::uint32_t> items;
  for (const auto& r : recs) items.push_back(r.item);
  return items;
}

constexpr std::uint32_t a = 0, b = 1, c = 2, d = 3, ann = 0, bob = 1;

TEST(RecommendMinRatings, OneAndZeroLeaveEveryItem) {
  const Model m = hand_model();
  for (std::uint32_t n : {0u, 1u}) {
    const auto recs = recommend(m, ann, {.min_ratings = n, .shrink = 0});
    EXPECT_EQ(items_of(recs), (std::vector<std::uint32_t>{d, b, c}));
    EXPECT_DOUBLE_EQ(recs[0].score, 5.5);
  }
}

TEST(RecommendMinRatings, LeavesOutExactlyTheItemsBelowN) {
  const Model m = hand_model();
  EXPECT_EQ(items_of(recommend(m, ann, {.min_ratings = 2, .shrink = 0})), (std::vector<std::uint32_t>{b, c}));
  EXPECT_EQ(items_of(recommend(m, ann, {.min_ratings = 5, .shrink = 0})), (std::vector<std::uint32_t>{b, c}));
  EXPECT_EQ(items_of(recommend(m, ann, {.min_ratings = 6, .shrink = 0})), (std::vector<std::uint32_t>{c}));
  EXPECT_EQ(items_of(recommend(m, ann, {.min_ratings = 13, .shrink = 0})), (std::vector<std::uint32_t>{c}));
  EXPECT_TRUE(recommend(m, ann, {.min_ratings = 14, .shrink = 0}).empty());
  // Rated items may come back with include_rated, filtered items never.
  EXPECT_EQ(items_of(recommend(m, ann, {.include_rated = true, .min_ratings = 5, .shrink = 0})),
            (std::vector<std::uint32_t>{b, c}));
  EXPECT_EQ(items_of(recommend(m, bob, {.include_rated = true, .min_ratings = 2, .shrink = 0})),
            (std::vector<std::uint32_t>{b, c}));
}

TEST(RecommendMinRatings, NeighborsMethodToo) {
  const Model m = hand_model();
  const RecommendOptions off{.method = RecommendMethod::Neighbors, .neighbors = 1, .shrink = 0};
  EXPECT_EQ(recommend(m, ann, off).size(), 3u);
  RecommendOptions on = off;
  on.min_ratings = 5;
  EXPECT_EQ(items_of(recommend(m, ann, on)), (std::vector<std::uint32_t>{b, c}));
  EXPECT_EQ(items_of(recommend(m, bob, on)), (std::vector<std::uint32_t>{c}));
}

TEST(RecommendMinRatings, CountsFromTheRatedListsWhenTheModelHasNone) {
  Model m = hand_model();
  m.item_counts.clear();  // then a and b have one rating each, c and d none
  EXPECT_EQ(items_of(recommend(m, ann, {.min_ratings = 1, .shrink = 0})), (std::vector<std::uint32_t>{d, b, c}));
  EXPECT_EQ(items_of(recommend(m, bob, {.include_rated = true, .min_ratings = 1, .shrink = 0})),
            (std::vector<std::uint32_t>{d, a, b, c}));
  EXPECT_EQ(items_of(recommend(m, bob, {.include_rated = true, .min_ratings = 2, .shrink = 0})), std::vector<std::uint32_t>{});
}

// With shrink 1, m = 1 × the mean count = 5; n/(n + 5) is a 1/6, b 1/2,
// c 13/18, d 1/6, and over c's (the most rated) the weights are a 3/13,
// b 9/13, c 1, d 3/13. Scores base + w·(prediction − base), base mean + b_u:
//   ann (base 3):   b 3 + 9/13·1, c 3.25 (its prediction), d 3 + 3/13·2.5
//   bob (base 2.5): a 2.5 + 3/13·2, c 2.75, d 2.5 + 3/13·4.5
TEST(RecommendShrink, RanksByTheShrunkPrediction) {
  const Model m = hand_model();
  const auto recs = recommend(m, ann, {.shrink = 1});
  ASSERT_EQ(items_of(recs), (std::vector<std::uint32_t>{b, d, c}));
  EXPECT_NEAR(recs[0].score, 3.0 + 9.0 / 13.0, 1e-12);
  EXPECT_NEAR(recs[1].score, 3.0 + 3.0 / 13.0 * 2.5, 1e-12);
  EXPECT_NEAR(recs[2].score, 3.25, 1e-12);
  const auto bobs = recommend(m, bob, {.shrink = 1});
  ASSERT_EQ(items_of(bobs), (std::vector<std::uint32_t>{d, a, c}));
  EXPECT_NEAR(bobs[0].score, 2.5 + 3.0 / 13.0 * 4.5, 1e-12);
  EXPECT_NEAR(bobs[1].score, 2.5 + 3.0 / 13.0 * 2.0, 1e-12);
  EXPECT_NEAR(bobs[2].score, 2.75, 1e-12);
}

// Without biases the base is the mean: prediction U·V, shrunk 3 + w·(U·V − 3).
// ann's U·V: b 0.5, c 0, d 2 → b 3 − 9/13·2.5, c 0 (weight 1), d 3 − 3/13.
TEST(RecommendShrink, WithoutBiasesTowardTheMean) {
  Model m = hand_model();
  m.options.bias = false;
  const auto recs = recommend(m, ann, {.shrink = 1});
  ASSERT_EQ(items_of(recs), (std::vector<std::uint32_t>{d, b, c}));
  EXPECT_NEAR(recs[0].score, 3.0 - 3.0 / 13.0, 1e-12);
  EXPECT_NEAR(recs[1].score, 3.0 - 9.0 / 13.0 * 2.5, 1e-12);
  EXPECT_NEAR(recs[2].score, 0.0, 1e-12);
}

TEST(RecommendShrink, RatingModelsShrinkByDefaultImplicitOnesDoNot) {
  Model m = hand_model();
  EXPECT_EQ(default_shrink(m), kDefaultShrink);
  const auto recs = recommend(m, ann, {});
  const auto explicit_default = recommend(m, ann, {.shrink = kDefaultShrink});
  ASSERT_EQ(items_of(recs), items_of(explicit_default));
  EXPECT_EQ(recs[0].score, explicit_default[0].score);
  m.options.objective = Objective::Implicit;
  EXPECT_EQ(default_shrink(m), 0.0);
  EXPECT_EQ(items_of(recommend(m, ann, {})), (std::vector<std::uint32_t>{d, b, c}));
}

TEST(RecommendShrink, NegativeIsAUsageError) {
  try {
    recommend(hand_model(), ann, {.shrink = -1});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(RecommendFilters, RecommendUsersGivesWhatRecommendGives) {
  const Model m = hand_model();
  const std::vector<RecommendOptions> cases{
      {.min_ratings = 5},
      {.shrink = 5},
      {.include_rated = true, .min_ratings = 2, .shrink = 1},
      {.method = RecommendMethod::Neighbors, .neighbors = 1, .threads = 2, .min_ratings = 5, .shrink = 2},
      {.shrink = 0, .exclude = {d}},
      {.include_rated = true, .shrink = 0, .candidates = std::vector<std::uint32_t>{a, c}},
      {.method = RecommendMethod::Neighbors, .neighbors = 1, .shrink = 0, .exclude = {c}, .candidates = std::vector<std::uint32_t>{c, d}},
  };
  for (const RecommendOptions& o : cases) {
    std::vector<std::vector<Recommendation>> got;
    recommend_users(m, {bob, ann}, o, [&](std::uint32_t, const std::vector<Recommendation>& r) { got.push_back(r); });
    ASSERT_EQ(got.size(), 2u);
    for (std::uint32_t k = 0; k < 2; ++k) {
      const auto want = recommend(m, k == 0 ? bob : ann, o);
      ASSERT_EQ(items_of(got[k]), items_of(want));
      for (std::size_t r = 0; r < want.size(); ++r) EXPECT_EQ(got[k][r].score, want[r].score);
    }
  }
}

// ann's plain predictions: a 4 (rated), b 4, c 3.25, d 5.5.
TEST(RecommendFilters, ExcludeLeavesOutExactlyTheItemsNamed) {
  const Model m = hand_model();
  EXPECT_EQ(items_of(recommend(m, ann, {.shrink = 0, .exclude = {d}})), (std::vector<std::uint32_t>{b, c}));
  EXPECT_EQ(items_of(recommend(m, ann, {.shrink = 0, .exclude = {d, c, d}})), (std::vector<std::uint32_t>{b}));
  // A rated item excluded stays out with include_rated.
  EXPECT_EQ(items_of(recommend(m, ann, {.include_rated = true, .shrink = 0, .exclude = {a}})),
            (std::vector<std::uint32_t>{d, b, c}));
}

TEST(RecommendFilters, CandidatesAreTheOnlyItemsRecommended) {
  const Model m = hand_model();
  const std::vector<std::uint32_t> acd{c, a, d};
  EXPECT_EQ(items_of(recommend(m, ann, {.shrink = 0, .candidates = acd})), (std::vector<std::uint32_t>{d, c}));
  EXPECT_EQ(items_of(recommend(m, ann, {.include_rated = true, .shrink = 0, .candidates = acd})),
            (std::vector<std::uint32_t>{d, a, c}));
  // An empty list allows nothing; exclude and min_ratings still apply within it.
  EXPECT_TRUE(recommend(m, ann, {.shrink = 0, .candidates = std::vector<std::uint32_t>{}}).empty());
  EXPECT_EQ(items_of(recommend(m, ann, {.shrink = 0, .exclude = {d}, .candidates = acd})),
            (std::vector<std::uint32_t>{c}));
  EXPECT_EQ(items_of(recommend(m, ann, {.min_ratings = 2, .shrink = 0, .candidates = acd})),
            (std::vector<std::uint32_t>{c}));
}

TEST(RecommendFilters, NeighborsMethodToo) {
  const Model m = hand_model();
  const RecommendOptions all{.method = RecommendMethod::Neighbors, .neighbors = 1, .shrink = 0};
  RecommendOptions filtered = all;
  filtered.exclude = {d};
  filtered.candidates = std::vector<std::uint32_t>{b, d};
  EXPECT_EQ(recommend(m, ann, all).size(), 3u);
  EXPECT_EQ(items_of(recommend(m, ann, filtered)), (std::vector<std::uint32_t>{b}));
}

TEST(RecommendFilters, RecommendAllFiltersEveryUser) {
  const Model m = hand_model();
  std::vector<std::vector<std::uint32_t>> got;
  recommend_all(m, {.threads = 2, .shrink = 0, .exclude = {d}, .candidates = std::vector<std::uint32_t>{a, b, d}},
                [&](std::uint32_t, const std::vector<Recommendation>& r) { got.push_back(items_of(r)); });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::uint32_t>{b}));  // ann rated a
  EXPECT_EQ(got[1], (std::vector<std::uint32_t>{a}));  // bob rated b
}

TEST(RecommendFilters, AnItemIndexOutOfRangeIsABug) {
  try {
    recommend(hand_model(), ann, {.exclude = {4}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
  }
}

// --explain on factors chosen by hand: k = 2, biases 0, mean 3, ratings in
// [1, 5]. The user rated x (V = (1, 0)) and y (V = (0, 1)); support of a rated
// j for item z is (U·V_j) · cos(V_z, V_j).
Model explain_model(std::array<float, 2> user, std::array<float, 2> z) {
  Model m;
  m.options.factors = 2;
  m.options.bias = true;
  m.user_bias = {0, 0};
  m.item_bias = {0, 0, 0};
  m.users.intern("ann");
  m.users.intern("new");
  for (const char* name : {"x", "y", "z"}) m.items.intern(name);
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.mean = 3.0f;
  m.rated_offsets = {0, 2, 2};  // "new" rated nothing
  m.rated_items = {0, 1};
  m.user_factors = FactorMatrix(2, 2);
  m.item_factors = FactorMatrix(3, 2);
  const std::array<std::array<float, 2>, 3> v{{{1, 0}, {0, 1}, z}};
  for (std::size_t f = 0; f < 2; ++f) {
    m.user_factors.row(0)[f] = user[f];
    for (std::size_t i = 0; i < 3; ++i) m.item_factors.row(i)[f] = v[i][f];
  }
  return m;
}

constexpr std::uint32_t x = 0, y = 1, z = 2;

TEST(RecommendExplain, TheRatedItemWithTheMostSupport) {
  // U (1.5, 1), V_z (1, 1): supports x 1.5/√2, y 1/√2: x, fitted 3 + 1.5.
  Model m = explain_model({1.5f, 1}, {1, 1});
  auto because = Explainer(m).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, x);
  EXPECT_DOUBLE_EQ(because->rating, 4.5);
  EXPECT_EQ(because_text(m, *because), "x (≈4.5)");  // no given ratings in the model: its fit
  // V_z (0.1, 1) aligns with y: supports x 1.5·0.1/√1.01, y 1/√1.01: y (4).
  m = explain_model({1.5f, 1}, {0.1f, 1});
  because = Explainer(m).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, y);
  EXPECT_EQ(because_text(m, *because), "y (≈4)");
}

TEST(RecommendExplain, ARatedItemLikedLessThanItsBaselineDoesNotSupport) {
  // V_z (1, 0.2) aligns best with x, but the user's x sits 2 below the mean:
  // supports x −2·cos < 0, y 1·cos > 0. The fit of x (1) is in range.
  const Model m = explain_model({-2, 1}, {1, 0.2f});
  const auto because = Explainer(m).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, y);
}

TEST(RecommendExplain, TheRatingShownIsClippedToTheRange) {
  const Model m = explain_model({4, 0}, {1, 0});  // fit of x: 3 + 4 = 7
  const auto because = Explainer(m).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, x);
  EXPECT_EQ(because_text(m, *because), "x (≈5)");
}

TEST(RecommendExplain, NothingSupportsNothingToSay) {
  EXPECT_FALSE(Explainer(explain_model({1, 2}, {1, 1})).because(1, z));  // "new" rated nothing
  EXPECT_FALSE(Explainer(explain_model({1, 2}, {0, 0})).because(ann, z));  // every cosine 0
  // Disliked x (U·V −2) points away from z: (−2)·(−1) > 0, still no reason.
  EXPECT_FALSE(Explainer(explain_model({-2, -1}, {-1, 0})).because(ann, z));
}

TEST(RecommendExplain, TiesGoToTheFirstRatedItem) {
  const auto because = Explainer(explain_model({1, 1}, {1, 1})).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, x);
}

TEST(RecommendExplain, WithoutBiasesTheBaselineIsTheMean) {
  // Predictions U·V alone: x 2.5 and y 4 sit −0.5 and +1 from the mean 3.
  Model m = explain_model({2.5f, 4}, {1, 0.3f});  // cosines x 0.958, y 0.287
  m.options.bias = false;
  const auto because = Explainer(m).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because_text(m, *because), "y (≈4)");
  m.options.bias = true;  // then x's U·V 2.5 is all above the mean and wins
  EXPECT_EQ(Explainer(m).because(ann, z)->item, x);
  m.user_bias[ann] = 2;  // the user's baseline 5: x (fit 7.5) +2.5, y (fit 9) +4
  m.item_bias[y] = -2;   // y's fit 7: +2, below x's 2.5 again; b_j counts
  EXPECT_EQ(Explainer(m).because(ann, z)->item, x);
}

// With the user's own ratings in the model, they weigh and they are shown.
TEST(RecommendExplain, TheUsersOwnRatingsWhenTheModelKeepsThem) {
  // U (1.5, 1), V_z (1, 1): by the fit x (4.5) beats y (4); the user gave
  // x 2.5 (below the baseline 3: no support) and y 5 (+2 · cos 1/√2).
  Model m = explain_model({1.5f, 1}, {1, 1});
  m.rating_levels = {2.5f, 5.0f};
  m.rated_codes = {0, 1};
  const auto because = Explainer(m).because(ann, z);
  ASSERT_TRUE(because);
  EXPECT_EQ(because->item, y);
  EXPECT_TRUE(because->given);
  EXPECT_EQ(because_text(m, *because), "y (5)");
  m.rated_codes = {1, 0};  // x 5, y 2.5: x, with the rating given, not the fit 4.5
  EXPECT_EQ(because_text(m, *Explainer(m).because(ann, z)), "x (5)");
}

TEST(RecommendExplain, ItemLabelIsTheTitleElseTheId) {
  Model m = explain_model({1, 1}, {1, 1});
  EXPECT_EQ(item_label(m, z), "z");
  m.item_titles = {"The X Files (1993)", "", "Zorro, \"the\" film"};
  EXPECT_EQ(item_label(m, z), "Zorro, \"the\" film");
  EXPECT_EQ(item_label(m, y), "y");  // no title of its own
}

}  // namespace
}  // namespace mfrec
