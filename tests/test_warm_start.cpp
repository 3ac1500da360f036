// Warm start (train --init): where training starts, what the model keeps
// of the one it started from, and which models it refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/train/trainer.hpp"
#include "mfrec/train/warm_start.hpp"
#include "util/synthetic.hpp"

namespace mfrec {
namespace {

// The ratings of `d` that `keep` picks, as a Dataset of their own: ids in
// order of first appearance and sorted by them, as the reader gives them.
Dataset subset(const Dataset& d, const std::function<bool(const Rating&)>& keep) {
  Dataset out;
  out.source = "subset";
  for (const Rating& r : d.ratings)
    if (keep(r))
      out.ratings.push_back({out.users.intern(d.users.name(r.user)), out.items.intern(d.items.name(r.item)), r.value});
  std::sort(out.ratings.begin(), out.ratings.end(),
            [](const Rating& a, const Rating& b) { return a.user != b.user ? a.user < b.user : a.item < b.item; });
  return out;
}

Dataset from_triples(const std::vector<std::tuple<std::string, std::string, float>>& rows) {
  Dataset d;
  for (const auto& [user, item, value] : rows) d.ratings.push_back({d.users.intern(user), d.items.intern(item), value});
  return subset(d, [](const Rating&) { return true; });
}

TrainOptions quick_options(Objective objective = Objective::Rating) {
  TrainOptions o = TrainOptions::defaults_for(objective);
  o.factors = 8;
  o.epochs = 5;
  o.seed = 7;
  return o;
}

// "Yesterday": the first 60% of the users of a synthetic data set on every
// item but the last ten. "Today": the last 60% on every item. Of 100 users,
// 0-39 are absent today, 40-59 known, 60-99 new; the last ten items are new.
struct Days {
  Dataset day1, day2;
};
Days two_days(std::uint32_t users = 100, std::uint32_t items = 70, std::uint64_t ratings = 3000) {
  SyntheticSpec s;
  s.users = users;
  s.items = items;
  s.ratings = ratings;
  s.seed = 5;
  const Dataset all = make_synthetic(s);
  const auto user = [&](const Rating& r) { return std::stoul(all.users.name(r.user).substr(1)); };
  const auto item = [&](const Rating& r) { return std::stoul(all.items.name(r.item).substr(1)); };
  return {subset(all, [&](const Rating& r) { return user(r) < users * 6 / 10 && item(r) < items - 10; }),
          subset(all, [&](const Rating& r) { return user(r) >= users * 4 / 10; })};
}

// The model as it stands before any step: a stop requested before the
// first epoch keeps it as it was set up.
Model before_first_step(const Dataset& data, const Model& init, const TrainOptions& o) {
  const std::atomic<bool> stop{true};
  TrainInput input{.ratings = &data, .stop = &stop, .keep_on_stop = true, .init = &init};
  return train(input, o);
}

Model warm(const Dataset& data, const Model& init, const TrainOptions& o) {
  return train({.ratings = &data, .init = &init}, o);
}

bool same_row(const FactorMatrix& a, std::uint32_t i, const FactorMatrix& b, std::uint32_t j) {
  return a.k() == b.k() && std::memcmp(a.row(i), b.row(j), a.k() * sizeof(float)) == 0;
}

TEST(WarmStart, KnownUsersAndItemsStartAtTheModelsFactorsAndBiases) {
  const Days d = two_days();
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &d.day1}, o);
  const Model m = before_first_step(d.day2, init, o);
  // The model's ids come first, in its order; then the new ones.
  ASSERT_EQ(m.users.size(), 100u);
  ASSERT_EQ(m.items.size(), 70u);
  for (std::uint32_t u = 0; u < init.users.size(); ++u) {
    ASSERT_EQ(m.users.name(u), init.users.name(u));
    EXPECT_TRUE(same_row(m.user_factors, u, init.user_factors, u)) << init.users.name(u);
    EXPECT_EQ(m.user_bias[u], init.user_bias[u]);
  }
  for (std::uint32_t i = 0; i < init.items.size(); ++i) {
    ASSERT_EQ(m.items.name(i), init.items.name(i));
    EXPECT_TRUE(same_row(m.item_factors, i, init.item_factors, i)) << init.items.name(i);
    EXPECT_EQ(m.item_bias[i], init.item_bias[i]);
  }
  EXPECT_EQ(m.mean, init.mean);  // the biases are relative to it
  // New users and items start cold: biases 0, small random factors.
  for (std::uint32_t u = init.users.size(); u < m.users.size(); ++u) {
    EXPECT_EQ(m.user_bias[u], 0.0f);
    EXPECT_GT(std::abs(m.user_factors.row(u)[0]), 0.0f);
  }
  for (std::uint32_t i = init.items.size(); i < m.items.size(); ++i) EXPECT_EQ(m.item_bias[i], 0.0f);
}

TEST(WarmStart, UsersAndItemsTheRatingsDoNotMentionKeepTheirFactors) {
  const Days d = two_days();
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &d.day1}, o);
  const Model m = warm(d.day2, init, o);
  std::uint32_t absent = 0, moved = 0;
  for (std::uint32_t u = 0; u < init.users.size(); ++u) {
    if (d.day2.users.find(init.users.name(u))) {
      moved += !same_row(m.user_factors, u, init.user_factors, u);
      continue;
    }
    ++absent;
    EXPECT_TRUE(same_row(m.user_factors, u, init.user_factors, u)) << init.users.name(u);
    EXPECT_EQ(m.user_bias[u], init.user_bias[u]);
    // Still a usable model of them: what they rated stays rated.
    EXPECT_EQ(m.rated_offsets[u + 1] - m.rated_offsets[u], init.rated_offsets[u + 1] - init.rated_offsets[u]);
  }
  EXPECT_EQ(absent, 40u);
  EXPECT_EQ(moved, 20u);  // the known users the ratings mention did train
}

// Yesterday u1 rated a and b, u2 rated b; today u1 rates b again and c, and
// the new u3 rates a.
TEST(WarmStart, RatedItemsAndPopularityAreUnions) {
  const Dataset day1 = from_triples({{"u1", "a", 4}, {"u1", "b", 2}, {"u2", "b", 5}});
  const Dataset day2 = from_triples({{"u1", "b", 3}, {"u1", "c", 1}, {"u3", "a", 5}});
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &day1}, o);
  const Model m = warm(day2, init, o);
  ASSERT_EQ(m.users.size(), 3u);
  ASSERT_EQ(m.items.size(), 3u);
  EXPECT_EQ(m.items.name(2), "c");
  EXPECT_EQ(m.rated_offsets, (std::vector<std::uint64_t>{0, 3, 4, 5}));
  EXPECT_EQ(m.rated_items, (std::vector<std::uint32_t>{0, 1, 2, 1, 0}));  // u1: a b c, u2: b, u3: a
  // a: u1 and u3; b: u1 (again: not a new rater) and u2; c: u1.
  EXPECT_EQ(m.item_counts, (std::vector<std::uint32_t>{2, 2, 1}));
  EXPECT_EQ(m.rating_min, 1.0f);  // the range holds both days'
  EXPECT_EQ(m.rating_max, 5.0f);
}

// The rating given stays with each rated pair: yesterday's where only
// yesterday has it, today's for a pair rated again.
TEST(WarmStart, RatingsGivenAreUnitedTooTodaysWinning) {
  const Dataset day1 = from_triples({{"u1", "a", 4}, {"u1", "b", 2}, {"u2", "b", 5}});
  const Dataset day2 = from_triples({{"u1", "b", 3}, {"u1", "c", 1}, {"u3", "a", 4.5f}});
  const TrainOptions o = quick_options();
  Model init = train({.ratings = &day1}, o);
  const Model m = warm(day2, init, o);
  std::vector<double> given;
  for (std::uint64_t p = 0; p < m.rated_items.size(); ++p) given.push_back(m.given_rating(p).value_or(-1.0));
  EXPECT_EQ(given, (std::vector<double>{4, 3, 1, 5, 4.5}));  // u1: a b c, u2: b, u3: a
  // A model that kept no ratings (an older file): none are known now.
  init.rated_codes.clear();
  init.rating_levels.clear();
  const Model without = warm(day2, init, o);
  EXPECT_TRUE(without.rated_codes.empty());
  EXPECT_FALSE(without.given_rating(0).has_value());
  EXPECT_EQ(without.rated_items.size(), 5u);
}

// Replay trains on yesterday's kept ratings too, those today lacks: u1's a
// and u2's b (u1's b is today's 3).
TEST(WarmStart, ReplayAddsTheRatingsTheModelKeptThatTheDataLacks) {
  const Dataset day1 = from_triples({{"u1", "a", 4}, {"u1", "b", 2}, {"u2", "b", 5}});
  const Dataset day2 = from_triples({{"u1", "b", 3}, {"u1", "c", 1}, {"u3", "a", 5}});
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &day1}, o);
  const Model m = train({.ratings = &day2, .init = &init, .replay = true}, o);
  EXPECT_EQ(m.train_ratings, 5u);
  EXPECT_EQ(m.ratings, 3u);  // read from the file
  EXPECT_EQ(m.item_counts, (std::vector<std::uint32_t>{2, 2, 1}));  // no rater counted twice
  std::vector<double> given;
  for (std::uint64_t p = 0; p < m.rated_items.size(); ++p) given.push_back(m.given_rating(p).value_or(-1.0));
  EXPECT_EQ(given, (std::vector<double>{4, 3, 1, 5, 5}));
  // Replayed, day 1 is fitted better than by today's ratings alone.
  const auto day1_error = [&](const Model& model) {
    double squared = 0.0;
    for (const Rating& r : day1.ratings) {
      const double e = r.value - model.predict(*model.users.find(day1.users.name(r.user)),
                                               *model.items.find(day1.items.name(r.item)));
      squared += e * e;
    }
    return squared;
  };
  EXPECT_LT(day1_error(m), day1_error(warm(day2, init, o)));
}

TEST(WarmStart, ReplayNeedsAModelThatKeptItsRatings) {
  const Days d = two_days();
  const TrainOptions o = quick_options(Objective::Implicit);
  const Model init = train({.ratings = &d.day1}, o);
  try {
    train({.ratings = &d.day2, .init = &init, .replay = true}, o);
    FAIL() << "replayed an implicit model";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.message().find("kept no ratings to replay"), std::string::npos) << e.message();
  }
}

TEST(WarmStart, TitlesCarryOverAndNewItemsHaveNone) {
  const Dataset day1 = from_triples({{"u1", "a", 4}, {"u2", "b", 2}});
  const Dataset day2 = from_triples({{"u1", "c", 3}});
  const TrainOptions o = quick_options();
  Model init = train({.ratings = &day1}, o);
  init.item_titles = {"Alpha", "Beta"};
  EXPECT_EQ(warm(day2, init, o).item_titles, (std::vector<std::string>{"Alpha", "Beta", ""}));
  init.item_titles.clear();
  EXPECT_TRUE(warm(day2, init, o).item_titles.empty());
}

TEST(WarmStart, KeepsTheModelsScale) {
  const Days d = two_days();
  TrainOptions o = quick_options();
  o.normalize = true;
  const Model init = train({.ratings = &d.day1}, o);
  const Model m = warm(d.day2, init, o);
  EXPECT_EQ(m.scaler.forward(1.0), init.scaler.forward(1.0));
  EXPECT_EQ(m.scaler.forward(4.0), init.scaler.forward(4.0));
}

void expect_usage(const Dataset& data, const Model& init, const TrainOptions& o, const std::string& says) {
  try {
    warm(data, init, o);
    FAIL() << "no error; want one saying " << says;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.message().find(says), std::string::npos) << e.message();
  }
}

TEST(WarmStart, RefusesAModelOfAnotherShapeOrObjective) {
  const Days d = two_days();
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &d.day1}, o);
  TrainOptions other = o;
  other.factors = 16;
  expect_usage(d.day2, init, other, "the --init model has k = 8 but training asks for k = 16");
  other = o;
  other.bias = false;
  expect_usage(d.day2, init, other, "with biases");
  other = o;
  other.normalize = true;
  expect_usage(d.day2, init, other, "--normalize");
  expect_usage(d.day2, init, quick_options(Objective::Implicit), "learned --objective rating, not implicit");
  const Model implicit = train({.ratings = &d.day1}, quick_options(Objective::Implicit));
  expect_usage(d.day2, implicit, o, "learned --objective implicit, not rating");
}

TEST(WarmStart, ImplicitStartsFromTheModelsFactorsAndKeepsTheAbsent) {
  const Days d = two_days();
  const TrainOptions o = quick_options(Objective::Implicit);
  const Model init = train({.ratings = &d.day1}, o);
  const Model start = before_first_step(d.day2, init, o);
  for (std::uint32_t u = 0; u < init.users.size(); ++u)
    EXPECT_TRUE(same_row(start.user_factors, u, init.user_factors, u)) << init.users.name(u);
  for (std::uint32_t i = 0; i < init.items.size(); ++i)
    EXPECT_TRUE(same_row(start.item_factors, i, init.item_factors, i)) << init.items.name(i);
  const Model m = warm(d.day2, init, o);
  for (std::uint32_t u = 0; u < init.users.size(); ++u)
    EXPECT_EQ(same_row(m.user_factors, u, init.user_factors, u), !d.day2.users.find(init.users.name(u)).has_value())
        << init.users.name(u);
  EXPECT_EQ(m.users.size(), 100u);
  EXPECT_EQ(m.items.size(), 70u);
}

// A validation file's users are looked up among the model's too: user u0
// is known from yesterday only, and scored with its factors.
TEST(WarmStart, AValidationFileReachesUsersOnlyTheModelKnows) {
  const Days d = two_days();
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &d.day1}, o);
  const Dataset held = subset(d.day1, [&](const Rating& r) { return d.day1.users.name(r.user) == "u0"; });
  ASSERT_FALSE(d.day2.users.find("u0"));
  ASSERT_GT(held.ratings.size(), 2u);
  const Model m = train({.ratings = &d.day2, .validation = &held, .init = &init}, o);
  double squared = 0.0;
  for (const Rating& r : held.ratings) {
    const double e = r.value - m.clip(m.predict(*m.users.find("u0"), *m.items.find(held.items.name(r.item))));
    squared += e * e;
  }
  EXPECT_NEAR(m.summary.validation_rmse, std::sqrt(squared / held.ratings.size()), 1e-6);
}

TEST(WarmStart, ContinuesTheFitInsteadOfStartingOver) {
  const Days d = two_days();
  const TrainOptions o = quick_options();
  const Model init = train({.ratings = &d.day1}, o);
  std::vector<double> cold, warmed;
  train({.ratings = &d.day1}, o, [&](const EpochReport& r) { cold.push_back(r.objective); });
  train({.ratings = &d.day1, .init = &init}, o, [&](const EpochReport& r) { warmed.push_back(r.objective); });
  // Epoch 1 from the trained model fits better than epoch 5 from scratch.
  EXPECT_LT(warmed.front(), cold.back());
}

TEST(WarmStart, SameBytesForAnyThreadCountAndTheSameSeed) {
  const Days d = two_days(2000, 400, 200000);  // 2 x 2 blocks a day: strata of two
  TrainOptions o = quick_options();
  o.threads = 2;
  const Model init = train({.ratings = &d.day1}, o);
  const std::string two = serialize_model(warm(d.day2, init, o));
  o.threads = 1;
  EXPECT_EQ(serialize_model(warm(d.day2, init, o)), two);
  EXPECT_EQ(serialize_model(warm(d.day2, init, o)), two);
}

TEST(WarmStart, MergedIdsKeepTheModelsAndAddTheNewInOrder) {
  IdMap known, data;
  for (const char* name : {"x", "y"}) known.intern(name);
  for (const char* name : {"z", "y", "w"}) data.intern(name);
  const IdMap merged = merged_ids(known, data);
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged.name(0), "x");
  EXPECT_EQ(merged.name(1), "y");
  EXPECT_EQ(merged.name(2), "z");
  EXPECT_EQ(merged.name(3), "w");
}

}  // namespace
}  // namespace mfrec
