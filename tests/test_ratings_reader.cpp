// read_ratings and parse_number: both layouts, layout detection, column
// choice, "not rated" cells, and the exact kind and place of every bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec {
namespace {

const std::string kData = MFREC_TEST_DATA;

// A rating by name, for comparing whole datasets at once.
struct Named {
  std::string user;
  std::string item;
  float value;
  bool operator==(const Named&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Named& r) {
  return os << "(" << r.user << ", " << r.item << ", " << r.value << ")";
}

std::vector<Named> named(const Dataset& d) {
  std::vector<Named> out;
  for (const auto& r : d.ratings) out.push_back({d.users.name(r.user), d.items.name(r.item), r.value});
  return out;
}

std::vector<std::string> names(const IdMap& ids) {
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < ids.size(); ++i) out.push_back(ids.name(i));
  return out;
}

bool sorted_by_user_item(const Dataset& d) {
  for (std::size_t i = 1; i < d.ratings.size(); ++i) {
    const auto& a = d.ratings[i - 1];
    const auto& b = d.ratings[i];
    if (a.user > b.user || (a.user == b.user && a.item >= b.item)) return false;
  }
  return true;
}

Dataset read_text(const std::string& text, const ReadOptions& options = {}, ReadReport* report = nullptr) {
  CsvRowReader rows = CsvRowReader::from_string("r.csv", text, options.delimiter);
  return read_ratings(rows, options, report);
}

ReadOptions with_layout(Layout layout) {
  ReadOptions o;
  o.layout = layout;
  return o;
}

ReadOptions no_header() {
  ReadOptions o;
  o.header = false;
  return o;
}

// Runs `f`, which must throw mfrec::Error, and returns that error; a test that
// expects an error must not pass because some other exception escaped.
template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no mfrec::Error thrown";
  return Error(ErrorKind::Internal, "no error thrown");
}

Error read_error(const std::string& text, const ReadOptions& options = {}) {
  return error_of([&] { read_text(text, options); });
}

void expect_data_error(const Error& e, std::uint64_t line, std::uint64_t column, const std::string& file = "r.csv") {
  EXPECT_EQ(e.kind(), ErrorKind::Data) << e.what();
  ASSERT_TRUE(e.where().has_value()) << e.what();
  EXPECT_EQ(e.where()->file, file) << e.what();
  EXPECT_EQ(e.where()->line, line) << e.what();
  EXPECT_EQ(e.where()->column, column) << e.what();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// --- wide layout ------------------------------------------------------------------

// The seed's example, typed in by hand: 0 means "not rated".
const std::vector<std::string> kMusicUsers = {"Darth Vader", "Hermione", "Ripley", "Spock"};
const std::vector<std::string> kMusicItems = {
    "Another One Bites the Dust", "Back in Black", "Bohemian Rhapsody", "Brandenburg Concerto No. 3",
    "Clair de Lune",              "Comfortably Numb", "Don't Stop Believin'", "Firework",
    "Hedwig’s Theme",             "O Fortuna",        "Survivor",             "The Imperial March"};
const int kMusic[4][12] = {
    {4, 4, 2, 0, 1, 2, 2, 0, 0, 4, 0, 5},
    {1, 0, 5, 0, 5, 2, 2, 5, 5, 2, 2, 1},
    {5, 5, 2, 1, 2, 3, 4, 4, 0, 5, 5, 4},
    {2, 0, 5, 5, 5, 4, 3, 2, 3, 4, 2, 0},
};

TEST(RatingsReaderWide, SeedMusicFile) {
  const std::string path = kData + "/good_music_wide.csv";
  ReadReport report;
  const Dataset d = read_ratings(path, ReadOptions{}, &report);
  EXPECT_EQ(report.layout, Layout::Wide);
  EXPECT_EQ(report.delimiter, ',');
  EXPECT_EQ(report.rows, 4u);
  EXPECT_EQ(report.skipped_cells, 9u);
  EXPECT_EQ(d.source, path);
  EXPECT_EQ(names(d.users), kMusicUsers);
  EXPECT_EQ(names(d.items), kMusicItems);
  ASSERT_EQ(d.ratings.size(), 39u);
  std::size_t k = 0;
  for (std::uint32_t u = 0; u < 4; ++u) {
    for (std::uint32_t i = 0; i < 12; ++i) {
      if (kMusic[u][i] == 0) continue;
      ASSERT_LT(k, d.ratings.size());
      EXPECT_EQ(d.ratings[k].user, u) << "rating " << k;
      EXPECT_EQ(d.ratings[k].item, i) << "rating " << k;
      EXPECT_EQ(d.ratings[k].value, static_cast<float>(kMusic[u][i])) << "rating " << k;
      ++k;
    }
  }
  EXPECT_TRUE(sorted_by_user_item(d));
}

TEST(RatingsReaderWide, MissingValueOtherThanZeroAndEmptyCells) {
  ReadOptions o;
  o.missing = "NA";
  ReadReport report;
  const Dataset d = read_text("user,a,b,c,d\nann,NA,0,,4\nbob,3,NA,2,NA\n", o, &report);
  EXPECT_EQ(report.layout, Layout::Wide);
  EXPECT_EQ(report.skipped_cells, 4u);
  // With --missing NA a 0 is a real rating.
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "b", 0}, {"ann", "d", 4}, {"bob", "a", 3}, {"bob", "c", 2}}));
}

// The default "0" is compared as a number, so 0.0, -0 and +0 are "not rated" too.
TEST(RatingsReaderWide, DefaultMissingMatchesZeroNumerically) {
  ReadReport report;
  const Dataset d = read_text("User,A,B,C,D\nann,0.0,-0,+0,3\n", {}, &report);
  EXPECT_EQ(report.skipped_cells, 3u);
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "D", 3}}));
}

TEST(RatingsReaderWide, HeaderlessItemsAreNamedByColumn) {
  ReadOptions o = no_header();
  o.layout = Layout::Wide;
  const Dataset d = read_text("ann,1,0,3\nbob,2,2,2\n", o);
  EXPECT_EQ(names(d.items), (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_EQ(named(d),
            (std::vector<Named>{{"ann", "2", 1}, {"ann", "4", 3}, {"bob", "2", 2}, {"bob", "3", 2}, {"bob", "4", 2}}));
}

TEST(RatingsReaderWide, RaggedShortRow) {
  const Error e = read_error("User,A,B,C,D\nann,1,2,3,4\nbob,1,2,3\n");
  expect_data_error(e, 3, 0);
  EXPECT_TRUE(contains(e.message(), "row has 4 fields, the header has 5")) << e.message();
}

TEST(RatingsReaderWide, RaggedLongRowPointsAtTheFirstExtraField) {
  const Error e = read_error("User,A,B,C,D\nann,1,2,3,4\nbob,1,2,3,4,5\n");
  expect_data_error(e, 3, 13);
  EXPECT_TRUE(contains(e.message(), "row has 6 fields, the header has 5")) << e.message();
}

// A ragged first row used to make auto-detection pick the long layout, which
// then read "ann,1,2" as user ann, item "1", rating 2 without a word.
TEST(RatingsReaderWide, RaggedFirstRowIsNotMistakenForLong) {
  expect_data_error(read_error("User,A,B,C,D\nann,1,2,3\nbob,1,2,3,4\n"), 2, 0);
  const Error narrow = read_error("User,A,B\nann,1,2,3\n");
  expect_data_error(narrow, 2, 0);
  EXPECT_TRUE(contains(narrow.message(), "--layout")) << narrow.message();
}

TEST(RatingsReaderWide, NonNumericCell) {
  const Error e = read_error("User,A,B,C,D\nann,1,2,3,4\nbob,1,x,3,4\n");
  expect_data_error(e, 3, 7);
  EXPECT_TRUE(contains(e.message(), "'x'")) << e.message();
  expect_data_error(read_error("User,A,B,C,D\nann,1,2,3,4\nbob,1,2,nan,4\n"), 3, 9);
}

TEST(RatingsReaderWide, SameUserTwiceIsADuplicateNamingBothLines) {
  const Error e = read_error("User,A,B,C,D\nann,1,2,0,0\nbob,1,1,1,1\nann,0,0,0,5\nann,0,3,0,0\n");
  expect_data_error(e, 5, 0);
  EXPECT_TRUE(contains(e.message(), "'ann'") && contains(e.message(), "'B'")) << e.message();
  EXPECT_TRUE(contains(e.message(), "lines 2 and 5")) << e.message();
}

TEST(RatingsReaderWide, DuplicateItemInHeader) {
  const Error e = read_error("User,A,B,A,C\nann,1,2,3,4\n");
  expect_data_error(e, 1, 10);
  EXPECT_TRUE(contains(e.message(), "'A' appears twice")) << e.message();
  EXPECT_TRUE(contains(e.message(), "fields 2 and 4")) << e.message();
  // The header is not always on line 1.
  expect_data_error(read_error("\n\nUser,A,B,A,C\nann,1,2,3,4\n"), 3, 10);
}

TEST(RatingsReaderWide, EmptyItemNameInHeader) {
  const Error e = read_error("User,A,,C,D\nann,1,2,3,4\n");
  expect_data_error(e, 1, 8);
  EXPECT_TRUE(contains(e.message(), "empty item name")) << e.message();
}

TEST(RatingsReaderWide, EmptyUserName) {
  const Error e = read_error("User,A,B,C,D\n  ,1,2,3,4\n");
  expect_data_error(e, 2, 3);
  EXPECT_TRUE(contains(e.message(), "empty user name")) << e.message();
}

TEST(RatingsReaderWide, NeedsAnItemColumn) {
  expect_data_error(read_error("User\nann\n", with_layout(Layout::Wide)), 2, 0);
}

TEST(RatingsReaderWide, NoRatingsLeftAfterDroppingNotRated) {
  const Error e = read_error("User,A,B,C,D\nann,0,0,,0\nbob,0,,0,0\n");
  expect_data_error(e, 0, 0);
  EXPECT_TRUE(contains(e.message(), "no ratings")) << e.message();
  EXPECT_TRUE(contains(e.message(), "'0'")) << e.message();
  ReadOptions o;
  o.missing = "NA";
  o.layout = Layout::Wide;
  EXPECT_TRUE(contains(read_error("User,A,B\nann,NA,\n", o).message(), "'NA'"));
}

// --- long layout ------------------------------------------------------------------

TEST(RatingsReaderLong, MovieLensFile) {
  const std::string path = kData + "/good_movielens_long.csv";
  ReadReport report;
  const Dataset d = read_ratings(path, ReadOptions{}, &report);
  EXPECT_EQ(report.layout, Layout::Long);
  EXPECT_EQ(report.delimiter, ',');
  EXPECT_EQ(report.rows, 5u);
  EXPECT_EQ(report.skipped_cells, 0u);
  // Ids are numbered in order of first appearance; ratings sorted by those.
  EXPECT_EQ(names(d.users), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(names(d.items), (std::vector<std::string>{"31", "1029", "10"}));
  EXPECT_EQ(named(d), (std::vector<Named>{{"1", "31", 2.5f},
                                          {"1", "1029", 3.0f},
                                          {"1", "10", 3.5f},
                                          {"2", "10", 4.0f},
                                          {"3", "31", 0.5f}}));
  EXPECT_TRUE(sorted_by_user_item(d));
}

TEST(RatingsReaderLong, HeaderlessUsesColumnsOneTwoThree) {
  ReadReport report;
  const Dataset d = read_text("ann,x,5,111\nbob,y,3,222\nann,y,4,333\n", no_header(), &report);
  EXPECT_EQ(report.layout, Layout::Long);
  EXPECT_EQ(report.rows, 3u);
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "x", 5}, {"ann", "y", 4}, {"bob", "y", 3}}));
}

// --no-header makes the first row data. (Without it, the first row of a
// headerless file was taken as a header and its rating silently lost; now a
// number in the rating column makes it data: see RatingsReaderHeader.)
TEST(RatingsReaderLong, NoHeaderMakesTheFirstRowData) {
  EXPECT_EQ(named(read_text("ann,x,5\nbob,y,3\n", no_header())),
            (std::vector<Named>{{"ann", "x", 5}, {"bob", "y", 3}}));
  // And a real header read as data is a bad rating at its third field.
  const Error e = read_error("user,item,rating\nann,x,5\n", no_header());
  expect_data_error(e, 1, 11);
  EXPECT_TRUE(contains(e.message(), "'rating'")) << e.message();
}

const char* const kOddColumns = "ts,stars_given,person,thing\n9,4.5,ann,Alien\n9,2,bob,Heat\n";
const std::vector<Named> kOddColumnsRatings = {{"ann", "Alien", 4.5f}, {"bob", "Heat", 2}};

TEST(RatingsReaderLong, ColumnsByName) {
  ReadOptions o;
  o.user_col = "person";
  o.item_col = "thing";
  o.rating_col = "stars_given";
  ReadReport report;
  EXPECT_EQ(named(read_text(kOddColumns, o, &report)), kOddColumnsRatings);
  EXPECT_EQ(report.layout, Layout::Long);
  // Names match ignoring case, '_', '-', ' ' and '.'.
  o.user_col = "Person";
  o.item_col = "THING";
  o.rating_col = "Stars-Given";
  EXPECT_EQ(named(read_text(kOddColumns, o)), kOddColumnsRatings);
}

TEST(RatingsReaderLong, ColumnsByOneBasedIndex) {
  ReadOptions o;
  o.user_col = "3";
  o.item_col = "4";
  o.rating_col = "2";
  EXPECT_EQ(named(read_text(kOddColumns, o)), kOddColumnsRatings);
  o.header = false;
  EXPECT_EQ(named(read_text("9,4.5,ann,Alien\n9,2,bob,Heat\n", o)), kOddColumnsRatings);
}

TEST(RatingsReaderLong, BadColumnOptionsAreUsageErrors) {
  auto usage = [](const std::string& text, const ReadOptions& o) { return error_of([&] { read_text(text, o); }); };
  ReadOptions o;
  o.user_col = "0";
  const Error zero = usage(kOddColumns, o);
  EXPECT_EQ(zero.kind(), ErrorKind::Usage);
  EXPECT_TRUE(contains(zero.message(), "--user-col 0")) << zero.message();

  o = no_header();
  o.item_col = "thing";
  const Error nameless = usage("9,4.5,ann,Alien\n", o);
  EXPECT_EQ(nameless.kind(), ErrorKind::Usage);
  EXPECT_TRUE(contains(nameless.message(), "needs a header")) << nameless.message();

  o = ReadOptions{};
  o.rating_col = "score";
  const Error unknown = usage(kOddColumns, o);
  EXPECT_EQ(unknown.kind(), ErrorKind::Usage);
  EXPECT_TRUE(contains(unknown.message(), "the header has: ts, stars_given, person, thing")) << unknown.message();

  o = ReadOptions{};
  o.user_col = "3";
  o.item_col = "person";
  EXPECT_EQ(usage(kOddColumns, o).kind(), ErrorKind::Usage);
}

TEST(RatingsReaderLong, RecognisedHeaderNames) {
  // Each file holds the one rating (ann, Alien, 4), its columns in any order.
  const std::vector<std::string> files = {
      "userId,movieId,rating,timestamp\nann,Alien,4,964982703\n",
      "user_id,item_id,rating\nann,Alien,4\n",
      "User-ID,ISBN,Book-Rating\nann,Alien,4\n",
      "customer_id,product_id,score\nann,Alien,4\n",
      "reviewerID,asin,stars\nann,Alien,4\n",
      "User,Song,Rating\nann,Alien,4\n",
      "uid,iid,preference\nann,Alien,4\n",
      "rating,movie,user\n4,Alien,ann\n",
      "timestamp,Item Name,User Name,Value\n1,Alien,ann,4\n",
  };
  for (const auto& text : files) {
    SCOPED_TRACE(text);
    ReadReport report;
    EXPECT_EQ(named(read_text(text, {}, &report)), (std::vector<Named>{{"ann", "Alien", 4}}));
    EXPECT_EQ(report.layout, Layout::Long);
  }
}

TEST(RatingsReaderLong, QuotedIdsAndTypographicApostrophes) {
  const Dataset d = read_text(
      "user,item,rating\nann,\"Crosby, Stills & Nash\",4\n\"O'Brien, Pat\",x,3\nHermione,Hedwig’s Theme,5\n");
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "Crosby, Stills & Nash", 4},
                                          {"O'Brien, Pat", "x", 3},
                                          {"Hermione", "Hedwig’s Theme", 5}}));
  const Dataset t = read_text("user\titem\trating\nDarth Vader\tDon't Stop Believin'\t2\n");
  EXPECT_EQ(named(t), (std::vector<Named>{{"Darth Vader", "Don't Stop Believin'", 2}}));
}

TEST(RatingsReaderLong, NumberForms) {
  const Dataset d = read_text("user,item,rating\na,x,+3\na,y,-1.25\na,z,1e1\nb,x,.5\nb,y, 4.5 \n");
  EXPECT_EQ(named(d), (std::vector<Named>{
                          {"a", "x", 3}, {"a", "y", -1.25f}, {"a", "z", 10}, {"b", "x", 0.5f}, {"b", "y", 4.5f}}));
}

TEST(RatingsReaderLong, BadRatingValues) {
  for (const std::string cell : {"abc", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "0x10", "", "4.5.1", "++3",
                                 "+-3", "3e", "5 stars"}) {
    SCOPED_TRACE("rating '" + cell + "'");
    const Error e = read_error("user,item,rating\nann,x,5\nbob,y," + cell + "\n");
    expect_data_error(e, 3, 7);
    EXPECT_TRUE(contains(e.message(), "rating '" + cell + "' is not a finite number")) << e.message();
  }
}

TEST(RatingsReaderLong, RatingBeyondFloatRange) {
  for (const std::string cell : {"1e39", "-1e39"}) {
    const Error e = read_error("user,item,rating\nann,x,5\nbob,y," + cell + "\n");
    expect_data_error(e, 3, 7);
    EXPECT_TRUE(contains(e.message(), "out of range")) << e.message();
  }
}

// "4,5" is a decimal comma: in a semicolon file it is one bad field...
TEST(RatingsReaderLong, DecimalCommaInSemicolonFile) {
  const Error e = read_error("user;item;rating\nann;x;4,5\n");
  expect_data_error(e, 2, 7);
  EXPECT_TRUE(contains(e.message(), "'4,5'")) << e.message();
}

// ...and in a comma file it splits into two fields, which must not load as a 4.
TEST(RatingsReaderLong, DecimalCommaInCommaFile) {
  const Error e = read_error("user,item,rating\nann,x,4,5\n");
  expect_data_error(e, 2, 9);
  EXPECT_TRUE(contains(e.message(), "row has 4 fields, the header has 3")) << e.message();
  const Error headerless = read_error("ann,x,4\nbob,y,3,5\n", no_header());
  expect_data_error(headerless, 2, 9);
  EXPECT_TRUE(contains(headerless.message(), "the first row has 3")) << headerless.message();
}

// Rows narrower than the header are fine while they hold user, item and rating.
TEST(RatingsReaderLong, TrailingColumnMayBeMissing) {
  EXPECT_EQ(named(read_text("userId,movieId,rating,timestamp\n1,2,3\n")), (std::vector<Named>{{"1", "2", 3}}));
}

TEST(RatingsReaderLong, MissingColumn) {
  const Error e = read_error("user,item,rating\nann,x,5\nbob,y\n");
  expect_data_error(e, 3, 0);
  EXPECT_TRUE(contains(e.message(), "row has 2 fields, need at least 3")) << e.message();
}

TEST(RatingsReaderLong, EmptyIds) {
  const Error user = read_error("user,item,rating\n,x,5\n");
  expect_data_error(user, 2, 1);
  EXPECT_TRUE(contains(user.message(), "empty user id")) << user.message();
  const Error item = read_error("user,item,rating\nann,\"\",5\n");
  expect_data_error(item, 2, 5);
  EXPECT_TRUE(contains(item.message(), "empty item id")) << item.message();
}

TEST(RatingsReaderLong, DuplicatePairNamesBothLines) {
  const Error e = read_error("user,item,rating\nann,x,5\nbob,y,4\nann,x,3\n");
  expect_data_error(e, 4, 0);
  EXPECT_TRUE(contains(e.message(), "user 'ann' and item 'x' (lines 2 and 4)")) << e.message();
}

TEST(RatingsReaderLong, DuplicatePairInFile) {
  const std::string path = kData + "/bad_duplicate_pair.csv";
  const Error e = error_of([&] { read_ratings(path, ReadOptions{}); });
  expect_data_error(e, 6, 0, path);
  EXPECT_TRUE(contains(e.message(), "lines 2 and 6")) << e.message();
}

// Rows that come back to a user after others are regrouped by user, in
// order of first appearance; a file grouped by user takes a faster path to
// the same order.
TEST(RatingsReaderLong, UngroupedRowsSortLikeGroupedOnes) {
  const std::vector<Named> want = {{"bob", "y", 1}, {"bob", "x", 3}, {"bob", "z", 5}, {"ann", "x", 2}, {"ann", "z", 4}};
  EXPECT_EQ(named(read_text("user,item,rating\nbob,y,1\nann,x,2\nbob,x,3\nann,z,4\n\nbob,z,5\n")), want);
  EXPECT_EQ(named(read_text("user,item,rating\nbob,y,1\nbob,x,3\nbob,z,5\nann,x,2\nann,z,4\n")), want);
}

// The lines of a duplicate are found again after loading, across blank
// lines, in a file that is not grouped by user.
TEST(RatingsReaderLong, DuplicatePairAcrossBlankLinesInAnUngroupedFile) {
  const Error e = read_error("user,item,rating\n\nann,x,5\nbob,y,4\n\n\r\n\nann,x,3\nbob,y,1\n");
  expect_data_error(e, 8, 0);
  EXPECT_TRUE(contains(e.message(), "user 'ann' and item 'x' (lines 3 and 8)")) << e.message();
}

// Of several duplicate pairs, the one reported is the smallest (user, item)
// by index, not the first in the file; a pair rated three times names its
// first two lines.
TEST(RatingsReaderLong, TheSmallestDuplicatePairIsReported) {
  Error e = read_error("user,item,rating\nann,b,1\nann,a,1\nann,a,2\nann,b,2\nann,b,3\n");
  expect_data_error(e, 5, 0);
  EXPECT_TRUE(contains(e.message(), "user 'ann' and item 'b' (lines 2 and 5)")) << e.message();
  e = read_error("user,item,rating\nbob,x,1\nann,y,1\nbob,z,1\nann,y,2\nbob,x,2\n");
  expect_data_error(e, 6, 0);
  EXPECT_TRUE(contains(e.message(), "user 'bob' and item 'x' (lines 2 and 6)")) << e.message();
}

TEST(RatingsReaderWide, UserOnTwoRowsIsADuplicateNamingBothRows) {
  const Error e = read_error("user,x,y\nann,1,2\nbob,3,4\nann,5,0\n", with_layout(Layout::Wide));
  expect_data_error(e, 4, 0);
  EXPECT_TRUE(contains(e.message(), "user 'ann' and item 'x' (lines 2 and 4)")) << e.message();
}

// --- layout detection -------------------------------------------------------------

TEST(RatingsReaderLayout, LongByShapeWithUnknownHeader) {
  ReadReport report;
  EXPECT_EQ(named(read_text("who,what,how much\nann,Alien,4\n", {}, &report)),
            (std::vector<Named>{{"ann", "Alien", 4}}));
  EXPECT_EQ(report.layout, Layout::Long);
}

TEST(RatingsReaderLayout, WideByShapeWithThreeColumns) {
  ReadReport report;
  EXPECT_EQ(named(read_text("name,Alien,Heat\nann,4,\n", {}, &report)), (std::vector<Named>{{"ann", "Alien", 4}}));
  EXPECT_EQ(report.layout, Layout::Wide);
  EXPECT_EQ(report.skipped_cells, 1u);
}

TEST(RatingsReaderLayout, AmbiguousAsksForLayout) {
  for (const std::string text : {"name,a,b\nann,1,2\n", "name,a,b,c\n\nann,1,2,3\n"}) {
    SCOPED_TRACE(text);
    const Error e = read_error(text);
    expect_data_error(e, text.find("\n\n") == std::string::npos ? 2 : 3, 0);
    EXPECT_TRUE(contains(e.message(), "--layout")) << e.message();
  }
}

TEST(RatingsReaderLayout, ForcedLayoutSettlesAmbiguity) {
  const std::string text = "name,a,b\nann,1,2\n";
  EXPECT_EQ(named(read_text(text, with_layout(Layout::Long))), (std::vector<Named>{{"ann", "1", 2}}));
  EXPECT_EQ(named(read_text(text, with_layout(Layout::Wide))), (std::vector<Named>{{"ann", "a", 1}, {"ann", "b", 2}}));
}

TEST(RatingsReaderLayout, ParseAndName) {
  EXPECT_EQ(parse_layout("auto"), Layout::Auto);
  EXPECT_EQ(parse_layout("wide"), Layout::Wide);
  EXPECT_EQ(parse_layout("long"), Layout::Long);
  EXPECT_EQ(error_of([] { parse_layout("diagonal"); }).kind(), ErrorKind::Usage);
  EXPECT_EQ(layout_name(Layout::Auto), "auto");
  EXPECT_EQ(layout_name(Layout::Wide), "wide");
  EXPECT_EQ(layout_name(Layout::Long), "long");
}

// --- the header row: data unless it reads as a header ----------------------------

ReadOptions forced_header() {
  ReadOptions o;
  o.force_header = true;
  return o;
}

// Bug: a headerless long file lost its first rating to the header, silently.
TEST(RatingsReaderHeader, LongFirstRowWithANumericRatingIsData) {
  ReadReport report;
  const Dataset d = read_text("ann,x,4\nann,y,2\nbob,x,5\nbob,z,1\ncid,y,3\ncid,z,4\n", {}, &report);
  EXPECT_EQ(d.ratings.size(), 6u);
  EXPECT_FALSE(report.header);
  EXPECT_EQ(report.layout, Layout::Long);
  EXPECT_EQ(report.rows, 6u);
  EXPECT_EQ(named(d)[0], (Named{"ann", "x", 4}));
  EXPECT_EQ(report.user_column, 0u);
  EXPECT_EQ(report.item_column, 1u);
  EXPECT_EQ(report.rating_column, 2u);
  EXPECT_EQ(report.user_name, "");
}

// Bug: MovieLens without its header line under --layout long kept 999 of 1,000.
TEST(RatingsReaderHeader, MovieLensWithoutHeaderUnderLayoutLongKeepsEveryRow) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += std::to_string(1 + i / 100) + "," + std::to_string(10 + i) + "," + (i % 2 ? "3.5" : "4") + ",1260759144\n";
  for (const Layout layout : {Layout::Long, Layout::Auto}) {
    ReadOptions o = with_layout(layout);
    ReadReport report;
    EXPECT_EQ(read_text(text, o, &report).ratings.size(), 1000u);
    EXPECT_FALSE(report.header);
    EXPECT_EQ(report.layout, Layout::Long);
  }
}

TEST(RatingsReaderHeader, RecognisedHeaderIsReportedWithItsColumns) {
  ReadReport report;
  EXPECT_EQ(read_text("timestamp,movieId,userId,rating\n1,Alien,ann,4\n", {}, &report).ratings.size(), 1u);
  EXPECT_TRUE(report.header);
  EXPECT_EQ(report.user_column, 2u);
  EXPECT_EQ(report.user_name, "userId");
  EXPECT_EQ(report.item_column, 1u);
  EXPECT_EQ(report.item_name, "movieId");
  EXPECT_EQ(report.rating_column, 3u);
  EXPECT_EQ(report.rating_name, "rating");
}

// A first row whose rating column holds text is a header, names or not.
TEST(RatingsReaderHeader, TextInTheRatingColumnIsAHeader) {
  ReadReport report;
  EXPECT_EQ(named(read_text("who,what,how much\nann,Alien,4\n", {}, &report)), (std::vector<Named>{{"ann", "Alien", 4}}));
  EXPECT_TRUE(report.header);
  EXPECT_EQ(report.rating_name, "how much");
  // --rating-col by index says where the rating column is.
  ReadOptions o;
  o.user_col = "2";
  o.item_col = "3";
  o.rating_col = "1";
  EXPECT_EQ(named(read_text("4,ann,Alien\n5,bob,Heat\n", o, &report)),
            (std::vector<Named>{{"ann", "Alien", 4}, {"bob", "Heat", 5}}));
  EXPECT_FALSE(report.header);
}

// --header: the first row is a header whatever it holds.
TEST(RatingsReaderHeader, ForcedHeaderTakesTheFirstRow) {
  ReadReport report;
  EXPECT_EQ(named(read_text("ann,x,4\nbob,y,3\n", forced_header(), &report)), (std::vector<Named>{{"bob", "y", 3}}));
  EXPECT_TRUE(report.header);
  EXPECT_EQ(report.user_name, "ann");
  // A wide header of item ids.
  ReadOptions wide = forced_header();
  wide.layout = Layout::Wide;
  EXPECT_EQ(names(read_text("ann,10,20,30\nbob,1,0,5\n", wide).items), (std::vector<std::string>{"10", "20", "30"}));
}

// A wide header may name its items by number when its first cell says what
// the rows are (user, userId, name, or a spreadsheet's empty corner).
TEST(RatingsReaderHeader, WideHeaderOfItemIds) {
  for (const std::string corner : {"user", "userId", "name", ""}) {
    SCOPED_TRACE(corner);
    ReadReport report;
    const Dataset d = read_text(corner + ",10,20,30,40\nann,1,0,5,2\n", {}, &report);
    EXPECT_TRUE(report.header);
    EXPECT_EQ(report.layout, Layout::Wide);
    EXPECT_EQ(names(d.items), (std::vector<std::string>{"10", "20", "30", "40"}));
    EXPECT_EQ(report.items, 4u);
  }
}

// A wide file without a header row would lose its first user to item names.
TEST(RatingsReaderHeader, WideFileWithoutAHeaderRowIsAnErrorWithAHint) {
  const std::string text = "ann,4,0,3,5\nbob,1,2,3,4\n";
  const Error e = read_error(text);
  expect_data_error(e, 1, 5);
  EXPECT_EQ(e.message(),
            "the first row (ann,4,0,3,…) holds numbers where a wide file's header names the items: a file without a "
            "header row? give --no-header (items are then numbered by column), --layout long if each row is one rating, "
            "or --header if these are item ids");
  const Error forced = read_error("ann,4,0\nbob,1,2\n", with_layout(Layout::Wide));
  expect_data_error(forced, 1, 5);
  EXPECT_TRUE(contains(forced.message(), "(items are then numbered by column), or --header")) << forced.message();
  // Numeric ids and five columns under --layout long are one rating a row.
  EXPECT_EQ(read_text("1,31,2.5,1260759144,7\n2,10,4,1260759145,7\n", with_layout(Layout::Long)).ratings.size(), 2u);
  // --no-header reads it, wide, items numbered by column.
  ReadReport report;
  const Dataset d = read_text(text, no_header(), &report);
  EXPECT_EQ(report.layout, Layout::Wide);
  EXPECT_FALSE(report.header);
  EXPECT_EQ(d.ratings.size(), 7u);
  EXPECT_EQ(names(d.items), (std::vector<std::string>{"2", "3", "4", "5"}));
}

// --- hints for what spreadsheets and other tools write -----------------------------

TEST(RatingsReaderHints, DecimalComma) {
  const Error e = read_error("user;item;rating\nann;x;2,5\n");
  expect_data_error(e, 2, 7);
  EXPECT_EQ(e.message(),
            "rating '2,5' is not a finite number (decimal comma? write 2.5: export the file with '.' as the "
            "decimal separator)");
  // In a wide file the first row's decimal comma is named before the layout
  // is guessed (it would otherwise look like a long file).
  const Error wide = read_error("user;A;B;C\nann;2,5;3;1\nbob;4;0;1\n");
  expect_data_error(wide, 2, 5);
  EXPECT_TRUE(contains(wide.message(), "decimal comma? write 2.5")) << wide.message();
}

TEST(RatingsReaderHints, NotRatedMarksInAWideFile) {
  const std::string text = "user,A,B,C,D\nann,NA,3,1,2\nbob,4,N/A,-,3\n";
  const Error e = read_error(text);
  expect_data_error(e, 2, 5);
  EXPECT_EQ(e.message(), "rating 'NA' is not a finite number (a \"not rated\" mark? give --missing 0,NA)");
  ReadOptions o;
  o.missing = "0,NA";
  const Error next = read_error(text, o);
  expect_data_error(next, 3, 7);
  EXPECT_EQ(next.message(), "rating 'N/A' is not a finite number (a \"not rated\" mark? give --missing 0,NA,N/A)");
  // A list of marks: each is "not rated"; the numbers among them match as numbers.
  o.missing = "0,NA,N/A,-";
  ReadReport report;
  const Dataset d = read_text(text + "cid,0.0,1,NA,\n", o, &report);
  EXPECT_EQ(report.skipped_cells, 6u);
  EXPECT_EQ(named(d), (std::vector<Named>{{"ann", "B", 3},
                                          {"ann", "C", 1},
                                          {"ann", "D", 2},
                                          {"bob", "A", 4},
                                          {"bob", "D", 3},
                                          {"cid", "B", 1}}));
}

// Excel writes a trailing delimiter as a last column with no name.
TEST(RatingsReaderHints, TrailingUnnamedEmptyColumnIsIgnoredWithANote) {
  ReadReport report;
  const Dataset d = read_text("User,A,B,C,\nann,1,2,3,\nbob,4,,5,\n", {}, &report);
  EXPECT_EQ(names(d.items), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(d.ratings.size(), 5u);
  EXPECT_EQ(report.items, 3u);
  EXPECT_EQ(report.notes, (std::vector<std::string>{
                              "column 5 has no name in the header and no value in any row (a trailing delimiter, as "
                              "spreadsheets export): ignored"}));
  EXPECT_EQ(read_text("User,A,B,,\nann,1,2,,\n", with_layout(Layout::Wide), &report).ratings.size(), 2u);
  EXPECT_EQ(report.notes.size(), 1u);
  EXPECT_TRUE(contains(report.notes[0], "columns 4-5 have no name")) << report.notes[0];
  // A value there is an error, not a silent drop.
  const Error e = read_error("User,A,B,C,\nann,1,2,3,\nbob,4,,5,7\n");
  expect_data_error(e, 3, 10);
  EXPECT_EQ(e.message(),
            "value '7' in field 5, which has no name in the header (an unnamed column is read only when it is empty "
            "on every row): name the item in the header, or remove the value");
  // A file without one has no notes.
  read_text("User,A,B,C,D\nann,1,2,3,4\n", {}, &report);
  EXPECT_TRUE(report.notes.empty());
}

TEST(RatingsReaderHints, OneColumnListsTheSeparatorsTried) {
  const Error e = read_error("user:item:rating\nann:x:4\n");
  expect_data_error(e, 2, 0);
  EXPECT_EQ(e.message(),
            "row has 1 field, need at least 3 (user, item, rating); only one column found: tried comma, tab, "
            "semicolon, pipe and space as separators (give --delimiter if the file uses another)");
  ReadOptions o;
  o.delimiter = ';';
  const Error forced = read_error("user,item,rating\nann,x,4\n", o);
  EXPECT_TRUE(contains(forced.message(), "only one column found with --delimiter semicolon: is that the file's "
                                         "separator?"))
      << forced.message();
  // A later row of one field in a file that has several is a short row, no more.
  const Error ragged = read_error("user,item,rating\nann,x,4\nbob\n");
  EXPECT_EQ(ragged.message(), "row has 1 field, need at least 3 (user, item, rating)");
}

TEST(RatingsReaderHints, PipeSeparatedFilesAreSniffed) {
  ReadReport report;
  EXPECT_EQ(named(read_text("user|item|rating\nann|x|4\nbob|y|3.5\n", {}, &report)),
            (std::vector<Named>{{"ann", "x", 4}, {"bob", "y", 3.5f}}));
  EXPECT_EQ(report.delimiter, '|');
}

// --- files that hold nothing --------------------------------------------------------

TEST(RatingsReaderEmpty, EmptyFile) {
  const Error e = read_error("");
  expect_data_error(e, 0, 0);
  EXPECT_TRUE(contains(e.message(), "empty file")) << e.message();
  expect_data_error(read_error("\n  \r\n\n"), 0, 0);
}

TEST(RatingsReaderEmpty, HeaderOnly) {
  const Error e = read_error("user,item,rating\n");
  expect_data_error(e, 1, 0);
  EXPECT_TRUE(contains(e.message(), "header row but no ratings")) << e.message();
  expect_data_error(read_error("\n\nuser,item,rating\n\n"), 3, 0);
}

TEST(RatingsReaderEmpty, MissingFileAndDirectory) {
  EXPECT_EQ(error_of([] { read_ratings(kData + "/no_such_file.csv", ReadOptions{}); }).kind(), ErrorKind::Open);
  EXPECT_EQ(error_of([] { read_ratings(kData, ReadOptions{}); }).kind(), ErrorKind::Open);
}

// --- parse_number ---------------------------------------------------------------------

TEST(RatingsReaderParseNumber, Accepts) {
  EXPECT_EQ(parse_number("3"), 3.0);
  EXPECT_EQ(parse_number("+3"), 3.0);
  EXPECT_EQ(parse_number("-2.5"), -2.5);
  EXPECT_EQ(parse_number(".5"), 0.5);
  EXPECT_EQ(parse_number("3."), 3.0);
  EXPECT_EQ(parse_number("1e3"), 1000.0);
  EXPECT_EQ(parse_number("1E-2"), 0.01);
  EXPECT_EQ(parse_number("007"), 7.0);
  EXPECT_EQ(parse_number("1e38"), 1e38);  // the float range is the reader's check, not this one's
  const auto minus_zero = parse_number("-0");
  ASSERT_TRUE(minus_zero.has_value());
  EXPECT_EQ(*minus_zero, 0.0);
  EXPECT_TRUE(std::signbit(*minus_zero));
}

// The row reader trims spaces around fields, so parse_number need not (and
// does not) accept them; it takes the whole text or nothing.
TEST(RatingsReaderParseNumber, Rejects) {
  for (const char* text : {"", "+", "-", "++3", "+-3", "-+3", " 3", "3 ", "\t3", "nan", "NaN", "inf", "-inf", "+inf",
                           "infinity", "1e999", "-1e999", "0x10", "5,0", "4.5.1", "3e", "e3", "1_000", "3a", "٣"}) {
    EXPECT_FALSE(parse_number(text).has_value()) << "'" << text << "'";
  }
}

// The long layout reads on one thread or, by default, parses rows on a
// second one ahead of the thread that interns names, in batches of 8192
// rows. Both must give the same Dataset and report, and the same first error
// with its place, wherever in the batches the error falls.
std::string long_file(std::size_t rows, std::size_t bad_row, const std::string& bad_line) {
  std::string text = "user,item,rating\n";
  for (std::size_t i = 0; i < rows; ++i) {
    if (i == bad_row) {
      text += bad_line + "\n";
      continue;
    }
    text += "u" + std::to_string(i / 7 % 997) + ",i" + std::to_string(i * 31 % 2003) + "," +
            std::to_string(1 + i % 5) + ".5\n";
    if (i % 5000 == 17) text += "\n";  // blank lines shift the line numbers
  }
  return text;
}

TEST(ReadLong, OneThreadAndTwoGiveTheSameDatasetAndErrors) {
  const std::size_t rows = 30000;  // 3 batches and a part
  struct Case {
    std::size_t bad_row;
    std::string bad_line;
  };
  const std::vector<Case> cases = {
      {rows, ""},                    // no error
      {0, "a,b,x"},                  // first row
      {8191, "a,b"},                 // last row of the first batch
      {8192, ",b,1"},                // first row of the second
      {20000, "a,b,1,2"},            // a later batch
      {rows - 1, "a,b,nan"},         // the last row
      {12345, "u0,i0,2"},            // repeats row 0's pair: found after reading
  };
  for (const auto& c : cases) {
    const std::string text = long_file(rows, c.bad_row, c.bad_line);
    std::string outcome[2];
    for (unsigned threads : {1u, 2u}) {
      ReadOptions o;
      o.threads = threads;
      ReadReport report;
      try {
        const Dataset d = read_text(text, o, &report);
        outcome[threads - 1] = "ok " + std::to_string(d.ratings.size()) + " " + std::to_string(report.rows) + " " +
                               std::to_string(d.users.size()) + " " + std::to_string(d.items.size());
        for (const auto& r : named(d)) outcome[threads - 1] += "|" + r.user + "," + r.item + "," + std::to_string(r.value);
        for (const auto& n : names(d.users)) outcome[threads - 1] += "/" + n;
      } catch (const Error& e) {
        outcome[threads - 1] = std::string("error ") + e.what();
      }
    }
    EXPECT_EQ(outcome[0], outcome[1]) << "bad row " << c.bad_row;
    EXPECT_EQ(outcome[0].rfind(c.bad_row < rows ? "error " : "ok ", 0), 0u) << outcome[0].substr(0, 200);
  }
  // The places, worked out: line = row + 2 (header), + 1 per blank line
  // before it (after rows 17, 5017, 10017, ...).
  ReadOptions o;
  for (unsigned threads : {1u, 2u}) {
    o.threads = threads;
    try {
      read_text(long_file(rows, 8192, ",b,1"), o);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "empty user id (r.csv:8196:1)");
    }
  }
}

}  // namespace
}  // namespace mfrec
