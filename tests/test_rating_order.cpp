// sort_ratings and RatingLines against the plain definition the reader used
// to apply: a stable sort by (user, item) of the ratings in file order, the
// first adjacent equal pair being the duplicate to report, with the lines of
// its first two ratings. Random files, grouped by user or not, over small
// and huge catalogues, and runs crowded into few buckets (std::sort).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "io/rating_lines.hpp"
#include "io/rating_order.hpp"

namespace mfrec::detail {
namespace {

bool same(const Rating& a, const Rating& b) { return a.user == b.user && a.item == b.item && a.value == b.value; }

struct Expected {
  std::vector<Rating> sorted;
  std::optional<DuplicateRating> duplicate;
};

Expected reference(const std::vector<Rating>& file_order) {
  std::vector<std::uint64_t> positions(file_order.size());
  for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = i;
  std::stable_sort(positions.begin(), positions.end(), [&](std::uint64_t a, std::uint64_t b) {
    const Rating& x = file_order[a];
    const Rating& y = file_order[b];
    return x.user != y.user ? x.user < y.user : x.item < y.item;
  });
  Expected e;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const Rating& r = file_order[positions[i]];
    if (i > 0) {
      const Rating& prev = file_order[positions[i - 1]];
      if (prev.user == r.user && prev.item == r.item && !e.duplicate)
        e.duplicate = DuplicateRating{r.user, r.item, positions[i - 1], positions[i]};
    }
    e.sorted.push_back(r);
  }
  return e;
}

// Users in runs of random length (grouped: each user once, in index order;
// else users come back), each run with random distinct items from
// [0, items), and with `duplicates` pairs repeated at random later places.
std::vector<Rating> random_file(std::mt19937& rng, std::uint32_t users, std::uint32_t items, bool grouped,
                                int duplicates) {
  std::vector<Rating> out;
  std::uniform_int_distribution<std::uint32_t> item_of(0, items - 1), run_length(1, 60);
  std::uniform_real_distribution<float> value(1, 5);
  std::vector<std::uint32_t> order(users);
  for (std::uint32_t u = 0; u < users; ++u) order[u] = u;
  std::vector<std::vector<bool>> rated(users, std::vector<bool>(items, false));
  auto add_run = [&](std::uint32_t u) {
    for (std::uint32_t k = run_length(rng); k > 0; --k) {
      const std::uint32_t i = item_of(rng);
      if (rated[u][i]) continue;
      rated[u][i] = true;
      out.push_back({u, i, value(rng)});
    }
  };
  for (std::uint32_t u : order) add_run(u);
  if (!grouped) {
    for (std::uint32_t k = 0; k < users; ++k) add_run(std::uniform_int_distribution<std::uint32_t>(0, users - 1)(rng));
  }
  for (int d = 0; d < duplicates && !out.empty(); ++d) {
    const Rating copy = out[std::uniform_int_distribution<std::size_t>(0, out.size() - 1)(rng)];
    const auto users_end = [&](std::uint32_t u) {
      std::size_t end = 0;
      for (std::size_t i = 0; i < out.size(); ++i)
        if (out[i].user == u) end = i + 1;
      return end;
    };
    // Inside the user's run when grouped, so the file stays grouped.
    const std::size_t at = grouped ? users_end(copy.user) : std::uniform_int_distribution<std::size_t>(0, out.size())(rng);
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), Rating{copy.user, copy.item, value(rng)});
  }
  return out;
}

// The thread counts every case runs with: one (no threads), and ranges that
// cut the users in halves, thirds and eighths.
constexpr unsigned kThreadCounts[] = {1, 2, 3, 8};

// On a duplicate the order is unspecified, but the users below the duplicate
// one, in the ranges before it, are sorted as without a duplicate.
void expect_like_reference(const std::vector<Rating>& file, std::uint32_t users) {
  const Expected want = reference(file);
  for (const unsigned threads : kThreadCounts) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    std::vector<Rating> sorted = file;
    const auto got = sort_ratings(sorted, users, threads);
    ASSERT_EQ(sorted.size(), want.sorted.size());
    if (want.duplicate) {
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(got->user, want.duplicate->user);
      EXPECT_EQ(got->item, want.duplicate->item);
      EXPECT_EQ(got->first, want.duplicate->first);
      EXPECT_EQ(got->second, want.duplicate->second);
      for (std::size_t i = 0; i < sorted.size() && want.sorted[i].user < want.duplicate->user; ++i)
        ASSERT_TRUE(same(sorted[i], want.sorted[i])) << "at " << i;
      continue;
    }
    ASSERT_FALSE(got.has_value()) << "user " << got->user << " item " << got->item;
    for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_TRUE(same(sorted[i], want.sorted[i])) << "at " << i;
  }
}

TEST(RatingOrder, MatchesAStableSortGroupedOrNot) {
  std::mt19937 rng(5);
  for (bool grouped : {true, false}) {
    // From a few items (many per bucket) to millions (about one per bucket).
    for (std::uint32_t items : {40u, 5000u, 5000000u}) {
      for (int trial = 0; trial < 20; ++trial) {
        SCOPED_TRACE(std::string(grouped ? "grouped" : "ungrouped") + ", " + std::to_string(items) + " items, trial " +
                     std::to_string(trial));
        expect_like_reference(random_file(rng, 30, items, grouped, 0), 30);
      }
    }
  }
}

TEST(RatingOrder, DuplicatesNameTheSmallestPairAndItsFirstTwoRatings) {
  std::mt19937 rng(11);
  for (bool grouped : {true, false}) {
    for (std::uint32_t items : {40u, 5000000u}) {
      for (int duplicates : {1, 2, 5}) {
        for (int trial = 0; trial < 10; ++trial) {
          SCOPED_TRACE(std::string(grouped ? "grouped" : "ungrouped") + ", " + std::to_string(items) + " items, " +
                       std::to_string(duplicates) + " duplicates, trial " + std::to_string(trial));
          expect_like_reference(random_file(rng, 20, items, grouped, duplicates), 20);
        }
      }
    }
  }
}

// One far item makes the span huge, so the other items share one bucket and
// the insertion sort would be quadratic: std::sort takes over, same result.
TEST(RatingOrder, RunCrowdedIntoOneBucket) {
  std::mt19937 rng(3);
  std::vector<Rating> file;
  for (std::uint32_t i = 0; i < 300; ++i) file.push_back({0, 299 - i, static_cast<float>(i)});
  std::shuffle(file.begin(), file.end(), rng);
  file.insert(file.begin() + 100, Rating{0, 4000000000u, 1.0f});
  for (std::uint32_t i = 0; i < 50; ++i) file.push_back({1, (i * 7919u) % 50u, 2.0f});
  expect_like_reference(file, 2);
  file.push_back({1, 3, 4.0f});
  expect_like_reference(file, 2);
}

TEST(RatingOrder, ThreeTimesRatedNamesTheFirstTwo) {
  // User 0 rates item 7 at positions 1, 3 and 4; item 2 twice at 5, 6: the
  // smaller item is the one reported, whatever came first in the file.
  std::vector<Rating> file = {{0, 9, 1}, {0, 7, 1}, {0, 1, 1}, {0, 7, 2}, {0, 7, 3}, {0, 2, 1}, {0, 2, 2}};
  const auto dup = sort_ratings(file, 1, 1);
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->item, 2u);
  EXPECT_EQ(dup->first, 5u);
  EXPECT_EQ(dup->second, 6u);
  file = {{1, 3, 1}, {0, 7, 1}, {1, 3, 2}, {0, 7, 2}};  // not grouped: user 0 has the smaller pair
  const auto cross = sort_ratings(file, 2, 1);
  ASSERT_TRUE(cross.has_value());
  EXPECT_EQ(cross->user, 0u);
  EXPECT_EQ(cross->first, 1u);
  EXPECT_EQ(cross->second, 3u);
}

// Files large enough for every thread count of kThreadCounts to get its
// full number of ranges: users in runs of 1 to 60 distinct items, in random
// order, and optionally one giant user who alone spans several ranges.
struct LargeFile {
  std::vector<Rating> ratings;
  std::uint32_t users = 0;
};

LargeFile large_grouped_file(std::mt19937& rng, std::uint32_t items, std::uint32_t giant_user = 0,
                             std::size_t giant_run = 0) {
  constexpr std::size_t kSize = 8 * kMinRatingsPerThread + kMinRatingsPerThread / 2;
  static_assert(kSize / kMinRatingsPerThread >= 8);
  LargeFile file;
  std::uniform_int_distribution<std::uint32_t> item_of(0, items - 1);
  std::uniform_int_distribution<std::size_t> run_length(1, 60);
  std::uniform_real_distribution<float> value(1, 5);
  std::vector<std::uint32_t> run;
  while (file.ratings.size() < kSize + giant_run) {
    const std::uint32_t user = file.users++;
    run.clear();
    for (std::size_t k = user == giant_user ? giant_run : run_length(rng); k > 0; --k) run.push_back(item_of(rng));
    std::sort(run.begin(), run.end());
    run.erase(std::unique(run.begin(), run.end()), run.end());
    std::shuffle(run.begin(), run.end(), rng);
    for (const std::uint32_t item : run) file.ratings.push_back({user, item, value(rng)});
  }
  return file;
}

// Rates again, somewhere in its run, one of the items of `user` (the file is
// grouped by user).
void add_duplicate(std::mt19937& rng, LargeFile& file, std::uint32_t user) {
  const auto [begin, end] = std::equal_range(file.ratings.begin(), file.ratings.end(), Rating{user, 0, 0},
                                             [](const Rating& a, const Rating& b) { return a.user < b.user; });
  ASSERT_NE(begin, end);
  const auto run = static_cast<std::size_t>(end - begin);
  Rating copy = begin[static_cast<std::ptrdiff_t>(std::uniform_int_distribution<std::size_t>(0, run - 1)(rng))];
  copy.value += 1;
  const auto at = static_cast<std::ptrdiff_t>(std::uniform_int_distribution<std::size_t>(0, run)(rng));
  file.ratings.insert(begin + at, copy);
}

void expect_large_like_reference(std::mt19937& rng, LargeFile file, bool grouped) {
  if (!grouped) {
    // Mostly grouped, as real files that are not quite: some ratings moved.
    for (int k = 0; k < 1000; ++k) {
      std::uniform_int_distribution<std::size_t> at(0, file.ratings.size() - 1);
      std::swap(file.ratings[at(rng)], file.ratings[at(rng)]);
    }
  }
  expect_like_reference(file.ratings, file.users);
}

// Ranges of users go to separate threads; whichever threads find duplicates
// and in whatever order they finish, the duplicate reported is the smallest
// pair (the one in the lowest range with one), with its first two positions.
TEST(RatingOrder, ThreadsAgreeWithOneThreadOnLargeFiles) {
  std::mt19937 rng(17);
  // Where the duplicated users lie, as fractions of the users: none, in the
  // first range, in the last, in several (a later one first in the file),
  // and in every range for every thread count.
  const std::vector<std::vector<double>> layouts = {
      {}, {0.01}, {0.99}, {0.93, 0.3, 0.55, 0.8}, {0.97, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}};
  for (const bool grouped : {true, false}) {
    for (const std::uint32_t items : {20000u, 5000000u}) {
      for (const auto& fractions : layouts) {
        SCOPED_TRACE(std::string(grouped ? "grouped" : "ungrouped") + ", " + std::to_string(items) + " items, " +
                     std::to_string(fractions.size()) + " duplicates");
        LargeFile file = large_grouped_file(rng, items);
        for (const double fraction : fractions) add_duplicate(rng, file, static_cast<std::uint32_t>(fraction * file.users));
        expect_large_like_reference(rng, std::move(file), grouped);
      }
    }
  }
}

// A user whose run alone spans several ranges' worth of ratings: the cuts
// move to the end of the run and ranges merge; a duplicate in it, or only
// past it, is still the one reported.
TEST(RatingOrder, ThreadsAgreeWithOneThreadAroundAGiantRun) {
  std::mt19937 rng(23);
  for (const bool grouped : {true, false}) {
    for (const int duplicates : {0, 1, 2, 3}) {
      SCOPED_TRACE(std::string(grouped ? "grouped" : "ungrouped") + ", layout " + std::to_string(duplicates));
      LargeFile file = large_grouped_file(rng, 5000000, 4000, 3 * kMinRatingsPerThread);
      if (duplicates == 1) add_duplicate(rng, file, 4000);
      if (duplicates == 2) add_duplicate(rng, file, file.users - 10);
      if (duplicates == 3) {
        add_duplicate(rng, file, file.users * 9 / 10);
        add_duplicate(rng, file, 4000);
      }
      expect_large_like_reference(rng, std::move(file), grouped);
    }
  }
  // One user only: a single range, whatever the thread count.
  LargeFile one = large_grouped_file(rng, 5000000, 0, 4 * kMinRatingsPerThread);
  one.ratings.resize(3 * kMinRatingsPerThread);
  one.users = 1;
  expect_like_reference(one.ratings, one.users);
  add_duplicate(rng, one, 0);
  expect_like_reference(one.ratings, one.users);
}

TEST(RatingLines, CheckpointsOnlyWhereTheLineIsNotTheNextOne) {
  RatingLines long_layout(true);
  // Header on line 1, ratings on lines 2-4, a blank line, then lines 6-7.
  for (std::uint64_t p : {0, 1, 2}) long_layout.add(p, p + 2);
  for (std::uint64_t p : {3, 4}) long_layout.add(p, p + 3);
  EXPECT_EQ(long_layout.checkpoints(), 2u);
  EXPECT_EQ(long_layout.line_of(0), 2u);
  EXPECT_EQ(long_layout.line_of(2), 4u);
  EXPECT_EQ(long_layout.line_of(3), 6u);
  EXPECT_EQ(long_layout.line_of(4), 7u);

  RatingLines wide_layout(false);
  // Three ratings on line 2, two on line 4.
  for (std::uint64_t p : {0, 1, 2}) wide_layout.add(p, 2);
  for (std::uint64_t p : {3, 4}) wide_layout.add(p, 4);
  EXPECT_EQ(wide_layout.checkpoints(), 2u);
  EXPECT_EQ(wide_layout.line_of(1), 2u);
  EXPECT_EQ(wide_layout.line_of(4), 4u);
}

}  // namespace
}  // namespace mfrec::detail
