// Evaluation: score_ranking against hand-computed values, evaluate() on a
// hand-built model whose every prediction is worked out below, and the
// cross-validation folds. Early stopping is covered in test_trainer.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "mfrec/train/cross_validation.hpp"
#include "mfrec/train/grid_search.hpp"
#include "mfrec/model/dataset.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/evaluate.hpp"
#include "mfrec/query/metrics.hpp"
#include "mfrec/model/model.hpp"
#include "util/synthetic.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec {
namespace {

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no mfrec::Error thrown";
  return ErrorKind::Internal;
}

// Discount of a hit at 1-based rank r: 1/log2(r + 1).
const double kRank2 = 1.0 / std::log2(3.0);

// ---------------------------------------------------------------------------
// score_ranking: binary relevance, precision = hits/K, recall = hits/|rel|,
// NDCG = DCG / ideal DCG with the ideal list of min(K, |rel|) hits.

TEST(RankingScore, AllHitsAtTheTopIsPerfect) {
  const RankingScore s = score_ranking({4, 2}, {2, 4}, 2);
  EXPECT_DOUBLE_EQ(s.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0);
  EXPECT_DOUBLE_EQ(s.ndcg, 1.0);
}

TEST(RankingScore, HitsAtRanksTwoAndThree) {
  // ranked 5, 1, 7; relevant {1, 7}: hits at ranks 2 and 3.
  const RankingScore s = score_ranking({5, 1, 7}, {1, 7}, 3);
  EXPECT_DOUBLE_EQ(s.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0);
  // DCG = 1/log2(3) + 1/log2(4); ideal = 1/log2(2) + 1/log2(3).
  EXPECT_DOUBLE_EQ(s.ndcg, (1.0 / std::log2(3.0) + 1.0 / std::log2(4.0)) / (1.0 + 1.0 / std::log2(3.0)));
}

TEST(RankingScore, SingleHitAtRankThree) {
  const RankingScore s = score_ranking({8, 9, 3, 6}, {3}, 4);
  EXPECT_DOUBLE_EQ(s.precision, 1.0 / 4.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0);
  // DCG = 1/log2(4) = 0.5; ideal = 1/log2(2) = 1 (one relevant item).
  EXPECT_DOUBLE_EQ(s.ndcg, 0.5);
}

TEST(RankingScore, NoHitsIsZeroEverywhere) {
  const RankingScore s = score_ranking({1, 2, 3}, {4, 5}, 3);
  EXPECT_DOUBLE_EQ(s.precision, 0.0);
  EXPECT_DOUBLE_EQ(s.recall, 0.0);
  EXPECT_DOUBLE_EQ(s.ndcg, 0.0);
}

TEST(RankingScore, EmptyListIsZeroEverywhere) {
  // A user whose every item was rated in training has no candidates.
  const RankingScore s = score_ranking({}, {4}, 5);
  EXPECT_DOUBLE_EQ(s.precision, 0.0);
  EXPECT_DOUBLE_EQ(s.recall, 0.0);
  EXPECT_DOUBLE_EQ(s.ndcg, 0.0);
}

TEST(RankingScore, KLargerThanTheListStillDividesPrecisionByK) {
  // One item shown for K = 5: precision is 1/5, not 1/1; the ideal list has
  // min(5, 1) = 1 hit, so the single hit at rank 1 is a perfect NDCG.
  const RankingScore s = score_ranking({3}, {3}, 5);
  EXPECT_DOUBLE_EQ(s.precision, 1.0 / 5.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0);
  EXPECT_DOUBLE_EQ(s.ndcg, 1.0);
}

TEST(RankingScore, KLargerThanTheListWithTwoRelevant) {
  // ranked 7, 2 for K = 4, relevant {2, 9}: hit at rank 2; ideal has
  // min(4, 2) = 2 hits.
  const RankingScore s = score_ranking({7, 2}, {2, 9}, 4);
  EXPECT_DOUBLE_EQ(s.precision, 1.0 / 4.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(s.ndcg, (1.0 / std::log2(3.0)) / (1.0 + 1.0 / std::log2(3.0)));
}

TEST(RankingScore, RelevantSetLargerThanKCapsTheIdealAtK) {
  // K = 2 of ranked 9, 2, 4, 6 (4 and 6 are past the cut-off and must not
  // count); relevant {2, 4, 6, 8}: one hit at rank 2.
  const RankingScore s = score_ranking({9, 2, 4, 6}, {2, 4, 6, 8}, 2);
  EXPECT_DOUBLE_EQ(s.precision, 1.0 / 2.0);
  EXPECT_DOUBLE_EQ(s.recall, 1.0 / 4.0);
  // Ideal DCG over min(2, 4) = 2 ranks: 1 + 1/log2(3), not four ranks.
  EXPECT_DOUBLE_EQ(s.ndcg, (1.0 / std::log2(3.0)) / (1.0 + 1.0 / std::log2(3.0)));
}

TEST(RankingScore, RelevantSetLargerThanKAllHitsIsPerfectNdcg) {
  // Both shown items relevant out of 3: NDCG 1 though recall is only 2/3.
  const RankingScore s = score_ranking({1, 3, 5}, {1, 3, 5}, 2);
  EXPECT_DOUBLE_EQ(s.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.ndcg, 1.0);
}

TEST(RankingScore, BadArgumentsThrow) {
  // Preconditions (relevant not empty, k > 0): a division by zero otherwise.
  EXPECT_THROW(score_ranking({1}, {}, 3), Error);
  EXPECT_THROW(score_ranking({1}, {1}, 0), Error);
}

// ---------------------------------------------------------------------------
// evaluate() on a hand-built model, k = 1, with biases, no scaler.
//
//   μ = 3, clip range [2.5, 4] (narrow so that clipping shows in both ways)
//   users  a     b     c     idle          items  x   y    z     w     v     cold
//   b_u    0.5  −0.5   0     1 (ignored)    c_i    0   0.5  0.25  0.25 −0.5  −2 (ignored)
//   U      1     0.5  −1     0              V      1   0.5  0     0     0.5   0
//   trained a:{x}  b:{x, v}  c:{y, z, w}  idle:{}  ("cold" has no training rating)
//
// Predictions μ + b_u + c_i + U·V (unclipped), the ones that matter:
//   a: x 4.5  y 4.5  z 3.75  w 3.75  v 3.5  (cold ranks at 3 + 0.5 − 2 = 1.5)
//   b: y 3.25 z 2.75 w 2.75               (cold ranks at 0.5)
//   c: x 2    v 2                         (cold ranks at 1)
// z and w tie exactly for a and b; x and v tie for c.
Model hand_model() {
  Model m;
  m.options.factors = 1;
  m.options.bias = true;
  for (const char* u : {"a", "b", "c", "idle"}) m.users.intern(u);
  for (const char* i : {"x", "y", "z", "w", "v", "cold"}) m.items.intern(i);
  m.rated_offsets = {0, 1, 3, 6, 6};
  m.rated_items = {0, /*b*/ 0, 4, /*c*/ 1, 2, 3};
  m.ratings = m.train_ratings = 6;
  m.rating_min = 2.5f;
  m.rating_max = 4.0f;
  m.mean = 3.0f;
  // A bias on a user or item with no training rating is never "known": if
  // evaluate() used it, the unknown predictions below would be off by 1 or 2.
  m.user_bias = {0.5f, -0.5f, 0.0f, 1.0f};
  m.item_bias = {0.0f, 0.5f, 0.25f, 0.25f, -0.5f, -2.0f};
  m.user_factors = FactorMatrix(4, 1);
  m.item_factors = FactorMatrix(6, 1);
  const float u[] = {1.0f, 0.5f, -1.0f, 0.0f};
  const float v[] = {1.0f, 0.5f, 0.0f, 0.0f, 0.5f, 0.0f};
  for (std::uint32_t i = 0; i < 4; ++i) m.user_factors.row(i)[0] = u[i];
  for (std::uint32_t i = 0; i < 6; ++i) m.item_factors.row(i)[0] = v[i];
  return m;
}

// The test ratings, with ids interned in an order unlike the model's so that
// matching by name (not by index) is what makes the numbers come out right.
// Error e = r − clip(prediction):
//   a y 5    4.5 → 4      e  1       relevant
//   a w 4    3.75         e  0.25    relevant
//   a v 2    3.5          e −1.5
//   a x 5    4.5 → 4      e  1       rated in training: never a candidate, not relevant
//   a cold 3 μ + b_a 3.5  e −0.5     unknown item
//   b y 3    3.25         e −0.25
//   b z 2    2.75         e −0.75    (b has no relevant rating)
//   c x 4    2 → 2.5      e  1.5     relevant
//   c cold 5 μ + b_c 3    e  2       unknown item
//   idle y 5 μ + c_y 3.5  e  1.5     known user without training ratings: unknown
//   stranger z 1  μ + c_z 3.25  e −2.25   unknown user
//   stranger new 4  μ 3   e  1       unknown both
Dataset hand_test() {
  Dataset d;
  d.source = "test.csv";
  struct Row {
    const char* user;
    const char* item;
    float value;
  };
  const Row rows[] = {{"c", "x", 4},    {"c", "cold", 5}, {"a", "y", 5},        {"a", "w", 4},
                      {"a", "v", 2},    {"a", "x", 5},    {"a", "cold", 3},     {"stranger", "z", 1},
                      {"b", "y", 3},    {"b", "z", 2},    {"stranger", "new", 4}, {"idle", "y", 5}};
  for (const Row& r : rows) d.ratings.push_back({d.users.intern(r.user), d.items.intern(r.item), r.value});
  std::sort(d.ratings.begin(), d.ratings.end(),
            [](const Rating& x, const Rating& y) { return x.user != y.user ? x.user < y.user : x.item < y.item; });
  return d;
}

EvaluateOptions options_at(std::size_t k, double relevant = 4.0, unsigned threads = 1) {
  EvaluateOptions o;
  o.k = k;
  o.relevant_threshold = relevant;
  o.threads = threads;
  o.recommend.shrink = 0.0;  // rank by the plain predictions worked out above
  return o;
}

TEST(Evaluate, ErrorOfClippedPredictionsByHand) {
  const Evaluation e = evaluate(hand_model(), hand_test(), options_at(2));
  EXPECT_EQ(e.count, 12u);
  // Σe² = 1 + 0.0625 + 2.25 + 1 + 0.25 + 0.0625 + 0.5625 + 2.25 + 4 + 2.25 + 5.0625 + 1 = 19.75
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(19.75 / 12.0));
  // Σ|e| = 1 + 0.25 + 1.5 + 1 + 0.5 + 0.25 + 0.75 + 1.5 + 2 + 1.5 + 2.25 + 1 = 13.5
  EXPECT_DOUBLE_EQ(e.mae, 13.5 / 12.0);
}

TEST(Evaluate, UnknownUsersAndItemsCountedAndPredictedByMeanPlusKnownBias) {
  // a·cold, c·cold, idle·y, stranger·z, stranger·new. The error checks above
  // already pin their predictions; here each one alone, so a wrong one is named.
  EXPECT_EQ(evaluate(hand_model(), hand_test(), options_at(2)).unknown, 5u);
  auto single = [](const char* user, const char* item, float value) {
    Dataset d;
    d.ratings.push_back({d.users.intern(user), d.items.intern(item), value});
    const Evaluation e = evaluate(hand_model(), d, options_at(2));
    EXPECT_EQ(e.count, 1u);
    EXPECT_EQ(e.unknown, 1u) << user << "," << item;
    return value - e.mae;  // the rating is above every prediction here, so this is the prediction
  };
  EXPECT_DOUBLE_EQ(single("a", "cold", 5), 3.0 + 0.5);   // μ + b_a; cold's −2 is not known
  EXPECT_DOUBLE_EQ(single("idle", "y", 5), 3.0 + 0.5);   // μ + c_y; idle's +1 is not known
  EXPECT_DOUBLE_EQ(single("idle", "cold", 5), 3.0);      // neither trained: μ alone
  EXPECT_DOUBLE_EQ(single("stranger", "x", 5), 3.0);     // μ + c_x (0)
  EXPECT_DOUBLE_EQ(single("stranger", "z", 5), 3.25);    // μ + c_z
  EXPECT_DOUBLE_EQ(single("b", "new", 5), 3.0 - 0.5);    // μ + b_b = 2.5, also the clip floor
  EXPECT_DOUBLE_EQ(single("stranger", "new", 5), 3.0);
}

TEST(Evaluate, UnknownPredictionsAreClippedToo) {
  // Above the clip range with a bigger mean: the fallback is clipped like
  // any prediction.
  Model m = hand_model();
  m.mean = 5.0f;
  Dataset d;
  d.ratings.push_back({d.users.intern("stranger"), d.items.intern("new"), 1.0f});
  const Evaluation e = evaluate(m, d, options_at(2));
  // μ = 5 clipped to 4: e = 1 − 4 = −3.
  EXPECT_EQ(e.unknown, 1u);
  EXPECT_DOUBLE_EQ(e.mae, 3.0);
}

TEST(Evaluate, RankingAtTwoBreaksTiesByItemOrderAndSkipsUsersWithoutRelevantItems) {
  const Evaluation e = evaluate(hand_model(), hand_test(), options_at(2));
  // a: candidates y 4.5, z 3.75, w 3.75, v 3.5, cold 1.5 (x is a's training
  //    item). Top 2 = [y, z]: z wins the tie with w by coming first. Relevant
  //    {y, w}: one hit at rank 1. (With w first it would be 2 hits, P = 1.)
  //    P = 1/2, R = 1/2, NDCG = 1 / (1 + 1/log2(3)).
  // b: no rating ≥ 4: left out.
  // c: candidates x 2, v 2, cold 1 (y, z, w trained). Top 2 = [x, v], x
  //    first by item order. Relevant {x} (cold is unknown): hit at rank 1.
  //    P = 1/2, R = 1, NDCG = 1. (With v first NDCG would be 1/log2(3).)
  // idle and stranger are unknown: left out.
  EXPECT_EQ(e.ranked_users, 2u);
  EXPECT_DOUBLE_EQ(e.precision, (0.5 + 0.5) / 2.0);
  EXPECT_DOUBLE_EQ(e.recall, (0.5 + 1.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.ndcg, (1.0 / (1.0 + kRank2) + 1.0) / 2.0);
}

TEST(Evaluate, RankingAtOne) {
  // a: [y] hit; c: [x] hit. P = 1 each, R = 1/2 and 1, NDCG = 1 each.
  const Evaluation e = evaluate(hand_model(), hand_test(), options_at(1));
  EXPECT_EQ(e.ranked_users, 2u);
  EXPECT_DOUBLE_EQ(e.precision, 1.0);
  EXPECT_DOUBLE_EQ(e.recall, 0.75);
  EXPECT_DOUBLE_EQ(e.ndcg, 1.0);
}

TEST(Evaluate, RankingWithKLargerThanTheCandidates) {
  // K = 10. a: [y, z, w, v, cold], hits y (rank 1) and w (rank 3):
  //   P = 2/10, R = 1, NDCG = (1 + 1/log2(4)) / (1 + 1/log2(3)).
  // c: [x, v, cold], hit x at rank 1: P = 1/10, R = 1, NDCG = 1.
  const Evaluation e = evaluate(hand_model(), hand_test(), options_at(10));
  EXPECT_EQ(e.ranked_users, 2u);
  EXPECT_DOUBLE_EQ(e.precision, (2.0 / 10.0 + 1.0 / 10.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.recall, 1.0);
  EXPECT_DOUBLE_EQ(e.ndcg, ((1.0 + 1.0 / std::log2(4.0)) / (1.0 + kRank2) + 1.0) / 2.0);
  // The error metrics do not depend on K.
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(19.75 / 12.0));
}

TEST(Evaluate, RelevantThresholdDecidesWhoIsRanked) {
  // ≥ 5: a has {y} (x is a training item), c's x = 4 no longer counts, so
  // only a is ranked: [y, z] hits y at rank 1: P = 1/2, R = 1, NDCG = 1.
  const Evaluation e = evaluate(hand_model(), hand_test(), options_at(2, 5.0));
  EXPECT_EQ(e.ranked_users, 1u);
  EXPECT_DOUBLE_EQ(e.precision, 0.5);
  EXPECT_DOUBLE_EQ(e.recall, 1.0);
  EXPECT_DOUBLE_EQ(e.ndcg, 1.0);
  // Above every rating: nobody is ranked and the averages stay 0.
  const Evaluation none = evaluate(hand_model(), hand_test(), options_at(2, 6.0));
  EXPECT_EQ(none.ranked_users, 0u);
  EXPECT_DOUBLE_EQ(none.precision, 0.0);
  EXPECT_DOUBLE_EQ(none.recall, 0.0);
  EXPECT_DOUBLE_EQ(none.ndcg, 0.0);
  EXPECT_EQ(none.count, 12u);
}

TEST(Evaluate, TieWithTheRelevantItemFirstInItemOrder) {
  // The mirror case: make z (the earlier of the tied pair) relevant for a
  // instead of w. Top 2 = [y, z] then has both: P = 1, R = 1, NDCG = 1.
  Dataset d;
  d.ratings.push_back({d.users.intern("a"), d.items.intern("z"), 4.0f});
  d.ratings.push_back({0, d.items.intern("y"), 4.0f});
  const Evaluation e = evaluate(hand_model(), d, options_at(2));
  EXPECT_EQ(e.ranked_users, 1u);
  EXPECT_DOUBLE_EQ(e.precision, 1.0);
  EXPECT_DOUBLE_EQ(e.ndcg, 1.0);
}

TEST(Evaluate, RatingErrorOnlySkipsRanking) {
  EvaluateOptions o = options_at(2);
  o.ranking = false;
  const Evaluation e = evaluate(hand_model(), hand_test(), o);
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(19.75 / 12.0));
  EXPECT_DOUBLE_EQ(e.mae, 13.5 / 12.0);
  EXPECT_EQ(e.unknown, 5u);
  EXPECT_EQ(e.ranked_users, 0u);
  EXPECT_DOUBLE_EQ(e.ndcg, 0.0);
}

TEST(Evaluate, RatingErrorOnlyDoesNotLookAtK) {
  // evaluate() refuses k = 0 only "if (ranking && k == 0)", so without
  // ranking k is meant to be ignored; the ranking step must not run at all.
  EvaluateOptions o = options_at(0);
  o.ranking = false;
  Evaluation e;
  EXPECT_NO_THROW(e = evaluate(hand_model(), hand_test(), o));
  EXPECT_DOUBLE_EQ(e.rmse, std::sqrt(19.75 / 12.0));
}

TEST(Evaluate, KZeroIsAUsageError) {
  EXPECT_EQ(kind_of([] { evaluate(hand_model(), hand_test(), options_at(0)); }), ErrorKind::Usage);
}

TEST(Evaluate, ReportsOnTheInputScaleWhenTheModelWasNormalized) {
  // The same model trained on a [0, 5] scale of input ratings in [1, 11]:
  // inverse(y) = 2y + 1. Clip range and test ratings in input units.
  Model m = hand_model();
  m.scaler = Scaler::fit({1.0f, 11.0f});
  m.rating_min = 6.0f;   // inverse(2.5)
  m.rating_max = 9.0f;   // inverse(4)
  Dataset d = hand_test();
  for (Rating& r : d.ratings) r.value = 2.0f * r.value + 1.0f;
  EvaluateOptions o = options_at(2, 9.0);  // inverse(4)
  const Evaluation e = evaluate(m, d, o);
  // Every error doubles: RMSE and MAE double, ranking is unchanged.
  EXPECT_DOUBLE_EQ(e.rmse, 2.0 * std::sqrt(19.75 / 12.0));
  EXPECT_DOUBLE_EQ(e.mae, 2.0 * 13.5 / 12.0);
  EXPECT_EQ(e.unknown, 5u);
  EXPECT_EQ(e.ranked_users, 2u);
  EXPECT_DOUBLE_EQ(e.ndcg, (1.0 / (1.0 + kRank2) + 1.0) / 2.0);
}

// A trained model with more users than one thread's tile (64), so that 4
// threads really split the ranking.
TEST(Evaluate, ThreadCountNeverChangesTheResult) {
  SyntheticSpec s;
  s.users = 300;
  s.items = 120;
  s.rank = 3;
  s.ratings = 6000;
  s.seed = 5;
  const Dataset all = make_synthetic(s);
  const Split split = split_holdout(all, 0.2, 7);
  TrainOptions o;
  o.factors = 8;
  o.epochs = 5;
  o.lr = 0.02;
  o.lambda = 0.05;
  o.threads = 2;
  const Model m = train(TrainInput{&split.train, nullptr}, o);
  const Evaluation one = evaluate(m, split.holdout, options_at(10, 3.5, 1));
  const Evaluation four = evaluate(m, split.holdout, options_at(10, 3.5, 4));
  ASSERT_GT(one.ranked_users, 64u);
  EXPECT_EQ(one.rmse, four.rmse);
  EXPECT_EQ(one.mae, four.mae);
  EXPECT_EQ(one.count, four.count);
  EXPECT_EQ(one.unknown, four.unknown);
  EXPECT_EQ(one.precision, four.precision);
  EXPECT_EQ(one.recall, four.recall);
  EXPECT_EQ(one.ndcg, four.ndcg);
  EXPECT_EQ(one.ranked_users, four.ranked_users);
  EXPECT_EQ(one.count, split.holdout.ratings.size());
}

// ---------------------------------------------------------------------------
// Folds.

std::vector<std::size_t> fold_sizes(const std::vector<std::uint32_t>& fold_of, std::uint32_t folds) {
  std::vector<std::size_t> sizes(folds, 0);
  for (std::uint32_t f : fold_of) {
    EXPECT_LT(f, folds);
    if (f < folds) ++sizes[f];
  }
  return sizes;
}

TEST(Folds, PartitionExactlyWithSizesWithinOne) {
  for (const std::uint32_t folds : {2u, 3u, 5u, 7u}) {
    for (const std::size_t n : {std::size_t{7}, std::size_t{103}, std::size_t{1000}}) {
      if (n < folds) continue;
      const std::vector<std::uint32_t> fold_of = assign_folds(n, folds, 42);
      ASSERT_EQ(fold_of.size(), n);  // every rating has exactly one fold
      const std::vector<std::size_t> sizes = fold_sizes(fold_of, folds);
      EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}), n);
      const auto [lo, hi] = std::minmax_element(sizes.begin(), sizes.end());
      EXPECT_LE(*hi - *lo, 1u) << n << " ratings, " << folds << " folds";
      EXPECT_EQ(*lo, n / folds);
    }
  }
}

TEST(Folds, AsManyFoldsAsRatingsGivesOneEach) {
  const std::vector<std::uint32_t> fold_of = assign_folds(5, 5, 1);
  std::vector<std::uint32_t> sorted = fold_of;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

TEST(Folds, ReproducibleForASeedAndDifferentForAnother) {
  const auto a = assign_folds(500, 5, 42);
  EXPECT_EQ(a, assign_folds(500, 5, 42));
  EXPECT_NE(a, assign_folds(500, 5, 43));
  // Shuffled, not dealt in rating order (which would put neighbours, often
  // one user's ratings, in lockstep).
  std::vector<std::uint32_t> dealt(500);
  for (std::size_t i = 0; i < dealt.size(); ++i) dealt[i] = static_cast<std::uint32_t>(i % 5);
  EXPECT_NE(a, dealt);
}

TEST(Folds, BadFoldCountsThrow) {
  EXPECT_EQ(kind_of([] { assign_folds(10, 0, 1); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([] { assign_folds(10, 1, 1); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([] { assign_folds(3, 5, 1); }), ErrorKind::Data);  // fewer ratings than folds
  EXPECT_EQ(kind_of([] { assign_folds(0, 2, 1); }), ErrorKind::Data);
}

Dataset small_synthetic() {
  SyntheticSpec s;
  s.users = 40;
  s.items = 30;
  s.rank = 2;
  s.ratings = 600;
  s.seed = 9;
  Dataset d = make_synthetic(s);
  d.source = "synthetic";
  return d;
}

bool same_rating(const Rating& x, const Rating& y) {
  return x.user == y.user && x.item == y.item && x.value == y.value;
}

TEST(Folds, SplitIsDisjointCompleteOrderedAndKeepsTheIdMaps) {
  const Dataset d = small_synthetic();
  const std::uint32_t folds = 4;
  const auto fold_of = assign_folds(d.ratings.size(), folds, 17);
  std::vector<int> held_out_times(d.ratings.size(), 0);
  for (std::uint32_t f = 0; f < folds; ++f) {
    const Split s = fold_split(d, fold_of, f);
    ASSERT_EQ(s.train.ratings.size() + s.holdout.ratings.size(), d.ratings.size());
    // Walk the data once: each rating is the next one of exactly the part its
    // fold says, so the parts are disjoint, cover the data and keep its order.
    std::size_t t = 0, h = 0;
    for (std::size_t i = 0; i < d.ratings.size(); ++i) {
      if (fold_of[i] == f) {
        ASSERT_LT(h, s.holdout.ratings.size());
        EXPECT_TRUE(same_rating(s.holdout.ratings[h++], d.ratings[i])) << "fold " << f << " rating " << i;
        ++held_out_times[i];
      } else {
        ASSERT_LT(t, s.train.ratings.size());
        EXPECT_TRUE(same_rating(s.train.ratings[t++], d.ratings[i])) << "fold " << f << " rating " << i;
      }
    }
    for (const Dataset* part : {&s.train, &s.holdout}) {
      ASSERT_EQ(part->users.size(), d.users.size());
      ASSERT_EQ(part->items.size(), d.items.size());
      for (std::uint32_t u = 0; u < d.users.size(); ++u) EXPECT_EQ(part->users.name(u), d.users.name(u));
      for (std::uint32_t i = 0; i < d.items.size(); ++i) EXPECT_EQ(part->items.name(i), d.items.name(i));
      EXPECT_EQ(part->source, d.source);
    }
  }
  // Over all folds, every rating is held out exactly once.
  EXPECT_TRUE(std::all_of(held_out_times.begin(), held_out_times.end(), [](int n) { return n == 1; }));
}

// ---------------------------------------------------------------------------
// cross_validate.

TrainOptions cv_options() {
  TrainOptions o;
  o.factors = 4;
  o.epochs = 5;
  o.lr = 0.02;
  o.lambda = 0.05;
  o.seed = 3;
  o.threads = 2;
  return o;
}

TEST(CrossValidation, ReproducibleAndConsistent) {
  const Dataset d = small_synthetic();
  std::vector<std::uint32_t> reported;
  const CrossValidation cv =
      cross_validate(d, cv_options(), 3, 11, [&](const FoldResult& f) { reported.push_back(f.fold); });
  const CrossValidation again = cross_validate(d, cv_options(), 3, 11);

  ASSERT_EQ(cv.folds.size(), 3u);
  EXPECT_EQ(reported, (std::vector<std::uint32_t>{1, 2, 3}));  // every fold, in order, as it finishes
  std::uint64_t count = 0;
  std::vector<double> rmse, mae;
  for (std::size_t f = 0; f < cv.folds.size(); ++f) {
    const FoldResult& r = cv.folds[f];
    EXPECT_EQ(r.fold, f + 1);  // 1-based
    EXPECT_GT(r.count, 0u);
    EXPECT_GT(r.rmse, 0.0);
    EXPECT_LE(r.mae, r.rmse);  // MAE ≤ RMSE always
    count += r.count;
    rmse.push_back(r.rmse);
    mae.push_back(r.mae);
    // Same folds, same training seed: the same numbers (timings aside).
    EXPECT_EQ(r.fold, again.folds[f].fold);
    EXPECT_EQ(r.rmse, again.folds[f].rmse);
    EXPECT_EQ(r.mae, again.folds[f].mae);
    EXPECT_EQ(r.count, again.folds[f].count);
    EXPECT_EQ(r.unknown, again.folds[f].unknown);
  }
  EXPECT_EQ(count, d.ratings.size());  // every rating tested once
  EXPECT_EQ(cv.rmse_mean, again.rmse_mean);
  EXPECT_EQ(cv.rmse_std, again.rmse_std);
  EXPECT_EQ(cv.mae_mean, again.mae_mean);
  EXPECT_EQ(cv.mae_std, again.mae_std);

  // Mean and sample standard deviation (n − 1) of the per-fold numbers.
  auto mean = [](const std::vector<double>& x) { return (x[0] + x[1] + x[2]) / 3.0; };
  auto sample_sd = [&](const std::vector<double>& x) {
    const double m = mean(x);
    return std::sqrt(((x[0] - m) * (x[0] - m) + (x[1] - m) * (x[1] - m) + (x[2] - m) * (x[2] - m)) / 2.0);
  };
  EXPECT_NEAR(cv.rmse_mean, mean(rmse), 1e-12);
  EXPECT_NEAR(cv.mae_mean, mean(mae), 1e-12);
  EXPECT_NEAR(cv.rmse_std, sample_sd(rmse), 1e-12);
  EXPECT_NEAR(cv.mae_std, sample_sd(mae), 1e-12);
  EXPECT_GT(cv.rmse_std, 0.0);  // three different folds cannot score identically
}

TEST(CrossValidation, EachFoldScoresAModelTrainedOnTheOthers) {
  // Fold 2 redone by hand from the public pieces must give the same numbers.
  const Dataset d = small_synthetic();
  const CrossValidation cv = cross_validate(d, cv_options(), 3, 11);
  const Split s = fold_split(d, assign_folds(d.ratings.size(), 3, 11), 1);
  const Model m = train(TrainInput{&s.train, nullptr}, cv_options());
  EvaluateOptions eo;
  eo.ranking = false;
  const Evaluation e = evaluate(m, s.holdout, eo);
  ASSERT_EQ(cv.folds.size(), 3u);
  EXPECT_EQ(cv.folds[1].count, s.holdout.ratings.size());
  EXPECT_EQ(cv.folds[1].rmse, e.rmse);
  EXPECT_EQ(cv.folds[1].mae, e.mae);
  EXPECT_EQ(cv.folds[1].unknown, e.unknown);
}

TEST(CrossValidation, AnImplicitModelIsScoredByItsRanking) {
  // Fold 2 redone by hand: evaluate's ranking at 10 with its default
  // relevance; no rating error.
  const Dataset d = small_synthetic();
  TrainOptions o = TrainOptions::defaults_for(Objective::Implicit);
  o.factors = 4;
  o.epochs = 3;
  const CrossValidation cv = cross_validate(d, o, 3, 11);
  const Split s = fold_split(d, assign_folds(d.ratings.size(), 3, 11), 1);
  const Evaluation e = evaluate(train(TrainInput{&s.train, nullptr}, o), s.holdout, EvaluateOptions{.k = 10});
  ASSERT_EQ(cv.folds.size(), 3u);
  ASSERT_GT(e.ranked_users, 0u);
  EXPECT_EQ(cv.folds[1].ndcg, e.ndcg);
  EXPECT_EQ(cv.folds[1].precision, e.precision);
  EXPECT_EQ(cv.folds[1].recall, e.recall);
  EXPECT_TRUE(std::isnan(cv.folds[1].rmse));
  EXPECT_NEAR(cv.ndcg_mean, (cv.folds[0].ndcg + cv.folds[1].ndcg + cv.folds[2].ndcg) / 3.0, 1e-12);
  // A rating model's folds leave the ranking undefined.
  EXPECT_TRUE(std::isnan(cross_validate(d, cv_options(), 3, 11).folds[0].ndcg));
}

TEST(CrossValidation, AGridOfImplicitSettingsIsRankedByNdcgHighestFirst) {
  const Dataset d = small_synthetic();
  TrainOptions o = TrainOptions::defaults_for(Objective::Implicit);
  o.factors = 4;
  o.epochs = 3;
  const std::vector<GridResult> results =
      grid_search(d, expand_grid(o, {parse_grid_axis("lambda=0.001,0.06,5")}), 3, 11, {});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_GE(results[0].cv.ndcg_mean, results[1].cv.ndcg_mean);
  EXPECT_GE(results[1].cv.ndcg_mean, results[2].cv.ndcg_mean);
  EXPECT_GT(results[0].cv.ndcg_mean, results[2].cv.ndcg_mean);  // the settings do rank differently
}

TEST(CrossValidation, TheSameFoldsForAnyTrainingOptions) {
  // Counts and unknowns depend only on the folds; other settings (even
  // another training seed) must not move them.
  const Dataset d = small_synthetic();
  const CrossValidation a = cross_validate(d, cv_options(), 3, 11);
  TrainOptions other = cv_options();
  other.factors = 2;
  other.lambda = 0.2;
  other.epochs = 2;
  other.seed = 99;
  const CrossValidation b = cross_validate(d, other, 3, 11);
  ASSERT_EQ(a.folds.size(), b.folds.size());
  for (std::size_t f = 0; f < a.folds.size(); ++f) {
    EXPECT_EQ(a.folds[f].count, b.folds[f].count);
    EXPECT_EQ(a.folds[f].unknown, b.folds[f].unknown);
  }
  EXPECT_NE(a.rmse_mean, b.rmse_mean);
}

TEST(CrossValidation, BadFoldCountsAndOptionsThrow) {
  const Dataset d = small_synthetic();
  EXPECT_EQ(kind_of([&] { cross_validate(d, cv_options(), 1, 11); }), ErrorKind::Usage);
  Dataset tiny = d;
  tiny.ratings.resize(2);
  EXPECT_EQ(kind_of([&] { cross_validate(tiny, cv_options(), 3, 11); }), ErrorKind::Data);
  TrainOptions bad = cv_options();
  bad.factors = 0;
  EXPECT_EQ(kind_of([&] { cross_validate(d, bad, 3, 11); }), ErrorKind::Usage);
}

// ---------------------------------------------------------------------------
// The most-popular baseline, on hand_model() with training counts
//   x 5, z 4, v 3, w 2, y 1, cold 0 (so the popular order is x z v w y;
//   cold has no training rating and is never a candidate).
Model counted_model() {
  Model m = hand_model();
  m.item_counts = {/*x*/ 5, /*y*/ 1, /*z*/ 4, /*w*/ 2, /*v*/ 3, /*cold*/ 0};
  return m;
}

TEST(Evaluate, PopularListByHand) {
  // K = 2. a (trained x): [z, v], relevant {y, w}: no hit: P = R = NDCG = 0.
  //        c (trained y, z, w): [x, v], relevant {x}: hit at 1: P = 1/2, R = 1, NDCG = 1.
  const Evaluation e = evaluate(counted_model(), hand_test(), options_at(2));
  EXPECT_EQ(e.ranked_users, 2u);
  EXPECT_DOUBLE_EQ(e.popular.precision, (0.0 + 0.5) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.recall, (0.0 + 1.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.ndcg, (0.0 + 1.0) / 2.0);
  // The model's own ranking is unchanged by the counts.
  EXPECT_DOUBLE_EQ(e.ndcg, (1.0 / (1.0 + kRank2) + 1.0) / 2.0);
}

TEST(Evaluate, PopularListAtThreeReachesFurtherDown) {
  // K = 3. a: [z, v, w], hit w at 3: P = 1/3, R = 1/2, NDCG = (1/log2 4) / (1 + 1/log2 3).
  //        c: [x, v] (cold never), hit x at 1: P = 1/3, R = 1, NDCG = 1.
  const Evaluation e = evaluate(counted_model(), hand_test(), options_at(3));
  EXPECT_DOUBLE_EQ(e.popular.precision, (1.0 / 3.0 + 1.0 / 3.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.recall, (0.5 + 1.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.ndcg, (0.5 / (1.0 + kRank2) + 1.0) / 2.0);
}

TEST(Evaluate, PopularListKeepsToTheMinRatingsCandidates) {
  // min_ratings 4 leaves x and z. a: [z], no hit. c: [x], hit at 1:
  // P = 1/3, R = 1, NDCG = 1.
  EvaluateOptions o = options_at(3);
  o.recommend.min_ratings = 4;
  const Evaluation e = evaluate(counted_model(), hand_test(), o);
  EXPECT_DOUBLE_EQ(e.popular.precision, (0.0 + 1.0 / 3.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.recall, (0.0 + 1.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.ndcg, (0.0 + 1.0) / 2.0);
}

TEST(Evaluate, PopularListOfAModelWithoutCountsCountsRatedItems) {
  // hand_model() has no item_counts: popularity is who rated what in
  // training: x 2 (a, b), y z w v 1 each, cold 0. K = 2.
  // a: [y, z] (x trained; ties by item order), relevant {y, w}: hit at 1.
  // c: [x, v], hit x at 1.
  const Evaluation e = evaluate(hand_model(), hand_test(), options_at(2));
  EXPECT_DOUBLE_EQ(e.popular.precision, 0.5);
  EXPECT_DOUBLE_EQ(e.popular.recall, (0.5 + 1.0) / 2.0);
  EXPECT_DOUBLE_EQ(e.popular.ndcg, (1.0 / (1.0 + kRank2) + 1.0) / 2.0);
}

TEST(Evaluate, ImplicitModelHasNoRatingErrorAndCountsEveryInteractionWhenNoneReachesFour) {
  Model m = counted_model();
  m.options.objective = Objective::Implicit;
  Dataset clicks = hand_test();
  for (Rating& r : clicks.ratings) r.value = 1.0f;  // interactions without a rating
  const Evaluation e = evaluate(m, clicks, EvaluateOptions{.k = 2});
  EXPECT_TRUE(std::isnan(e.rmse));
  EXPECT_TRUE(std::isnan(e.mae));
  EXPECT_EQ(e.count, 12u);
  EXPECT_GT(e.relevant_threshold, 0.0);  // any value above 0
  EXPECT_LT(e.relevant_threshold, 1e-300);
  // Now b is ranked too (y, z relevant), as are a (y, w, v) and c (x).
  EXPECT_EQ(e.ranked_users, 3u);
  // A 0 or a negative value is no "yes": with b's two set so, b drops out.
  Dataset noes = clicks;
  for (Rating& r : noes.ratings)
    if (noes.users.name(r.user) == "b") r.value = noes.items.name(r.item) == "y" ? 0.0f : -1.0f;
  EXPECT_EQ(evaluate(m, noes, EvaluateOptions{.k = 2}).ranked_users, 2u);
  // With ratings that reach 4, the default stays 4 (a and c ranked).
  const Evaluation rated = evaluate(m, hand_test(), EvaluateOptions{.k = 2});
  EXPECT_EQ(rated.relevant_threshold, 4.0);
  EXPECT_EQ(rated.ranked_users, 2u);
  // A rating model keeps 4 whatever the test values.
  EXPECT_EQ(evaluate(counted_model(), clicks, EvaluateOptions{.k = 2}).ranked_users, 0u);
}

}  // namespace
}  // namespace mfrec
