// Reading one ratings file across N ranks (dist::read_ratings_across), the
// ranks being threads (thread_cluster.hpp): on every rank, for N = 1 to 7
// and pieces small enough that every rank parses some, the outcome is
// read_ratings's: the same Dataset (names in index order, ratings bit for
// bit, source), the same report and notes, or the same Error (kind,
// message, file:line:column).
#include "mfrec/dist/read_across.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "read_outcome.hpp"
#include "temp_dir.hpp"
#include "thread_cluster.hpp"

namespace mfrec {
namespace {

using namespace testing;

constexpr int kRanks[] = {1, 2, 3, 4, 7};

// Each rank's outcome of reading the path `path_of` gives it.
std::vector<Outcome> outcomes_across(int n, const std::function<std::string(int rank)>& path_of,
                                     const ReadOptions& options) {
  std::vector<Outcome> outcomes(static_cast<std::size_t>(n));
  run_ranks(n, [&](const dist::Cluster& ranks) {
    const Reader read = [&](const ReadOptions& o, ReadReport* report) {
      return dist::read_ratings_across(ranks, path_of(ranks.rank()), o, report);
    };
    outcomes[static_cast<std::size_t>(ranks.rank())] = outcome_of(read, options);
  });
  return outcomes;
}

// Every rank's outcome, for each rank count, with pieces of `piece_bytes`
// parsed on 1 and 2 threads a rank, is `want`.
void expect_on_every_rank(const Outcome& want, const std::function<std::string(int rank)>& path_of,
                          ReadOptions options, std::size_t piece_bytes = 64,
                          std::span<const int> rank_counts = kRanks) {
  options.piece_bytes = piece_bytes;
  for (const unsigned threads : {1u, 2u}) {
    options.threads = threads;
    for (const int n : rank_counts) {
      const std::vector<Outcome> outcomes = outcomes_across(n, path_of, options);
      for (int r = 0; r < n; ++r)
        EXPECT_EQ(difference(want, outcomes[static_cast<std::size_t>(r)]), "")
            << n << " ranks, rank " << r << ", " << threads << " threads, piece_bytes " << piece_bytes;
    }
  }
}

// `text` as a file read by one process, then across ranks; returns the
// outcome, for the tests to check by hand too.
Outcome expect_as_one_process(const std::string& text, const ReadOptions& options = {},
                              std::size_t piece_bytes = 64) {
  const TempDir dir;
  const std::string path = dir.write("ratings.csv", text);
  const Outcome want = outcome_of(from_path(path), options);
  expect_on_every_rank(want, [&](int) { return path; }, options, piece_bytes);
  return want;
}

// `users` users rating items "i0".."i{items-1}": user u rates the items
// (u * 7 + k * 3) % items for k < per_user, so no pair repeats when
// per_user * 3 <= items. Grouped by user unless `shuffled`.
std::vector<std::string> rating_lines(int users, int per_user, int items, bool string_ids) {
  std::vector<std::string> lines;
  for (int u = 0; u < users; ++u)
    for (int k = 0; k < per_user; ++k) {
      const int item = (u * 7 + k * 3) % items;
      const std::string user = string_ids ? "user-" + std::to_string(u * 13 % users) : std::to_string(u * 13 % users);
      lines.push_back(user + "," + (string_ids ? "item-" : "") + std::to_string(item) + "," +
                      std::to_string(1 + (u + k) % 5) + (k % 2 ? ".5" : ""));
    }
  return lines;
}

std::vector<std::string> shuffled(std::vector<std::string> lines) {
  std::shuffle(lines.begin(), lines.end(), std::mt19937(17));
  return lines;
}

std::string text_of(const std::vector<std::string>& lines, const std::string& header = "") {
  std::string text = header;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

TEST(ReadAcross, GroupedStringIdsWithHeader) {
  const Outcome want = expect_as_one_process(text_of(rating_lines(40, 6, 30, true), "user,item,rating\n"));
  ASSERT_TRUE(want.ok);
  EXPECT_EQ(want.ratings.size(), 240u);
  EXPECT_EQ(want.users.front(), "user-0");
  EXPECT_EQ(want.users[1], "user-13");  // first-appearance order, not sorted
}

TEST(ReadAcross, ShuffledStringIds) {
  const Outcome want = expect_as_one_process(text_of(shuffled(rating_lines(40, 6, 30, true)), "user,item,rating\n"));
  ASSERT_TRUE(want.ok);
  EXPECT_EQ(want.ratings.size(), 240u);
}

TEST(ReadAcross, NumericIdsWithoutHeader) {
  ReadOptions options;
  options.header = false;
  const Outcome want = expect_as_one_process(text_of(shuffled(rating_lines(30, 5, 20, false))), options);
  ASSERT_TRUE(want.ok);
  EXPECT_EQ(want.ratings.size(), 150u);
}

// Blank lines and CRLF ends: the ratings' lines (for errors) stay right.
TEST(ReadAcross, BlankLinesAndCrlf) {
  std::string text = "user;item;rating\r\n";
  for (const auto& line : rating_lines(20, 4, 15, true)) {
    std::string semicolons = line;
    std::replace(semicolons.begin(), semicolons.end(), ',', ';');
    text += semicolons + "\r\n" + (semicolons.size() % 3 == 0 ? "\n  \n" : "");
  }
  EXPECT_TRUE(expect_as_one_process(text).ok);
}

// Interactions: a pair on several rows, the rows far apart (on different
// ranks), adds up in file order, with the note.
TEST(ReadAcross, InteractionsAddUpRepeatedPairs) {
  std::vector<std::string> lines;
  for (int round = 0; round < 3; ++round)
    for (int u = 0; u < 25; ++u) lines.push_back("u" + std::to_string(u) + ",song" + std::to_string(u % 4));
  ReadOptions options;
  options.interactions = true;
  options.header = false;
  const Outcome want = expect_as_one_process(text_of(lines), options);
  ASSERT_TRUE(want.ok);
  EXPECT_EQ(want.ratings.size(), 25u);
  EXPECT_EQ(want.ratings.front().value, 3.0f);
  EXPECT_NE(want.report.find("75 repeated user,item rows were added up into 25 pairs"), std::string::npos)
      << want.report;
}

TEST(ReadAcross, WideFileIsReadByRankZero) {
  std::string text = "user,a,b,c\n";
  for (int u = 0; u < 30; ++u) text += "u" + std::to_string(u) + "," + std::to_string(u % 5) + ",3,\n";
  ReadOptions options;
  options.layout = Layout::Wide;
  const Outcome want = expect_as_one_process(text, options);
  ASSERT_TRUE(want.ok);
  EXPECT_EQ(want.items, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ReadAcross, OnePieceLeavesTheOtherRanksNothingToParse) {
  EXPECT_TRUE(expect_as_one_process(text_of(rating_lines(10, 3, 10, true)), {}, 0).ok);
}

// A FIFO, as stdin, can be read once: rank 0 reads it, the others never
// open it (they would wait for a writer forever).
TEST(ReadAcross, FifoIsReadByRankZeroAlone) {
  const TempDir dir;
  const std::string path = dir.file("ratings.fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const std::string text = text_of(shuffled(rating_lines(30, 4, 20, true)), "user,item,rating\n");
  const Outcome want = outcome_of(from_memory(path, text), {});
  ASSERT_TRUE(want.ok);
  for (const int n : {2, 3}) {
    const FifoFrom fifo(path, text);
    const std::vector<Outcome> outcomes = outcomes_across(n, [&](int) { return path; }, {});
    for (int r = 0; r < n; ++r) EXPECT_EQ(difference(want, outcomes[static_cast<std::size_t>(r)]), "") << n << " ranks, rank " << r;
  }
}

// --- errors: every rank throws read_ratings's ------------------------------------------

TEST(ReadAcross, BadRowInALatePiece) {
  std::vector<std::string> lines = rating_lines(40, 5, 30, true);
  lines[185] = "user-3,item-4,four";
  const Outcome want = expect_as_one_process(text_of(lines, "user,item,rating\n"));
  EXPECT_EQ(written_out(want), "187:15 rating 'four' is not a finite number");
}

// Two bad rows on different ranks: the first in the file wins.
TEST(ReadAcross, TheFirstBadRowInTheFileWins) {
  std::vector<std::string> lines = rating_lines(40, 5, 30, true);
  lines[60] = "user-3,,4";
  lines[190] = "user-3,item-4,four";
  const Outcome want = expect_as_one_process(text_of(lines, "user,item,rating\n"));
  EXPECT_EQ(written_out(want), "62:8 empty item id");
}

TEST(ReadAcross, DuplicatePairOnDifferentRanksGrouped) {
  std::vector<std::string> lines = rating_lines(40, 5, 30, true);
  lines.push_back(lines[2]);
  const Outcome want = expect_as_one_process(text_of(lines, "user,item,rating\n"));
  EXPECT_EQ(written_out(want), "202:0 duplicate rating for user 'user-0' and item 'item-6' (lines 4 and 202)");
}

// Shuffled: the merge puts ratings in user bands and loses their lines, so
// the file is read again, across the ranks too.
TEST(ReadAcross, DuplicatePairOnDifferentRanksShuffled) {
  std::vector<std::string> lines = shuffled(rating_lines(40, 5, 30, true));
  lines.push_back(lines[1]);
  const Outcome want = expect_as_one_process(text_of(lines, "user,item,rating\n"));
  ASSERT_FALSE(want.ok);
  EXPECT_NE(want.message.find("(lines 3 and 202)"), std::string::npos) << want.message;
}

TEST(ReadAcross, EmptyFile) {
  const Outcome want = expect_as_one_process("");
  ASSERT_FALSE(want.ok);
  EXPECT_EQ(want.kind, ErrorKind::Data);
}

TEST(ReadAcross, HeaderOnly) {
  EXPECT_FALSE(expect_as_one_process("user,item,rating\n").ok);
}

// A file missing on one rank: every rank throws that rank's Open error.
TEST(ReadAcross, FileMissingOnOneRank) {
  const TempDir dir;
  const std::string path = dir.write("ratings.csv", text_of(rating_lines(10, 3, 10, true)));
  const std::string missing = dir.file("not-here.csv");
  const Outcome want = outcome_of(from_path(missing), {});
  ASSERT_EQ(want.kind, ErrorKind::Open);
  constexpr int kSeveral[] = {2, 3, 7};
  expect_on_every_rank(want, [&](int rank) { return rank == 1 ? missing : path; }, {}, 64, kSeveral);
}

// Two ranks missing their files: the lowest one's error.
TEST(ReadAcross, TheLowestRankMissingItsFileWins) {
  const TempDir dir;
  const std::string path = dir.write("ratings.csv", text_of(rating_lines(10, 3, 10, true)));
  const Outcome want = outcome_of(from_path(dir.file("missing-1.csv")), {});
  constexpr int kSeveral[] = {2, 3, 7};
  expect_on_every_rank(
      want, [&](int rank) { return rank == 0 ? path : dir.file("missing-" + std::to_string(rank) + ".csv"); }, {},
      64, kSeveral);
}

// A rank whose file differs from rank 0's would take other steps and wait
// for its peers forever: every rank says so instead.
TEST(ReadAcross, ADifferentFileOnOneRankIsRefused) {
  const TempDir dir;
  const std::string path = dir.write("ratings.csv", text_of(rating_lines(10, 3, 10, true)));
  const std::string other = dir.write("other.csv", text_of(rating_lines(12, 3, 10, true)));
  ReadOptions options;
  options.piece_bytes = 64;
  const std::vector<Outcome> outcomes = outcomes_across(3, [&](int rank) { return rank == 1 ? other : path; }, options);
  for (const Outcome& o : outcomes) {
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.message.rfind("not the same file on every rank: rank 0 sees ", 0), 0u) << o.message;
  }
}

}  // namespace
}  // namespace mfrec
