// read_ratings with ReadOptions::interactions: long files without a rating
// column (each row counts 1), repeated user,item rows added up in file order
// (the same for any thread count), the strength columns recognised, and the
// error that points a ratings read of such a file at --objective implicit.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "io/rating_order.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec {
namespace {

const std::string kData = MFREC_TEST_DATA;

// An interaction by name: (user, item, strength).
using Named = std::tuple<std::string, std::string, float>;

std::vector<Named> named(const Dataset& d) {
  std::vector<Named> out;
  for (const auto& r : d.ratings) out.emplace_back(d.users.name(r.user), d.items.name(r.item), r.value);
  return out;
}

ReadOptions interactions(unsigned threads = 0) {
  ReadOptions o;
  o.interactions = true;
  o.threads = threads;
  return o;
}

Dataset read_text(const std::string& text, const ReadOptions& options, ReadReport* report = nullptr) {
  CsvRowReader rows = CsvRowReader::from_string("r.csv", text, options.delimiter);
  return read_ratings(rows, options, report);
}

// The mfrec::Error reading `text` throws (a failure if none).
Error read_error(const std::string& text, const ReadOptions& options) {
  try {
    read_text(text, options);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no mfrec::Error reading " << text;
  return Error(ErrorKind::Internal, "no error thrown");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(InteractionsReader, RepeatedRowsAddUpIntoOnePairEach) {
  ReadReport report;
  const Dataset d = read_text("user,item\nann,x\nbob,y\nann,x\nann,z\nann,x\nbob,y\n", interactions(), &report);
  // Users and items keep their order of first appearance; pairs are sorted.
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 3}, {"ann", "z", 1}, {"bob", "y", 2}}));
  EXPECT_EQ(report.layout, Layout::Long);
  EXPECT_TRUE(report.header);
  EXPECT_EQ(report.rows, 6u);
  EXPECT_EQ(report.rating_column, ReadReport::kNoColumn);
  EXPECT_EQ(report.rating_name, "");
  // ann,x three times and bob,y twice: 5 rows into 2 pairs.
  EXPECT_EQ(report.notes, (std::vector<std::string>{"5 repeated user,item rows were added up into 2 pairs"}));
}

TEST(InteractionsReader, NoNoteWithoutRepeats) {
  ReadReport report;
  read_text("userId,movieId\n1,31\n1,32\n", interactions(), &report);
  EXPECT_TRUE(report.notes.empty());
}

TEST(InteractionsReader, HeaderlessTwoColumnFileIsUserItemPairs) {
  for (const std::string text : {"u1,i1\nu2,i1\nu1,i2\n", "1,31\n2,31\n1,32\n"}) {
    SCOPED_TRACE(text);
    ReadReport report;
    const Dataset d = read_text(text, interactions(), &report);
    EXPECT_FALSE(report.header);
    EXPECT_EQ(report.layout, Layout::Long);
    ASSERT_EQ(d.ratings.size(), 3u);
    EXPECT_EQ(d.users.name(d.ratings[0].user), text.substr(0, text.find(',')));
    for (const auto& r : d.ratings) EXPECT_EQ(r.value, 1.0f);
  }
}

TEST(InteractionsReader, TwoColumnHeaderIsTakenWhenItNamesItsColumns) {
  for (const std::string header : {"userId,movieId", "visitor,itemid", "id,thing", "user,what"}) {
    SCOPED_TRACE(header);
    ReadReport report;
    const Dataset d = read_text(header + "\nann,x\n", interactions(), &report);
    EXPECT_TRUE(report.header);
    EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 1}}));
  }
}

TEST(InteractionsReader, CountLikeColumnIsTheStrength) {
  for (const std::string name : {"count", "plays", "play_count", "Clicks", "weight", "value", "rating"}) {
    SCOPED_TRACE(name);
    ReadReport report;
    const Dataset d = read_text("user,song," + name + "\nann,x,3\nbob,y,0\nann,x,2.5\n", interactions(), &report);
    EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 5.5f}, {"bob", "y", 0}}));
    EXPECT_EQ(report.rating_column, 2u);
    EXPECT_EQ(report.rating_name, name);
  }
}

TEST(InteractionsReader, CountIsNoRatingWhenReadingRatings) {
  // Reading ratings, "plays" is not a recognised name, so the header does not
  // decide the layout: the third column is read by position, as before.
  ReadReport report;
  const Dataset d = read_text("user,song,plays\nann,x,3\n", ReadOptions{}, &report);
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 3}}));
  EXPECT_EQ(report.rating_column, 2u);
}

TEST(InteractionsReader, TimestampIsNoStrengthEveryRowCountsOneWithANote) {
  ReadReport report;
  const Dataset d = read_text("userId,movieId,timestamp\n1,31,964982703\n1,31,964982931\n2,7,964983000\n",
                              interactions(), &report);
  EXPECT_EQ(named(d), (std::vector<Named>{{"1", "31", 2}, {"2", "7", 1}}));
  EXPECT_EQ(report.rating_column, ReadReport::kNoColumn);
  ASSERT_EQ(report.notes.size(), 2u);
  EXPECT_TRUE(contains(report.notes[0], "every row counts 1")) << report.notes[0];
  EXPECT_TRUE(contains(report.notes[0], "--rating-col")) << report.notes[0];
  EXPECT_EQ(report.notes[1], "2 repeated user,item rows were added up into 1 pair");
}

TEST(InteractionsReader, RatingColumnGivenIsTheStrength) {
  ReadOptions o = interactions();
  o.rating_col = "timestamp";
  ReadReport report;
  const Dataset d = read_text("userId,movieId,timestamp\n1,31,10\n1,31,5\n", o, &report);
  EXPECT_EQ(named(d), (std::vector<Named>{{"1", "31", 15}}));
  EXPECT_EQ(report.rating_name, "timestamp");
}

TEST(InteractionsReader, HeaderlessThreeColumnsReadTheThirdAsTheStrength) {
  EXPECT_EQ(named(read_text("ann,x,2\nann,x,4\n", interactions())), (std::vector<Named>{{"ann", "x", 6}}));
}

// Added in file order in double and rounded once: 2^24 + 1 + 1 is exact,
// where adding in float would lose each 1.
TEST(InteractionsReader, RepeatedPairWhoseSumIsExact) {
  const Dataset d = read_text("user,item,count\nann,x,16777216\nann,x,1\nbob,y,0.5\nann,x,1\nbob,y,0.25\n",
                              interactions());
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 16777218.0f}, {"bob", "y", 0.75f}}));
}

TEST(InteractionsReader, NegativeAndZeroStrengthsAreKeptAsGiven) {
  const Dataset d = read_text("user,item,weight\nann,x,-1\nann,x,1\nann,y,-2\n", interactions());
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 0}, {"ann", "y", -2}}));
}

TEST(InteractionsReader, SumBeyondFloatRangeIsADataError) {
  const Error e = read_error("user,item,count\nann,x,3e38\nann,x,3e38\n", interactions());
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  EXPECT_EQ(e.message(), "the values of user 'ann' and item 'x' add up beyond float range");
}

TEST(InteractionsReader, BadValuesAreStillErrors) {
  const Error e = read_error("user,item,count\nann,x,3\nann,x,lots\n", interactions());
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  ASSERT_TRUE(e.where().has_value());
  EXPECT_EQ(e.where()->line, 3u);
  EXPECT_TRUE(contains(e.message(), "'lots' is not a finite number")) << e.message();
}

TEST(InteractionsReader, WideFileReadsAsWithoutIt) {
  const std::string path = kData + "/good_music_wide.csv";
  ReadReport plain_report, report;
  const Dataset plain = read_ratings(path, ReadOptions{}, &plain_report);
  const Dataset d = read_ratings(path, interactions(), &report);
  EXPECT_EQ(report.layout, Layout::Wide);
  EXPECT_EQ(named(d), named(plain));
  EXPECT_EQ(report.skipped_cells, plain_report.skipped_cells);
  EXPECT_EQ(report.notes, plain_report.notes);
}

TEST(InteractionsReader, WideUserOnTwoRowsAddsUp) {
  const Dataset d = read_text("name,a,b,c,d\nann,1,0,2,0\nbob,0,1,0,0\nann,3,0,0,1\n", interactions());
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "a", 4}, {"ann", "c", 2}, {"ann", "d", 1}, {"bob", "b", 1}}));
}

// --- reading ratings from a file of pairs: an error that names the way out ---

TEST(InteractionsReader, RatingsFromAPairsFileAreADataErrorSuggestingImplicit) {
  struct Case {
    std::string text;
    std::uint64_t line;
    std::string what;
  };
  const std::vector<Case> cases = {
      {"userId,movieId\n1,31\n", 2,
       "the header names a user column (userId) and an item column (movieId) but no rating column"},
      {"user,item\nann,x\n", 2, "the header names a user column (user) and an item column (item) but no rating column"},
      {"u1,i1\nu2,i2\n", 2, "the file has two columns and neither holds a rating"},
      {"1,31\n2,31\n", 1, "holds numbers where a wide file's header names the items"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const Error e = read_error(c.text, ReadOptions{});
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    ASSERT_TRUE(e.where().has_value());
    EXPECT_EQ(e.where()->line, c.line);
    EXPECT_TRUE(contains(e.message(), c.what)) << e.message();
    EXPECT_TRUE(contains(e.message(), "use --objective implicit")) << e.message();
  }
}

TEST(InteractionsReader, RatingsFromAPairsFileUnderLayoutLong) {
  ReadOptions o;
  o.layout = Layout::Long;
  const Error e = read_error("user,item\nann,x\n", o);
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  EXPECT_EQ(e.message(),
            "row has 2 fields, need at least 3 (user, item, rating); a file of user,item pairs, one interaction a "
            "row (a play, a click)? use --objective implicit");
}

TEST(InteractionsReader, RepeatedPairIsStillAnErrorWhenReadingRatings) {
  const Error e = read_error("user,item,rating\nann,x,1\nann,x,2\n", ReadOptions{});
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  EXPECT_TRUE(contains(e.message(), "duplicate rating for user 'ann' and item 'x' (lines 2 and 3)")) << e.message();
}

// --- threads -------------------------------------------------------------------

// 300,000 rows, users not grouped, every pair about 3 times, with values
// whose float sums depend on the order they are added in.
std::string repeated_rows_file(std::vector<std::tuple<std::string, std::string, std::string>>& rows) {
  std::string text = "user,item,plays\n";
  for (std::uint64_t i = 0; i < 300000; ++i) {
    const std::uint64_t pair = i * 7919 % 100003;
    const std::string user = "u" + std::to_string(pair % 4001), item = "i" + std::to_string(pair / 4001);
    const std::string value = i % 3 == 0 ? "1e7" : "0." + std::to_string(i % 997 + 1);
    rows.emplace_back(user, item, value);
    text += user + "," + item + "," + value + "\n";
  }
  return text;
}

TEST(InteractionsReader, RepeatedRowsAcrossThreadsGiveTheSameDataset) {
  std::vector<std::tuple<std::string, std::string, std::string>> rows;
  const std::string text = repeated_rows_file(rows);
  // The plain definition: each pair's values summed in file order in double.
  std::map<std::pair<std::string, std::string>, double> sums;
  for (const auto& [user, item, value] : rows) sums[{user, item}] += static_cast<float>(std::stod(value));
  std::vector<Named> by_name;
  for (const auto& [pair, sum] : sums) by_name.emplace_back(pair.first, pair.second, static_cast<float>(sum));

  std::vector<Named> first;
  for (unsigned threads : {1u, 2u, 4u}) {
    SCOPED_TRACE(threads);
    ReadReport report;
    const Dataset d = read_text(text, interactions(threads), &report);
    std::vector<Named> got = named(d);
    if (threads == 1) first = got;
    EXPECT_EQ(got, first);  // the same Dataset, in the same (user, item) order
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, by_name);
    EXPECT_EQ(d.ratings.size(), 100003u);
    EXPECT_EQ(report.notes, (std::vector<std::string>{"300,000 repeated user,item rows were added up into 100,003 pairs"}));
  }
}

// --- detail::sort_adding_up ------------------------------------------------------

// Each pair's values summed in file order in double, then rounded: what
// sort_adding_up must give, in (user, item) order.
std::vector<Rating> summed_in_file_order(const std::vector<Rating>& file_order) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> sums;
  for (const Rating& r : file_order) sums[{r.user, r.item}] += r.value;
  std::vector<Rating> out;
  for (const auto& [pair, sum] : sums) out.push_back({pair.first, pair.second, static_cast<float>(sum)});
  return out;
}

bool same_ratings(const std::vector<Rating>& a, const std::vector<Rating>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Rating& x, const Rating& y) {
    return x.user == y.user && x.item == y.item && x.value == y.value;
  });
}

// A run whose items crowd into one bucket (items 0..199 and one far item)
// goes to the comparison sort, which must keep file order too. In file order
// each item's values add up to 2^24 + 1 (2^-20 is lost beside 2^60), which
// rounds to the float 2^24; in another order the sum may keep 2^-20 and
// round to 2^24 + 2.
TEST(SortAddingUp, CrowdedRunsAddInFileOrder) {
  const float values[] = {0x1p60f, 0x1p-20f, -0x1p60f, 0x1p24f, 1.0f};
  std::vector<Rating> ratings;
  for (float value : values)
    for (std::uint32_t item = 200; item-- > 0;) ratings.push_back({0, item, value});
  ratings.push_back({0, 1u << 30, 2});
  std::vector<Rating> sorted = ratings;
  const detail::AddedUp added = detail::sort_adding_up(sorted, 1, 1);
  ASSERT_EQ(sorted.size(), 201u);
  for (std::uint32_t item = 0; item < 200; ++item) EXPECT_EQ(sorted[item].value, 0x1p24f) << item;
  EXPECT_TRUE(same_ratings(sorted, summed_in_file_order(ratings)));
  EXPECT_EQ(added.repeated_rows, 1000u);
  EXPECT_EQ(added.repeated_pairs, 200u);
  EXPECT_FALSE(added.overflow.has_value());
}

TEST(SortAddingUp, RangesOfManyThreadsCloseTheirGaps) {
  // 400,000 ratings of 2,000 users, ungrouped, every pair twice: ranges of
  // 50,000 ratings or more each keep half of theirs.
  std::vector<Rating> ratings;
  for (std::uint32_t i = 0; i < 400000; ++i) {
    const std::uint32_t pair = i % 200000;
    ratings.push_back({pair % 2000, pair / 2000, static_cast<float>(i % 13) * 0.3f});
  }
  const std::vector<Rating> expected = summed_in_file_order(ratings);
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    SCOPED_TRACE(threads);
    std::vector<Rating> sorted = ratings;
    const detail::AddedUp added = detail::sort_adding_up(sorted, 2000, threads);
    EXPECT_TRUE(same_ratings(sorted, expected));
    EXPECT_EQ(added.repeated_rows, 400000u);
    EXPECT_EQ(added.repeated_pairs, 200000u);
  }
}

}  // namespace
}  // namespace mfrec
