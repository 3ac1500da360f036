// The centered similarity space on hand-made models: the cosine of the
// double-centered predicted matrix (computed here the slow obvious way from
// Model::predict), a row left constant by centering (similarity 0, never
// NaN), and recommend's neighbour scores as a similarity-weighted average.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "naive_cosine.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/recommend.hpp"
#include "mfrec/query/similarity.hpp"

namespace mfrec {
namespace {

using Matrix = std::vector<std::vector<double>>;

// `users` x `items` with k = 2, biases, and factors given row by row.
Model factor_model(const std::vector<std::vector<float>>& u, const std::vector<std::vector<float>>& v, bool bias) {
  Model m;
  m.options.factors = 2;
  m.options.bias = bias;
  for (std::size_t r = 0; r < u.size(); ++r) m.users.intern("u" + std::to_string(r));
  for (std::size_t i = 0; i < v.size(); ++i) m.items.intern("i" + std::to_string(i));
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.rated_offsets.assign(u.size() + 1, 0);  // nobody rated anything
  m.item_counts.assign(v.size(), 1);
  m.mean = 3.25f;
  m.user_factors = FactorMatrix(u.size(), 2);
  m.item_factors = FactorMatrix(v.size(), 2);
  for (std::size_t r = 0; r < u.size(); ++r) {
    m.user_bias.push_back(bias ? 0.25f * static_cast<float>(r) - 0.5f : 0.0f);
    for (std::size_t c = 0; c < 2; ++c) m.user_factors.row(r)[c] = u[r][c];
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    m.item_bias.push_back(bias ? 0.75f - 0.5f * static_cast<float>(i) : 0.0f);
    for (std::size_t c = 0; c < 2; ++c) m.item_factors.row(i)[c] = v[i][c];
  }
  return m;
}

const std::vector<std::vector<float>> kUsers = {{1.0f, 0.5f}, {-0.5f, 2.0f}, {0.25f, -1.0f}, {1.5f, 1.5f}};
const std::vector<std::vector<float>> kItems = {{0.5f, 1.0f}, {2.0f, -0.5f}, {-1.0f, 0.25f}, {0.75f, 0.75f}, {0.0f, -2.0f}};

// Model::predict for every cell, minus row means and column means, plus the mean.
Matrix double_centered_predictions(const Model& m, bool items) {
  const std::size_t users = m.users.size(), n = m.items.size();
  Matrix x(users, std::vector<double>(n));
  std::vector<double> row_mean(users, 0.0), col_mean(n, 0.0);
  double mean = 0.0;
  for (std::uint32_t u = 0; u < users; ++u)
    for (std::uint32_t i = 0; i < n; ++i) {
      x[u][i] = m.predict(u, i);
      row_mean[u] += x[u][i] / static_cast<double>(n);
      col_mean[i] += x[u][i] / static_cast<double>(users);
      mean += x[u][i] / static_cast<double>(users * n);
    }
  Matrix out(items ? n : users, std::vector<double>(items ? users : n));
  for (std::size_t u = 0; u < users; ++u)
    for (std::size_t i = 0; i < n; ++i) (items ? out[i][u] : out[u][i]) = x[u][i] - row_mean[u] - col_mean[i] + mean;
  return out;
}

using mfrec::test_support::naive_cosine;

TEST(CenteredSimilarity, IsTheCosineOfTheDoubleCenteredPredictions) {
  for (bool bias : {true, false}) {
    const Model m = factor_model(kUsers, kItems, bias);
    for (Side side : {Side::Users, Side::Items}) {
      SCOPED_TRACE(testing::Message() << "bias " << bias << " items " << (side == Side::Items));
      const Matrix rows = double_centered_predictions(m, side == Side::Items);
      const SimilarityIndex sims(m, side, SimilaritySpace::Centered);
      ASSERT_EQ(sims.size(), rows.size());
      for (std::uint32_t a = 0; a < sims.size(); ++a)
        for (std::uint32_t b = 0; b < sims.size(); ++b)
          EXPECT_NEAR(sims(a, b), a == b ? 1.0 : naive_cosine(rows[a], rows[b]), 1e-9) << a << "," << b;
    }
  }
}

TEST(CenteredSimilarity, MeanAndBiasesDoNotMatter) {
  Model shifted = factor_model(kUsers, kItems, true);
  const Model plain = factor_model(kUsers, kItems, false);
  shifted.mean = 1.5f;
  const SimilarityIndex a(shifted, Side::Users, SimilaritySpace::Centered);
  const SimilarityIndex b(plain, Side::Users, SimilaritySpace::Centered);
  for (std::uint32_t u = 0; u < 4; ++u)
    for (std::uint32_t w = 0; w < 4; ++w) EXPECT_EQ(a(u, w), b(u, w));
}

// User 2's factors are the mean user's, so its centered row is all zeros;
// item 2's likewise among the items.
TEST(CenteredSimilarity, ARowConstantAfterCenteringIsSimilarToNothing) {
  const Model m = factor_model({{1.0f, 2.0f}, {-1.0f, 0.0f}, {0.0f, 1.0f}}, {{2.0f, 1.0f}, {0.0f, -3.0f}, {1.0f, -1.0f}},
                               true);
  for (Side side : {Side::Users, Side::Items}) {
    const SimilarityIndex sims(m, side, SimilaritySpace::Centered);
    EXPECT_EQ(sims(2, 2), 1.0);
    for (std::uint32_t other : {0u, 1u}) {
      EXPECT_EQ(sims(2, other), 0.0);
      EXPECT_EQ(sims(other, 2), 0.0);
    }
    EXPECT_NEAR(sims(0, 1), -1.0, 1e-12);  // two rows left, mirror images
    for (const Neighbor& n : sims.nearest(2, 2)) EXPECT_EQ(n.similarity, 0.0);
  }
}

// Users 0 and 1 point one way, user 2 the opposite way, user 3 is the mean:
// user 0's neighbours are 1 (similarity 1), 3 (0) and 2 (-1). With two
// neighbours only user 1 has a positive weight, so user 0's scores are user
// 1's predictions; with three, still. A user whose neighbours are all at or
// below 0 gets their plain average.
TEST(RecommendNeighbors, ScoresAreASimilarityWeightedAverageOfPredictions) {
  const Model m = factor_model({{1.0f, 1.0f}, {2.0f, 2.0f}, {-3.0f, -3.0f}, {0.0f, 0.0f}}, kItems, true);
  const RecommendOptions two{.top = 5, .method = RecommendMethod::Neighbors, .neighbors = 2, .shrink = 0};
  for (const Recommendation& r : recommend(m, 0, two)) EXPECT_DOUBLE_EQ(r.score, m.predict(1, r.item));
  RecommendOptions all = two;
  all.neighbors = 3;
  for (const Recommendation& r : recommend(m, 0, all)) EXPECT_DOUBLE_EQ(r.score, m.predict(1, r.item));
  // User 3 (the mean) is similar to nobody: 0 to all three.
  for (const Recommendation& r : recommend(m, 3, all))
    EXPECT_NEAR(r.score, (m.predict(0, r.item) + m.predict(1, r.item) + m.predict(2, r.item)) / 3.0, 1e-12);
}

}  // namespace
}  // namespace mfrec
