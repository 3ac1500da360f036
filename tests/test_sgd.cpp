// The SGD kernel against updates worked out by hand. The first cases use
// dyadic numbers (sums of powers of two) so every intermediate value is exact
// in float and the expectations can be compared with ==; the last one uses the
// seed's α and λ with a tolerance.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>

#include "train/block_kernels.hpp"
#include "mfrec/model/model.hpp"
#include "util/random.hpp"
#include "util/synthetic.hpp"
#include "train/sgd_kernel.hpp"

namespace mfrec {
namespace {

constexpr std::size_t kK = 2;

// One user row and one item row of k = 2, padded to a full vector of lanes.
struct Rows {
  FactorMatrix u{1, kK};
  FactorMatrix v{1, kK};
  float* ui() { return u.row(0); }
  float* vj() { return v.row(0); }
};

void expect_padding_zero(const FactorMatrix& m) {
  for (std::size_t f = m.k(); f < m.stride(); ++f) {
    EXPECT_EQ(m.row(0)[f], 0.0f) << "padding lane " << f;
  }
}

TEST(SgdKernel, RowsOfTwoFactorsArePaddedToOneVectorOfZeros) {
  Rows r;
  ASSERT_EQ(r.u.k(), 2u);
  ASSERT_EQ(r.u.stride(), FactorMatrix::kLanes);
  ASSERT_EQ(FactorMatrix::kLanes, 16u);
  expect_padding_zero(r.u);
  // The kernel relies on 64-byte alignment for whole-vector loads.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.u.row(0)) % 64, 0u);
}

TEST(SgdKernel, DotProductSumsOnlyTheRealFactors) {
  // k = 17 spans two vectors of lanes, so both the lane loop and the final
  // pairwise reduction take part. u_f = f + 1, v_f = 2 for f < 17:
  // Σ 2(f+1) = 2 · (17·18/2) = 306.
  FactorMatrix u(1, 17), v(1, 17);
  ASSERT_EQ(u.stride(), 32u);
  for (std::size_t f = 0; f < 17; ++f) {
    u.row(0)[f] = static_cast<float>(f + 1);
    v.row(0)[f] = 2.0f;
  }
  EXPECT_EQ(detail::dot_padded(u.row(0), v.row(0), u.stride()), 306.0f);
}

TEST(SgdStep, UpdateWithoutBiasMatchesTheSeedsRuleByHand) {
  Rows r;
  r.ui()[0] = 1.0f, r.ui()[1] = 0.5f;
  r.vj()[0] = 0.5f, r.vj()[1] = -1.0f;
  // The mean must not enter the prediction of the plain U·Vᵀ model.
  const detail::SgdStep step{/*lr=*/0.25f, /*lambda=*/0.5f, /*mean=*/3.0f, r.u.stride(),
                                  /*lambda_bias=*/0.5f};

  // r̂ = 1·0.5 + 0.5·(−1) = 0, e = 2 − 0 = 2, 2e = 4.
  const float e = step.update<false>(2.0f, r.ui(), r.vj(), nullptr, nullptr);
  EXPECT_EQ(e, 2.0f);

  // U_i += α(2e·V_j − λU_i):
  //   U_i0 = 1   + 0.25·(4·0.5    − 0.5·1)   = 1   + 0.25·1.5   = 1.375
  //   U_i1 = 0.5 + 0.25·(4·(−1)   − 0.5·0.5) = 0.5 + 0.25·(−4.25) = −0.5625
  EXPECT_EQ(r.ui()[0], 1.375f);
  EXPECT_EQ(r.ui()[1], -0.5625f);
  // V_j += α(2e·U_i − λV_j) with the already-updated U_i:
  //   V_j0 = 0.5 + 0.25·(4·1.375    − 0.5·0.5)    = 0.5 + 0.25·5.25   = 1.8125
  //   V_j1 = −1  + 0.25·(4·(−0.5625) − 0.5·(−1))  = −1  + 0.25·(−1.75) = −1.4375
  // (With the old U_i, V_j0 would be 0.5 + 0.25·(4·1 − 0.25) = 1.4375.)
  EXPECT_EQ(r.vj()[0], 1.8125f);
  EXPECT_EQ(r.vj()[1], -1.4375f);

  expect_padding_zero(r.u);
  expect_padding_zero(r.v);
}

TEST(SgdStep, UpdateWithBiasMatchesTheSeedsRuleByHand) {
  Rows r;
  r.ui()[0] = 1.0f, r.ui()[1] = 0.5f;
  r.vj()[0] = 0.5f, r.vj()[1] = -1.0f;
  float bu = 0.25f, bv = -0.5f;
  const detail::SgdStep step{/*lr=*/0.25f, /*lambda=*/0.5f, /*mean=*/0.5f, r.u.stride(),
                                  /*lambda_bias=*/0.5f};

  // r̂ = μ + b_i + c_j + U_i·V_j = 0.5 + 0.25 − 0.5 + 0 = 0.25, e = 2 − 0.25 = 1.75, 2e = 3.5.
  const float e = step.update<true>(2.0f, r.ui(), r.vj(), &bu, &bv);
  EXPECT_EQ(e, 1.75f);

  //   U_i0 = 1   + 0.25·(3.5·0.5  − 0.5·1)   = 1   + 0.25·1.25    = 1.3125
  //   U_i1 = 0.5 + 0.25·(3.5·(−1) − 0.5·0.5) = 0.5 + 0.25·(−3.75) = −0.4375
  EXPECT_EQ(r.ui()[0], 1.3125f);
  EXPECT_EQ(r.ui()[1], -0.4375f);
  //   V_j0 = 0.5 + 0.25·(3.5·1.3125    − 0.5·0.5)   = 0.5 + 0.25·4.34375    = 1.5859375
  //   V_j1 = −1  + 0.25·(3.5·(−0.4375) − 0.5·(−1))  = −1  + 0.25·(−1.03125) = −1.2578125
  EXPECT_EQ(r.vj()[0], 1.5859375f);
  EXPECT_EQ(r.vj()[1], -1.2578125f);
  // The biases use the same e, computed before any update:
  //   b_i = 0.25 + 0.25·(3.5 − 0.5·0.25)   = 0.25 + 0.25·3.375 = 1.09375
  //   c_j = −0.5 + 0.25·(3.5 − 0.5·(−0.5)) = −0.5 + 0.25·3.75  = 0.4375
  EXPECT_EQ(bu, 1.09375f);
  EXPECT_EQ(bv, 0.4375f);

  expect_padding_zero(r.u);
  expect_padding_zero(r.v);
}

TEST(SgdStep, UpdateWithTheSeedsLearningRateAndLambda) {
  Rows r;
  r.ui()[0] = 0.3f, r.ui()[1] = -0.2f;
  r.vj()[0] = 0.1f, r.vj()[1] = 0.4f;
  const detail::SgdStep step{/*lr=*/0.01f, /*lambda=*/0.02f, /*mean=*/0.0f, r.u.stride(),
                                  /*lambda_bias=*/0.02f};

  // r̂ = 0.3·0.1 + (−0.2)·0.4 = 0.03 − 0.08 = −0.05, e = 4 − (−0.05) = 4.05, 2e = 8.1.
  const float e = step.update<false>(4.0f, r.ui(), r.vj(), nullptr, nullptr);
  EXPECT_NEAR(e, 4.05, 1e-6);
  //   U_i0 = 0.3  + 0.01·(8.1·0.1 − 0.02·0.3)    = 0.3  + 0.01·0.804 = 0.30804
  //   U_i1 = −0.2 + 0.01·(8.1·0.4 − 0.02·(−0.2)) = −0.2 + 0.01·3.244 = −0.16756
  EXPECT_NEAR(r.ui()[0], 0.30804, 1e-6);
  EXPECT_NEAR(r.ui()[1], -0.16756, 1e-6);
  //   V_j0 = 0.1 + 0.01·(8.1·0.30804    − 0.02·0.1) = 0.1 + 0.01·2.493124    = 0.12493124
  //   V_j1 = 0.4 + 0.01·(8.1·(−0.16756) − 0.02·0.4) = 0.4 + 0.01·(−1.365236) = 0.38634764
  EXPECT_NEAR(r.vj()[0], 0.12493124, 1e-6);
  EXPECT_NEAR(r.vj()[1], 0.38634764, 1e-6);
  expect_padding_zero(r.u);
  expect_padding_zero(r.v);
}

TEST(SgdStep, ZeroErrorOnlyShrinksByTheRegularization) {
  // With e = 0 the rule reduces to x += α(−λx), i.e. x·(1 − αλ) = x·(1 − 0.5·0.5) = 0.75x,
  // applied to U_i, then V_j, then both biases.
  Rows r;
  r.ui()[0] = 1.0f, r.ui()[1] = 1.0f;
  r.vj()[0] = 1.0f, r.vj()[1] = 0.5f;
  float bu = 0.5f, bv = 1.0f;
  const detail::SgdStep step{/*lr=*/0.5f, /*lambda=*/0.5f, /*mean=*/0.0f, r.u.stride(),
                                  /*lambda_bias=*/0.5f};
  // r̂ = 0 + 0.5 + 1 + (1·1 + 1·0.5) = 3 = r.
  EXPECT_EQ(step.update<true>(3.0f, r.ui(), r.vj(), &bu, &bv), 0.0f);
  EXPECT_EQ(r.ui()[0], 0.75f);
  EXPECT_EQ(r.ui()[1], 0.75f);
  EXPECT_EQ(r.vj()[0], 0.75f);
  EXPECT_EQ(r.vj()[1], 0.375f);
  EXPECT_EQ(bu, 0.375f);
  EXPECT_EQ(bv, 0.75f);
}

// The block pass is compiled for baseline x86-64, AVX2 and AVX-512, each
// with its own vector type for the update; the CPU picks one, so without this
// test only that one would ever run. Every variant the CPU supports must train
// the same numbers: AVX2 and AVX-512 bit for bit (the same fused operations
// lane by lane), baseline (no FMA) to rounding.
TEST(SgdKernel, EveryCompiledVariantTrainsTheSameNumbers) {
  const Dataset d = make_synthetic({.users = 300, .items = 200, .ratings = 6000});
  const detail::BlockGrid grid = detail::make_grid(d.ratings, {.users = d.users.size(), .items = d.items.size(), .bands = 1, .seed = 3});
  for (std::size_t k : {5u, 16u, 32u, 40u}) {  // padded strides 16, 16, 32 (unrolled) and 48 (general loop)
    for (bool bias : {true, false}) {
      auto run = [&](detail::KernelIsa isa) {
        detail::TrainState s{FactorMatrix(d.users.size(), k), FactorMatrix(d.items.size(), k),
                             std::vector<float>(d.users.size(), 0.0f), std::vector<float>(d.items.size(), 0.0f), {}, {}};
        Rng rng(7);
        for (auto* f : {&s.u, &s.v})
          for (std::size_t r = 0; r < f->rows(); ++r) rng.fill_normal(f->row(r), k, 0.1);
        const detail::SgdStep step{0.01f, 0.05f, 3.5f, s.u.stride(), 0.02f};
        for (int pass = 0; pass < 3; ++pass) detail::sgd_block(isa, step, bias, s, grid, 0);
        return s;
      };
      const detail::TrainState base = run(detail::KernelIsa::Baseline);
      std::optional<detail::TrainState> fused;
      for (auto isa : {detail::KernelIsa::Avx2, detail::KernelIsa::Avx512}) {
        if (!detail::cpu_runs(isa)) continue;
        const detail::TrainState got = run(isa);
        for (std::size_t r = 0; r < got.u.rows(); ++r)
          for (std::size_t c = 0; c < k; ++c)
            ASSERT_NEAR(got.u.row(r)[c], base.u.row(r)[c], 1e-4) << "k=" << k << " user row " << r;
        for (std::size_t r = 0; r < got.bu.size(); ++r) ASSERT_NEAR(got.bu[r], base.bu[r], 1e-4);
        if (fused) {
          EXPECT_TRUE(got.u == fused->u && got.v == fused->v && got.bu == fused->bu && got.bv == fused->bv)
              << "AVX2 and AVX-512 differ, k=" << k;
        }
        fused = got;
      }
    }
  }
}

}  // namespace
}  // namespace mfrec
