// split_ratings: the two parts are the input's ratings exactly (long: its
// lines; wide: its cells), in its layout, delimiter and header; the draw is
// fixed by the seed, independent of threads and row order, exact in count
// (and per user with by_user); bad input fails as read_ratings fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/io/split.hpp"

namespace mfrec {
namespace {

struct Parts {
  std::string train, test;
  SplitCounts counts;
  ReadReport report;
};

Parts split_text(const std::string& text, const SplitOptions& options) {
  Parts p;
  p.counts = split_ratings_text(
      "in.csv", text, options, [&](std::string_view b) { p.train += b; }, [&](std::string_view b) { p.test += b; },
      &p.report);
  return p;
}

SplitOptions with_fraction(double fraction, std::uint64_t seed = 42) {
  SplitOptions o;
  o.test_fraction = fraction;
  o.seed = seed;
  return o;
}

// The lines of `text`, each with its end.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size() - 1) + 1;
    out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

// A long file of `users` users with 1..`users` ratings each, and a timestamp
// column, in `delimiter`, with a header when `header`.
std::string long_file(int users, char delimiter = ',', bool header = true, const std::string& end = "\n") {
  std::ostringstream out;
  const std::string d(1, delimiter);
  if (header) out << "userId" << d << "movieId" << d << "rating" << d << "timestamp" << end;
  for (int u = 1; u <= users; ++u)
    for (int i = 1; i <= u; ++i)
      out << "u" << u << d << "m" << (i * 7 % 31) + i * 31 << d << (i % 5) + 1 << d << 1000 + u * i << end;
  return out.str();
}

// `part`'s lines are a subsequence of `all`'s (in the same order).
bool in_order_within(const std::vector<std::string>& part, const std::vector<std::string>& all) {
  auto at = all.begin();
  for (const auto& line : part) {
    at = std::find(at, all.end(), line);
    if (at == all.end()) return false;
    ++at;
  }
  return true;
}

TEST(Split, LongPartsAreTheInputLinesInOrderWithTheHeaderInBoth) {
  const std::string text = long_file(30);
  const Parts p = split_text(text, with_fraction(0.25));
  std::vector<std::string> all = lines_of(text), train = lines_of(p.train), test = lines_of(p.test);
  ASSERT_EQ(train.front(), all.front());
  ASSERT_EQ(test.front(), all.front());
  train.erase(train.begin());
  test.erase(test.begin());
  all.erase(all.begin());
  EXPECT_TRUE(in_order_within(train, all));
  EXPECT_TRUE(in_order_within(test, all));
  std::multiset<std::string> joined(train.begin(), train.end());
  joined.insert(test.begin(), test.end());
  EXPECT_EQ(joined, std::multiset<std::string>(all.begin(), all.end()));
  const std::uint64_t n = 30 * 31 / 2;
  EXPECT_EQ(p.counts.ratings, n);
  EXPECT_EQ(p.counts.test, static_cast<std::uint64_t>(std::llround(0.25 * n)));
  EXPECT_EQ(test.size(), p.counts.test);
  EXPECT_EQ(train.size(), p.counts.train);
}

TEST(Split, SameSeedSameBytesOtherSeedOtherSplit) {
  const std::string text = long_file(20);
  const Parts a = split_text(text, with_fraction(0.2, 7)), b = split_text(text, with_fraction(0.2, 7));
  const Parts c = split_text(text, with_fraction(0.2, 8));
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, c.test);
  EXPECT_EQ(a.counts.test, c.counts.test);
}

TEST(Split, SameBytesForAnyThreadCountAndPieceSize) {
  const std::string text = long_file(40);
  SplitOptions one = with_fraction(0.3);
  one.read.threads = 1;
  SplitOptions many = one;
  many.read.threads = 4;
  many.read.piece_bytes = 64;  // many pieces, parsed by several threads
  const Parts a = split_text(text, one), b = split_text(text, many);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
}

// The draw is train --validation's: the same seed holds out the same
// ratings.
TEST(Split, HeldOutRatingsAreTrainValidationsWithTheSameSeed) {
  const std::string text = long_file(25, ',', false);
  const Parts forward = split_text(text, with_fraction(0.2));
  ReadOptions read;
  read.header = false;
  CsvRowReader rows = CsvRowReader::from_string("in.csv", text, kSniffDelimiter);
  const Split validation = split_holdout(read_ratings(rows, read), 0.2, 42);
  std::set<std::string> held;
  for (const Rating& r : validation.holdout.ratings)
    held.insert(validation.holdout.users.name(r.user) + "," + validation.holdout.items.name(r.item));
  std::set<std::string> tested;
  for (const auto& line : lines_of(forward.test)) tested.insert(line.substr(0, line.find(',', line.find(',') + 1)));
  EXPECT_EQ(tested, held);
}

// Each part reads back as the input does: same layout, delimiter, header.
class SplitLayouts : public ::testing::TestWithParam<std::tuple<char, bool>> {};

TEST_P(SplitLayouts, PartsKeepDelimiterAndHeader) {
  const auto [delimiter, header] = GetParam();
  const std::string text = long_file(12, delimiter, header);
  const Parts p = split_text(text, with_fraction(0.2));
  EXPECT_EQ(p.report.delimiter, delimiter);
  EXPECT_EQ(p.report.header, header);
  std::size_t ratings = 0;
  for (const std::string* part : {&p.train, &p.test}) {
    ReadReport report;
    CsvRowReader rows = CsvRowReader::from_string("part", *part, kSniffDelimiter);
    ratings += read_ratings(rows, ReadOptions{}, &report).ratings.size();
    EXPECT_EQ(report.delimiter, delimiter);
    EXPECT_EQ(report.header, header);
    EXPECT_EQ(report.layout, Layout::Long);
  }
  EXPECT_EQ(ratings, p.counts.ratings);
}

INSTANTIATE_TEST_SUITE_P(Delimiters, SplitLayouts,
                         ::testing::Combine(::testing::Values(',', '\t', ';'), ::testing::Bool()));

TEST(Split, LinesAreCopiedByteForByte) {
  // CRLF, quotes (one holding the delimiter), spaces, extra columns; a blank
  // line (which the reader skips) and a BOM.
  const std::string text =
      "\xEF\xBB\xBFuser,item,rating,comment\r\n"
      "\"ann\",\"Don't Stop, Believin'\",5,\"loud\"\"ly\"\r\n"
      "  \r\n"
      "ann, b ,4.50,x\r\n"
      "bob,c,1,\r\n"
      "bob,\"Don't Stop, Believin'\",2,\"y,z\"\r\n";
  SplitOptions o = with_fraction(0.5);
  const Parts p = split_text(text, o);
  EXPECT_EQ(p.counts.ratings, 4u);
  EXPECT_EQ(p.counts.test, 2u);
  const std::string header = "\xEF\xBB\xBFuser,item,rating,comment\r\n";
  ASSERT_EQ(p.train.substr(0, header.size()), header);
  ASSERT_EQ(p.test.substr(0, header.size()), header);
  std::multiset<std::string> joined;
  for (const std::string* part : {&p.train, &p.test})
    for (const auto& line : lines_of(part->substr(header.size()))) joined.insert(line);
  const std::multiset<std::string> want = {"\"ann\",\"Don't Stop, Believin'\",5,\"loud\"\"ly\"\r\n",
                                           "ann, b ,4.50,x\r\n", "bob,c,1,\r\n",
                                           "bob,\"Don't Stop, Believin'\",2,\"y,z\"\r\n"};
  EXPECT_EQ(joined, want);
}

TEST(Split, LastLineWithoutItsEndStaysSo) {
  const Parts p = split_text("u,i,r\na,x,1\na,y,2\nb,x,3\nb,y,4", with_fraction(0.5));
  EXPECT_EQ(p.counts.test, 2u);
  const std::string& last_part = p.train.find("b,y,4") != std::string::npos ? p.train : p.test;
  EXPECT_EQ(last_part.substr(last_part.size() - 5), "b,y,4");
}

std::vector<std::string> cells_of(const std::string& row, char delimiter) {
  std::vector<std::string> out(1);
  for (char c : row.substr(0, row.find('\r'))) {
    if (c == delimiter) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

// `cell` with its text (spaces around it kept) replaced by "0".
std::string zeroed(const std::string& cell) {
  const std::size_t first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
  return cell.substr(0, first) + "0" + cell.substr(last + 1);
}

TEST(Split, WideCellsGoToOnePartAndReadZeroInTheOther) {
  const std::string text =
      "User;\"A;1\";B;C\r\n"
      "ann;5;0;\"2.5\"\r\n"
      "bob; 4 ;3;0\r\n"
      "cy;0;0;1\r\n";
  SplitOptions o = with_fraction(0.4);
  o.read.layout = Layout::Wide;  // four columns could be either
  const Parts p = split_text(text, o);
  EXPECT_EQ(p.report.layout, Layout::Wide);
  EXPECT_EQ(p.counts.ratings, 5u);
  EXPECT_EQ(p.counts.test, 2u);
  const auto train = lines_of(p.train), test = lines_of(p.test), all = lines_of(text);
  ASSERT_EQ(train.size(), 4u);
  ASSERT_EQ(test.size(), 4u);
  EXPECT_EQ(train[0], all[0]);
  EXPECT_EQ(test[0], all[0]);
  std::size_t held = 0;
  for (std::size_t row = 1; row < all.size(); ++row) {
    const auto cells = cells_of(all[row], ';'), in_train = cells_of(train[row], ';'),
               in_test = cells_of(test[row], ';');
    ASSERT_EQ(in_train.size(), cells.size());
    ASSERT_EQ(in_test.size(), cells.size());
    EXPECT_EQ(train[row].substr(train[row].size() - 2), "\r\n");
    EXPECT_EQ(in_train[0], cells[0]);
    EXPECT_EQ(in_test[0], cells[0]);
    for (std::size_t c = 1; c < cells.size(); ++c) {
      if (cells[c] == "0") {  // not rated: as it was in both
        EXPECT_EQ(in_train[c], "0");
        EXPECT_EQ(in_test[c], "0");
      } else if (in_test[c] == cells[c]) {
        EXPECT_EQ(in_train[c], zeroed(cells[c]));
        ++held;
      } else {
        EXPECT_EQ(in_train[c], cells[c]) << "row " << row << " column " << c;
        EXPECT_EQ(in_test[c], zeroed(cells[c]));
      }
    }
  }
  EXPECT_EQ(held, 2u);
}

TEST(Split, WideHeldOutCellsTakeTheFirstMissingValue) {
  SplitOptions o = with_fraction(0.5);
  o.read.missing = "NA,-";
  const Parts p = split_text("User,A,B\nann,5,NA\nbob,-,3\ncy,2,1\n", o);
  EXPECT_EQ(p.counts.ratings, 4u);
  EXPECT_EQ(p.counts.test, 2u);
  for (const std::string* part : {&p.train, &p.test}) {
    ReadOptions read;
    read.missing = "NA,-";
    CsvRowReader rows = CsvRowReader::from_string("part", *part, kSniffDelimiter);
    EXPECT_EQ(read_ratings(rows, read).ratings.size(), 2u);
    EXPECT_EQ(std::count(part->begin(), part->end(), 'N'), std::count(part->begin(), part->end(), 'A') - 1)
        << "every A but the header's is an NA";
  }
}

// With no "not rated" value but the empty cell, a space-separated part
// writes "" (an empty quoted cell) where nothing would remove the column.
TEST(Split, WideSpaceSeparatedWithoutMissingValuesWritesEmptyQuotes) {
  SplitOptions o = with_fraction(0.5);
  o.read.layout = Layout::Wide;
  o.read.missing = "";
  const Parts p = split_text("User A B\nann 5 0\nbob \"3\" 4\n", o);
  EXPECT_EQ(p.counts.ratings, 4u);  // 0 is a rating here
  const auto empties = [](const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = part.find(" \"\""); at != std::string::npos; at = part.find(" \"\"", at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(empties(p.train), 2u);
  EXPECT_EQ(empties(p.test), 2u);
  for (const std::string* part : {&p.train, &p.test}) {
    ReadOptions read;
    read.layout = Layout::Wide;
    read.missing = "";
    CsvRowReader rows = CsvRowReader::from_string("part", *part, kSniffDelimiter);
    EXPECT_EQ(read_ratings(rows, read).ratings.size(), 2u) << *part;
  }
}

// 1, 2, 4 and 10 ratings: at 0.5, round(n/2) held out but never all (0, 1,
// 2, 5); at 0.9, 0, 1 (not 2), 3 (not 4), 9.
TEST(Split, ByUserHoldsOutEachUsersShareButNeverAll) {
  std::string text = "user,item,rating\n";
  const std::map<std::string, int> counts = {{"a", 1}, {"b", 2}, {"c", 4}, {"d", 10}};
  for (const auto& [user, n] : counts)
    for (int i = 0; i < n; ++i) text += user + ",i" + std::to_string(i) + ",3\n";
  for (const auto& [fraction, want] : std::vector<std::pair<double, std::map<std::string, int>>>{
           {0.5, {{"b", 1}, {"c", 2}, {"d", 5}}}, {0.9, {{"b", 1}, {"c", 3}, {"d", 9}}}}) {
    SplitOptions o = with_fraction(fraction);
    o.by_user = true;
    const Parts p = split_text(text, o);
    std::map<std::string, int> held;
    for (const auto& line : lines_of(p.test)) ++held[line.substr(0, line.find(','))];
    held.erase("user");
    EXPECT_EQ(held, want) << "fraction " << fraction;
    EXPECT_NE(p.train.find("\na,i0,3\n"), std::string::npos);
  }
}

TEST(Split, ByUserWithNothingToHoldOutIsAnError) {
  SplitOptions o = with_fraction(0.1);
  o.by_user = true;
  try {
    split_text("u,i,r\na,x,1\na,y,2\nb,x,3\n", o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    EXPECT_NE(std::string(e.what()).find("--by-user"), std::string::npos);
  }
}

TEST(Split, FractionsOutsideZeroToOneAreUsageErrors) {
  for (double fraction : {0.0, 1.0, -0.2, 1.5, std::nan("")}) {
    try {
      split_text("u,i,r\na,x,1\nb,y,2\n", with_fraction(fraction));
      FAIL() << fraction;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage) << fraction;
    }
  }
}

// A file train rejects is rejected with train's error, and no byte is
// written.
TEST(Split, BadRowsFailAsTheReaderFailsAndWriteNothing) {
  for (const std::string text : {"user,item,rating\nann,x,5\nbob,y,abc\n", "user,item,rating\nann,x,5\nann,x,3\n",
                                 "User,A,B\nann,1,2\nbob,1\n", ""}) {
    std::string reader_error;
    try {
      CsvRowReader rows = CsvRowReader::from_string("in.csv", text, kSniffDelimiter);
      read_ratings(rows, ReadOptions{});
    } catch (const Error& e) {
      reader_error = e.what();
    }
    ASSERT_FALSE(reader_error.empty()) << text;
    std::size_t writes = 0;
    try {
      split_ratings_text(
          "in.csv", text, with_fraction(0.5), [&](std::string_view) { ++writes; }, [&](std::string_view) { ++writes; });
      FAIL() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.what(), reader_error);
      EXPECT_EQ(e.kind(), ErrorKind::Data);
    }
    EXPECT_EQ(writes, 0u);
  }
}

TEST(Split, MissingFileIsAnOpenError) {
  try {
    split_ratings(
        "/nonexistent/ratings.csv", with_fraction(0.2), [](std::string_view) {}, [](std::string_view) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Open);
  }
}

TEST(Split, StopEndsTheSplitBeforeAnythingIsWritten) {
  std::atomic<bool> stop{true};
  SplitOptions o = with_fraction(0.2);
  o.stop = &stop;
  std::size_t writes = 0;
  try {
    split_ratings_text(
        "in.csv", long_file(10), o, [&](std::string_view) { ++writes; }, [&](std::string_view) { ++writes; });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Interrupted);
  }
  EXPECT_EQ(writes, 0u);
}

}  // namespace
}  // namespace mfrec
