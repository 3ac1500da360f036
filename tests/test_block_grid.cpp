// The block grid and its schedule: the guarantees that make parallel SGD
// give the same model for every thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <numeric>
#include <set>

#include "train/block_grid.hpp"
#include "mfrec/io/model_io.hpp"
#include "util/synthetic.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec {
namespace {

TEST(BlockGrid, BandsFollowTheDataSizeOnly) {
  EXPECT_EQ(detail::choose_bands(1), 1u);
  EXPECT_EQ(detail::choose_bands(32768), 1u);
  EXPECT_EQ(detail::choose_bands(32769), 2u);          // ceil(sqrt(1.00003))
  EXPECT_EQ(detail::choose_bands(100836), 2u);         // ml-latest-small: ceil(sqrt(3.08)) = 2
  EXPECT_EQ(detail::choose_bands(10'000'000), 18u);    // ceil(sqrt(305.2)) = 18
  EXPECT_EQ(detail::choose_bands(1'000'000'000), 32u);  // capped
}

TEST(BlockGrid, GroupsEveryRatingByBlockInRowOrder) {
  const Dataset d = make_synthetic({.users = 90, .items = 70, .ratings = 1500});
  for (const auto& [threads, compact] : {std::pair{1u, false}, std::pair{2u, false}, std::pair{1u, true}}) {
    const detail::BlockGrid g =
        detail::make_grid(d.ratings, {.users = d.users.size(), .items = d.items.size(), .bands = 4, .seed = 7,
                                        .allow_compact = compact, .threads = threads});
    ASSERT_EQ(g.compact, compact);
    ASSERT_EQ(g.block_begin.size(), 17u);
    ASSERT_EQ(g.ratings.size(), d.ratings.size());
    // Balanced bands (sizes differ by at most one), each a contiguous run of
    // rows, and every index has its own row.
    for (const auto* side : {&g.users, &g.items}) {
      const auto n = static_cast<std::uint32_t>(side->band.size());
      std::vector<int> size(4, 0);
      std::vector<bool> taken(n, false);
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t b = side->band[i], row = side->row[i];
        ++size.at(b);
        EXPECT_GE(row, side->band_begin[b]);
        EXPECT_LT(row, side->band_begin[b + 1]);
        ASSERT_LT(row, n);
        EXPECT_FALSE(taken[row]) << "row " << row << " given twice";
        taken[row] = true;
      }
      EXPECT_LE(*std::max_element(size.begin(), size.end()) - *std::min_element(size.begin(), size.end()), 1);
    }
    std::vector<std::uint32_t> user_of_row(d.users.size()), item_of_row(d.items.size());
    for (std::uint32_t u = 0; u < d.users.size(); ++u) user_of_row[g.users.row[u]] = u;
    for (std::uint32_t i = 0; i < d.items.size(); ++i) item_of_row[g.items.row[i]] = i;
    for (std::uint32_t b = 0; b < 16; ++b) {
      // The block's ratings, renumbered into rows and sorted by (user row,
      // item row)...
      std::vector<Rating> expected;
      for (const auto& r : d.ratings)
        if (g.block_of(r.user, r.item) == b) expected.push_back({g.users.row[r.user], g.items.row[r.item], r.value});
      std::sort(expected.begin(), expected.end(),
                [](const Rating& x, const Rating& y) { return std::pair(x.user, x.item) < std::pair(y.user, y.item); });
      const std::size_t n = g.block_begin[b + 1] - g.block_begin[b];
      ASSERT_EQ(n, expected.size()) << "block " << b;
      // ...cut into kStreams runs and interleaved.
      const std::size_t run = (n + detail::kStreams - 1) / detail::kStreams;
      std::size_t at = g.block_begin[b];
      for (std::size_t j = 0; j < run; ++j) {
        for (std::size_t s = 0; s < detail::kStreams && j + s * run < n; ++s, ++at) {
          const Rating& want = expected[j + s * run];
          const Rating got = g.rating(at, b);
          EXPECT_EQ(got.user, want.user);
          EXPECT_EQ(got.item, want.item);
          EXPECT_EQ(got.value, want.value);
          EXPECT_EQ(g.block_of(user_of_row[got.user], item_of_row[got.item]), b);
        }
      }
    }
  }
}

// 8-byte ratings hold band offsets below 65,536; a wider band keeps 12.
TEST(BlockGrid, CompactOnlyWhenEveryBandFitsSixteenBits) {
  std::vector<Rating> one_each;
  for (std::uint32_t u = 0; u < 200'000; ++u) one_each.push_back({u, u % 50, 1.0f});
  const auto wide = detail::make_grid(one_each, {.users = 200'000, .items = 50, .bands = 3, .seed = 1, .threads = 2});  // bands of 66,667 users
  EXPECT_FALSE(wide.compact);
  const auto narrow = detail::make_grid(one_each, {.users = 200'000, .items = 50, .bands = 4, .seed = 1, .threads = 2});  // 50,000
  EXPECT_TRUE(narrow.compact);
  // Both forms read back every rating: user u rated item u mod 50.
  for (const auto* g : {&wide, &narrow}) {
    std::vector<std::uint32_t> user_of_row(200'000), item_of_row(50);
    for (std::uint32_t u = 0; u < 200'000; ++u) user_of_row[g->users.row[u]] = u;
    for (std::uint32_t i = 0; i < 50; ++i) item_of_row[g->items.row[i]] = i;
    std::uint64_t seen = 0;
    for (std::uint32_t b = 0; b < g->bands * g->bands; ++b) {
      for (std::uint64_t i = g->block_begin[b]; i < g->block_begin[b + 1]; ++i, ++seen) {
        const Rating r = g->rating(i, b);
        ASSERT_EQ(item_of_row.at(r.item), user_of_row.at(r.user) % 50) << "rating " << i;
      }
    }
    EXPECT_EQ(seen, 200'000u);
  }
}

// Every (user row, item row) the grid holds, block by block in grid order.
std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs_of(const detail::BlockGrid& g) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::uint32_t b = 0; b < g.bands * g.bands; ++b)
    g.for_each_pair(b, [&](std::uint32_t user, std::uint32_t item) { pairs.emplace_back(user, item); });
  return pairs;
}

TEST(BlockGrid, DroppingTheValuesKeepsEveryPairInFourBytes) {
  const Dataset d = make_synthetic({.users = 90, .items = 70, .ratings = 1500});
  for (const bool compact : {true, false}) {
    detail::BlockGrid g = detail::make_grid(
        d.ratings, {.users = d.users.size(), .items = d.items.size(), .bands = 4, .seed = 7, .allow_compact = compact});
    const auto before = pairs_of(g);
    ASSERT_EQ(before.size(), d.ratings.size());
    detail::drop_values(g);
    EXPECT_EQ(g.pairs_only, compact);  // a grid of 12-byte ratings is left as it is
    EXPECT_EQ(pairs_of(g), before);
    detail::drop_values(g);  // twice is once
    EXPECT_EQ(pairs_of(g), before);
  }
}

// The model's index (by model index, each user's items ascending) of the
// grid's ratings and of ratings kept out of it, for every form of grid and
// thread count.
// Each with the user's own rating, coded in a byte (half stars here: 10 levels).
TEST(BlockGrid, RatedItemsIndexHoldsTheGridsRatingsAndTheOnesAlsoRated) {
  Dataset d = make_synthetic({.users = 90, .items = 70, .ratings = 1500});
  for (Rating& r : d.ratings) r.value = std::clamp(std::round(r.value * 2.0f) / 2.0f, 0.5f, 5.0f);
  std::vector<std::uint64_t> offsets(std::size_t{d.users.size()} + 1, 0);
  std::vector<std::uint32_t> items;
  std::vector<float> given;
  for (const Rating& r : d.ratings) {  // sorted by (user, item): the index itself
    ++offsets[r.user + 1];
    items.push_back(r.item);
    given.push_back(r.value);
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  struct Form {
    std::uint32_t bands;
    bool shuffle_rows, compact;
    unsigned threads;
  };
  for (const Form f : {Form{4, true, true, 1}, Form{4, true, true, 2}, Form{4, true, false, 2}, Form{1, false, false, 1}}) {
    std::vector<Rating> in_grid, also;  // every third rating kept out of the grid
    for (std::size_t k = 0; k < d.ratings.size(); ++k) (k % 3 == 1 ? also : in_grid).push_back(d.ratings[k]);
    detail::BlockGrid g =
        detail::make_grid(in_grid, {.users = d.users.size(), .items = d.items.size(), .bands = f.bands, .seed = 7,
                                    .shuffle_rows = f.shuffle_rows, .allow_compact = f.compact, .threads = f.threads});
    for (Rating& r : also) r = {g.users.row[r.user], g.items.row[r.item], r.value};  // training rows
    const detail::RatedItems rated =
        detail::index_rated_items(g, also, detail::code_values(g, also, f.threads), f.threads);
    EXPECT_EQ(rated.offsets, offsets) << f.bands << " bands, compact " << f.compact << ", threads " << f.threads;
    EXPECT_EQ(rated.items, items) << f.bands << " bands, compact " << f.compact << ", threads " << f.threads;
    ASSERT_EQ(rated.codes.size(), items.size());
    ASSERT_LE(rated.levels.size(), 10u);
    EXPECT_TRUE(std::is_sorted(rated.levels.begin(), rated.levels.end()));
    for (std::size_t p = 0; p < items.size(); ++p)
      ASSERT_EQ(rated.levels[rated.codes[p]], given[p]) << "position " << p << ", " << f.bands << " bands, compact "
                                                         << f.compact << ", threads " << f.threads;
  }
}

// Ratings with more distinct values than a byte codes keep no given ratings.
TEST(BlockGrid, RatedItemsIndexCodesNoRatingsOfMoreThan255Values) {
  const Dataset d = make_synthetic({.users = 90, .items = 70, .ratings = 1500});
  std::vector<Rating> ratings = d.ratings;
  for (std::size_t k = 0; k < ratings.size(); ++k) ratings[k].value = 1.0f + static_cast<float>(k % 256) / 64.0f;
  detail::BlockGrid g = detail::make_grid(ratings, {.users = d.users.size(), .items = d.items.size(), .bands = 4, .seed = 7, .threads = 2});
  const detail::RatedItems rated = detail::index_rated_items(g, {}, detail::code_values(g, {}, 2), 2);
  EXPECT_EQ(rated.items.size(), ratings.size());
  EXPECT_TRUE(rated.levels.empty());
  EXPECT_TRUE(rated.codes.empty());
}

TEST(BlockGrid, SequentialGridKeepsTheInputOrderAndIds) {
  const Dataset d = make_synthetic({.users = 50, .items = 40, .ratings = 600});
  const detail::BlockGrid g = detail::make_grid(d.ratings, {.users = d.users.size(), .items = d.items.size(), .seed = 7, .shuffle_rows = false, .threads = 2});
  ASSERT_EQ(g.ratings.size(), d.ratings.size());
  for (std::size_t i = 0; i < d.ratings.size(); ++i) {
    EXPECT_EQ(g.ratings[i].user, d.ratings[i].user);
    EXPECT_EQ(g.ratings[i].item, d.ratings[i].item);
  }
  for (std::uint32_t u = 0; u < d.users.size(); ++u) EXPECT_EQ(g.users.row[u], u);
}

TEST(BlockGrid, NoStratumRunsTwoBlocksSharingABand) {
  for (std::uint32_t bands : {1u, 2u, 3u, 5u, 8u, 18u}) {
    for (std::uint32_t epoch = 1; epoch <= 4; ++epoch) {
      const auto strata = detail::epoch_schedule(bands, 42, epoch);
      ASSERT_EQ(strata.size(), bands);
      std::set<std::uint32_t> every_block;
      for (const auto& stratum : strata) {
        ASSERT_EQ(stratum.size(), bands);
        std::set<std::uint32_t> user_bands, item_bands;
        for (std::uint32_t block : stratum) {
          EXPECT_TRUE(user_bands.insert(block / bands).second) << "user band shared, B=" << bands;
          EXPECT_TRUE(item_bands.insert(block % bands).second) << "item band shared, B=" << bands;
          EXPECT_TRUE(every_block.insert(block).second) << "block run twice in one epoch";
        }
      }
      EXPECT_EQ(every_block.size(), std::size_t{bands} * bands) << "a block was skipped";
    }
  }
}

TEST(BlockGrid, ScheduleIsFixedBySeedAndEpoch) {
  EXPECT_EQ(detail::epoch_schedule(8, 42, 3), detail::epoch_schedule(8, 42, 3));
  EXPECT_NE(detail::epoch_schedule(8, 42, 3), detail::epoch_schedule(8, 42, 4));
  EXPECT_NE(detail::epoch_schedule(8, 42, 3), detail::epoch_schedule(8, 43, 3));
}

TEST(BlockGrid, ParallelForRunsEveryIndexOnce) {
  for (unsigned threads : {1u, 2u, 3u, 8u, 64u}) {
    std::vector<std::atomic<int>> runs(37);
    detail::parallel_for(37, threads, [&](std::uint32_t i) { ++runs[i]; });
    for (const auto& r : runs) EXPECT_EQ(r.load(), 1) << threads << " threads";
  }
}

// Enough ratings for a 4 x 4 grid, so threads really share the work; both
// optimizers (AdaGrad also sums each row's squared gradients across blocks).
TEST(BlockGrid, ModelBytesAreTheSameForAnyThreadCount) {
  const Dataset d = make_synthetic({.users = 3000, .items = 1000, .ratings = 300'000});
  ASSERT_EQ(detail::choose_bands(d.ratings.size()), 4u);
  for (Optimizer optimizer : {Optimizer::AdaGrad, Optimizer::Sgd}) {
    TrainOptions o = TrainOptions::defaults_for(Objective::Rating, optimizer);
    o.factors = 8;
    o.epochs = 3;
    std::string reference;
    for (unsigned threads : {1u, 2u, 8u}) {
      o.threads = threads;
      const std::string bytes = serialize_model(train(TrainInput{&d, nullptr}, o));
      if (reference.empty()) reference = bytes;
      EXPECT_TRUE(bytes == reference) << threads << " threads gave a different model";
    }
  }
}

}  // namespace
}  // namespace mfrec
