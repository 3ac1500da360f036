// Implicit feedback by weighted ALS: the row update against the normal
// equations worked out by hand, conjugate gradient against a direct solve,
// the cheap objective against the sum over all pairs, and training as a
// whole (determinism across thread counts, a falling objective, recovered
// structure).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/model/dataset.hpp"
#include "mfrec/train/trainer.hpp"
#include "train/implicit_als.hpp"
#include "util/random.hpp"

namespace mfrec {
namespace {

using detail::FixedSide;
using detail::Interaction;
using detail::InteractionRows;

FactorMatrix matrix(std::size_t k, const std::vector<std::vector<float>>& rows) {
  FactorMatrix m(rows.size(), k);
  for (std::size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), m.row(i));
  return m;
}

FactorMatrix random_matrix(std::size_t rows, std::size_t k, double sd, std::uint64_t seed) {
  FactorMatrix m(rows, k);
  Rng rng(seed);
  for (std::size_t i = 0; i < rows; ++i) rng.fill_normal(m.row(i), k, sd);
  return m;
}

// The 3 x 4 example, k = 2, α = 1, λ = 0.5. Items y0 = (1, 0), y1 = (0, 1),
// y2 = (1, 1), y3 = (0.5, −0.5), so YᵀY = [[2.25, 0.75], [0.75, 2.25]].
// User 0: item 0 r = 2 (c = 3), item 2 r = 1 (c = 2), both p = 1.
// User 1: item 1 r = −1 (c = 2, p = 0), item 3 r = 4 (c = 5, p = 1).
// User 2: item 3 r = 0, which says nothing: no interaction at all.
std::vector<Rating> example_ratings() { return {{0, 0, 2}, {0, 2, 1}, {1, 1, -1}, {1, 3, 4}, {2, 3, 0}}; }
FactorMatrix example_items() { return matrix(2, {{1, 0}, {0, 1}, {1, 1}, {0.5f, -0.5f}}); }

TEST(ImplicitAls, InteractionsKeepSignedConfidenceAndDropZeros) {
  const auto in = detail::make_interactions(example_ratings(), 3, 4, 1.0);
  EXPECT_EQ(in.by_user.offsets, (std::vector<std::uint64_t>{0, 2, 4, 4}));
  ASSERT_EQ(in.by_user.entries.size(), 4u);
  EXPECT_EQ(in.by_user.entries[0].col, 0u);
  EXPECT_EQ(in.by_user.entries[0].weight, 3.0f);
  EXPECT_EQ(in.by_user.entries[2].weight, -2.0f);  // p = 0, c = 2
  EXPECT_EQ(in.by_user.entries[2].confidence(), 2.0f);
  EXPECT_EQ(in.by_user.entries[2].target(), 0.0f);
  EXPECT_EQ(in.by_item.offsets, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(in.by_item.entries[3].col, 1u);  // item 3: user 1 (user 2's r = 0 left out)
  EXPECT_EQ(in.by_item.entries[3].weight, 5.0f);
}

// Σ c·p over the example's interactions: 3 + 2 (user 0) + 0 + 5 (user 1;
// the confident "no" has p = 0) = 10.
TEST(ImplicitAls, LambdaScalesWithTheNormOfTheWeightedTarget) {
  const auto in = detail::make_interactions(example_ratings(), 3, 4, 1.0);
  EXPECT_DOUBLE_EQ(detail::scaled_lambda(0.5, in.by_user), 0.5 * std::sqrt(10.0));
  EXPECT_DOUBLE_EQ(detail::scaled_lambda(0.5, in.by_item), 0.5 * std::sqrt(10.0));
  const auto none = detail::make_interactions({}, 2, 2, 1.0);
  EXPECT_DOUBLE_EQ(detail::scaled_lambda(0.5, none.by_user), 0.5) << "no data: λ itself";
}

TEST(ImplicitAls, ConfidenceThatOverflowsIsADataError) {
  const std::vector<Rating> huge{{0, 0, 3e38f}};
  try {
    detail::make_interactions(huge, 1, 1, 10.0);
    FAIL() << "expected Error(Data)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
  }
}

// The update by hand, A x = b with A = YᵀY + Yᵀ(C_u − I)Y + λI, b = YᵀC_u p_u:
// user 0: Yᵀ(C−I)Y = 2·y0y0ᵀ + 1·y2y2ᵀ = [[3, 1], [1, 1]],
//   A = [[5.75, 1.75], [1.75, 3.75]], b = 3·y0 + 2·y2 = (5, 2), det A = 18.5,
//   x = (3.75·5 − 1.75·2, −1.75·5 + 5.75·2) / 18.5 = (15.25, 2.75) / 18.5.
// user 1: Yᵀ(C−I)Y = 1·y1y1ᵀ + 4·y3y3ᵀ = [[1, −1], [−1, 2]],
//   A = [[3.75, −0.25], [−0.25, 4.75]], b = 5·y3 = (2.5, −2.5), det A = 17.75,
//   x = (4.75·2.5 − 0.25·2.5, 0.25·2.5 − 3.75·2.5) / 17.75 = (11.25, −8.75) / 17.75.
// user 2: A x = 0, so x = 0.
// Conjugate gradient with k = 2 steps solves a 2-dimensional system exactly,
// from any start.
TEST(ImplicitAls, RowUpdateSolvesTheWeightedNormalEquations) {
  const auto in = detail::make_interactions(example_ratings(), 3, 4, 1.0);
  const FactorMatrix y = example_items();
  const FactorMatrix g = detail::gram(y, 1);
  EXPECT_FLOAT_EQ(g.row(0)[0], 2.25f);
  EXPECT_FLOAT_EQ(g.row(0)[1], 0.75f);
  EXPECT_FLOAT_EQ(g.row(1)[1], 2.25f);
  FactorMatrix x = matrix(2, {{0.3f, -0.2f}, {0, 0}, {1, 2}});
  detail::solve_rows(x, FixedSide{y, g, 0.5f, 2}, in.by_user, 2);
  EXPECT_NEAR(x.row(0)[0], 15.25 / 18.5, 1e-6);
  EXPECT_NEAR(x.row(0)[1], 2.75 / 18.5, 1e-6);
  EXPECT_NEAR(x.row(1)[0], 11.25 / 17.75, 1e-6);
  EXPECT_NEAR(x.row(1)[1], -8.75 / 17.75, 1e-6);
  EXPECT_NEAR(x.row(2)[0], 0.0, 1e-6);
  EXPECT_NEAR(x.row(2)[1], 0.0, 1e-6);
}

// Gaussian elimination with partial pivoting, in double.
std::vector<double> direct_solve(std::vector<std::vector<double>> a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
    std::swap(a[c], a[pivot]);
    std::swap(b[c], b[pivot]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      for (std::size_t j = c; j < n; ++j) a[r][j] -= f * a[c][j];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (std::size_t r = n; r-- > 0;) {
    double s = b[r];
    for (std::size_t j = r + 1; j < n; ++j) s -= a[r][j] * x[j];
    x[r] = s / a[r][r];
  }
  return x;
}

TEST(ImplicitAls, ConjugateGradientMatchesADirectSolve) {
  constexpr std::size_t k = 12, items = 40;
  const FactorMatrix y = random_matrix(items, k, 0.3, 5);
  const FactorMatrix g = detail::gram(y, 1);
  const float lambda = 0.2f;
  std::vector<Interaction> row;
  Rng rng(9);
  for (std::uint32_t i = 0; i < items; i += 3) {
    const float c = 1.0f + static_cast<float>(rng.uniform() * 4.0);
    row.push_back({i, i % 2 ? c : -c});
  }
  // A and b written out, in double.
  std::vector<std::vector<double>> a(k, std::vector<double>(k, 0.0));
  std::vector<double> b(k, 0.0);
  for (std::size_t f = 0; f < k; ++f) {
    a[f][f] += lambda;
    for (std::size_t j = 0; j < k; ++j) a[f][j] += g.row(f)[j];
  }
  for (const Interaction& e : row) {
    const float* yi = y.row(e.col);
    for (std::size_t f = 0; f < k; ++f) {
      b[f] += e.target() * double{yi[f]};
      for (std::size_t j = 0; j < k; ++j) a[f][j] += (e.confidence() - 1.0) * yi[f] * yi[j];
    }
  }
  const std::vector<double> expected = direct_solve(a, b);
  FactorMatrix x = random_matrix(1, k, 0.1, 11);
  detail::CgScratch scratch(x.stride());
  detail::solve_row(x.row(0), FixedSide{y, g, lambda, 2 * k}, row.data(), row.data() + row.size(), scratch);
  for (std::size_t f = 0; f < k; ++f) EXPECT_NEAR(x.row(0)[f], expected[f], 1e-6) << "f = " << f;
  for (std::size_t f = k; f < x.stride(); ++f) EXPECT_EQ(x.row(0)[f], 0.0f) << "padding stays zero";
}

// Σ over all pairs of c(p − x·y)², p and c from the interactions (1 and 0
// elsewhere), plus λ(‖X‖² + ‖Y‖²), in double.
double brute_force_objective(const FactorMatrix& x, const FactorMatrix& y, const InteractionRows& by_user,
                             double lambda) {
  double sum = 0.0;
  for (std::uint32_t u = 0; u < x.rows(); ++u) {
    for (std::uint32_t i = 0; i < y.rows(); ++i) {
      double c = 1.0, p = 0.0, s = 0.0;
      for (auto e = by_user.offsets[u]; e < by_user.offsets[u + 1]; ++e)
        if (by_user.entries[e].col == i) {
          c = by_user.entries[e].confidence();
          p = by_user.entries[e].weight > 0 ? 1.0 : 0.0;
        }
      for (std::size_t f = 0; f < x.k(); ++f) s += double{x.row(u)[f]} * y.row(i)[f];
      sum += c * (p - s) * (p - s);
    }
  }
  for (const FactorMatrix* m : {&x, &y})
    for (std::size_t r = 0; r < m->rows(); ++r)
      for (std::size_t f = 0; f < m->k(); ++f) sum += lambda * m->row(r)[f] * m->row(r)[f];
  return sum;
}

TEST(ImplicitAls, ObjectiveEqualsTheSumOverAllPairs) {
  constexpr std::uint32_t users = 7, items = 9;
  std::vector<Rating> ratings;
  Rng rng(3);
  for (std::uint32_t u = 0; u < users; ++u)
    for (std::uint32_t i = 0; i < items; ++i)
      if (rng.uniform() < 0.4) ratings.push_back({u, i, static_cast<float>(rng.below(5)) - 1.0f});  // -1 .. 3
  const auto in = detail::make_interactions(ratings, users, items, 2.0);
  const FactorMatrix x = random_matrix(users, 5, 0.5, 1), y = random_matrix(items, 5, 0.5, 2);
  const double expected = brute_force_objective(x, y, in.by_user, 0.3);
  EXPECT_NEAR(detail::implicit_objective(x, y, in.by_user, detail::gram(y, 2), 0.3, 2), expected,
              1e-5 * expected);
}

// Two blocks of users and items: users 0..9 interact with items 0..9 only,
// users 10..19 with items 10..19, each with 6 of its block's 10 (strength
// 1..3), the other 4 left out for the ranking check.
Dataset blocks() {
  Dataset d;
  d.source = "blocks";
  for (int u = 0; u < 20; ++u) d.users.intern("u" + std::to_string(u));
  for (int i = 0; i < 20; ++i) d.items.intern("i" + std::to_string(i));
  for (std::uint32_t u = 0; u < 20; ++u) {
    const std::uint32_t block = u / 10 * 10;
    for (std::uint32_t j = 0; j < 10; ++j)
      if ((j + u) % 10 < 6) d.ratings.push_back({u, block + j, static_cast<float>(1 + (j + u) % 3)});
  }
  return d;
}

TrainOptions implicit_options() {
  TrainOptions o = TrainOptions::defaults_for(Objective::Implicit);
  o.factors = 4;
  o.lambda = 0.1;
  o.epochs = 8;
  return o;
}

// Random interactions of 1100 users with 1300 items: more rows than one
// task of a half-iteration, one chunk of the sums and one of the initial
// factors, on both sides.
Dataset random_interactions() {
  Dataset d;
  d.source = "random";
  for (int u = 0; u < 1100; ++u) d.users.intern("u" + std::to_string(u));
  for (int i = 0; i < 1300; ++i) d.items.intern("i" + std::to_string(i));
  Rng rng(17);
  for (std::uint32_t u = 0; u < 1100; ++u)
    for (std::uint32_t i = 0; i < 1300; ++i)
      if (rng.uniform() < 0.01) d.ratings.push_back({u, i, static_cast<float>(1 + rng.below(5))});
  return d;
}

TEST(ImplicitTraining, SameModelBytesForAnyThreadCount) {
  const Dataset d = random_interactions();
  TrainOptions o = implicit_options();
  o.factors = 20;
  o.epochs = 3;
  std::string first;
  for (unsigned threads : {1u, 2u, 3u}) {
    o.threads = threads;
    const std::string bytes = serialize_model(train({.ratings = &d}, o));
    if (first.empty()) first = bytes;
    EXPECT_EQ(bytes, first) << threads << " threads";
  }
}

TEST(ImplicitTraining, ObjectiveFallsEveryIterationAndIsReported) {
  const Dataset d = blocks();
  std::vector<EpochReport> reports;
  const Model m = train({.ratings = &d}, implicit_options(), [&](const EpochReport& r) { reports.push_back(r); });
  ASSERT_EQ(reports.size(), 8u);
  for (std::size_t t = 1; t < reports.size(); ++t)
    EXPECT_LT(reports[t].objective, reports[t - 1].objective) << "iteration " << t + 1;
  EXPECT_TRUE(std::isnan(reports.back().train_rmse));
  EXPECT_EQ(m.summary.epochs_run, 8u);
  EXPECT_EQ(m.summary.train_objective, reports.back().objective);
  EXPECT_TRUE(m.implicit());
  EXPECT_FALSE(m.options.bias);
  EXPECT_EQ(m.mean, 0.0f);
}

// Every user's unseen items of its own block score above every item of the
// other block: the factors found the two groups.
TEST(ImplicitTraining, RecoversBlockStructure) {
  const Dataset d = blocks();
  const Model m = train({.ratings = &d}, implicit_options());
  for (std::uint32_t u = 0; u < 20; ++u) {
    const std::uint32_t own = u / 10 * 10, other = 10 - own;
    double worst_own = 1e30, best_other = -1e30;
    for (std::uint32_t j = 0; j < 10; ++j) {
      if (!m.has_rated(u, own + j)) worst_own = std::min(worst_own, m.raw_score(u, own + j));
      best_other = std::max(best_other, m.raw_score(u, other + j));
    }
    EXPECT_GT(worst_own, best_other) << "user " << u;
  }
}

// Every user twice: the target's singular values grow by √2 and so does
// the λ used, so X·Yᵀ at the optimum is the same (X and Y trade a factor
// 2^¼); a fixed λ would halve the regularization instead. ALS from two
// different starts ends within 0.003 of each other here (scores up to
// 0.75); with the old fixed λ the copy moved the scores by 0.1.
TEST(ImplicitTraining, CopyingEveryUserLeavesTheScoresAlone) {
  const Dataset d = blocks();
  Dataset twice = blocks();
  for (std::uint32_t u = 0; u < 20; ++u) twice.users.intern("copy" + std::to_string(u));
  for (const Rating& r : d.ratings) twice.ratings.push_back({r.user + 20, r.item, r.value});
  TrainOptions o = implicit_options();
  o.lambda = 0.2;
  o.epochs = 40;
  const Model once = train({.ratings = &d}, o), doubled = train({.ratings = &twice}, o);
  for (std::uint32_t u = 0; u < 20; ++u)
    for (std::uint32_t i = 0; i < 20; ++i) {
      EXPECT_NEAR(doubled.raw_score(u, i), once.raw_score(u, i), 1e-2) << u << ", " << i;
      EXPECT_NEAR(doubled.raw_score(u + 20, i), once.raw_score(u, i), 1e-2) << u << ", " << i;
    }
}

TEST(ImplicitTraining, RatingOnlyOptionsAreRefused) {
  const Dataset d = blocks();
  for (auto set : {+[](TrainOptions& o) { o.validation_fraction = 0.2; },
                   +[](TrainOptions& o) { o.normalize = true; }}) {
    TrainOptions o = implicit_options();
    set(o);
    try {
      train({.ratings = &d}, o);
      FAIL() << "expected Error(Usage)";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
    }
  }
  TrainOptions o = implicit_options();
  try {
    train({.ratings = &d, .validation = &d}, o);
    FAIL() << "expected Error(Usage)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

TEST(ImplicitTraining, StopRequestInterruptsOrKeepsTheModel) {
  const Dataset d = blocks();
  const std::atomic<bool> stop{true};
  try {
    train({.ratings = &d, .stop = &stop}, implicit_options());
    FAIL() << "expected Error(Interrupted)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Interrupted);
  }
  const Model m = train({.ratings = &d, .stop = &stop, .keep_on_stop = true}, implicit_options());
  EXPECT_EQ(m.summary.epochs_run, 1u);
  EXPECT_EQ(m.user_factors.rows(), 20u);
}

}  // namespace
}  // namespace mfrec
