// Issue 14: the long layout is cut into pieces of about ReadOptions::
// piece_bytes at line boundaries, parsed on ReadOptions::threads threads and
// merged so that ids keep their first-appearance order. None of that may
// show: for every input here, each thread count and piece size gives what one
// thread reading the input in one piece gives, the same Dataset (names in
// index order, ratings bit for bit, source, what the report says) or the
// same Error (kind, message, file:line:column), whether the input comes from
// memory, a file, stdin or a FIFO. Many outcomes are also written out by
// hand (from the one-piece reader), so that all the splits are held to known
// answers, not only to each other.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "read_outcome.hpp"
#include "temp_dir.hpp"

namespace mfrec {
namespace {

using namespace std::string_literals;
using namespace testing;

// Every split of the work: each thread count with each piece size (0: the
// default 4 MiB, one piece for every input here). Pieces of 1 and 7 bytes
// end at every line; 16 and 64 put two to five lines in a piece, so the
// boundaries fall in other places for each.
constexpr unsigned kThreads[] = {1, 2, 8};
constexpr std::size_t kPieceBytes[] = {1, 7, 16, 64, 0};
// A read from a pipe costs today's reader a 32 MiB read-ahead buffer (0.2 s):
// streams are read in two of the splits' piece sizes only.
constexpr std::size_t kStreamPieceBytes[] = {16, 0};

Reader from_stdin(const std::string& text) {
  return [text](const ReadOptions& o, ReadReport* report) {
    StdinFrom in(text);
    return read_ratings("-", o, report);
  };
}

// `path` must be a FIFO; each read gets a writer of its own.
Reader from_fifo(const std::string& path, const std::string& text) {
  return [path, text](const ReadOptions& o, ReadReport* report) {
    FifoFrom in(path, text);
    return read_ratings(path, o, report);
  };
}

// --- reading every way -----------------------------------------------------------------

ReadOptions in_one_piece(ReadOptions options) {
  options.threads = 1;
  options.piece_bytes = 0;
  return options;
}

// Reads with `read` split every way; each outcome must be `want`.
void expect_the_same_for_every_split(const Reader& read, const ReadOptions& options, const Outcome& want,
                                     const std::string& how, std::span<const std::size_t> piece_sizes = kPieceBytes) {
  for (const unsigned threads : kThreads) {
    for (const std::size_t piece_bytes : piece_sizes) {
      ReadOptions o = options;
      o.threads = threads;
      o.piece_bytes = piece_bytes;
      const std::string diff = difference(want, outcome_of(read, o));
      EXPECT_TRUE(diff.empty()) << how << ", " << threads << " threads, piece_bytes " << piece_bytes << ":\n" << diff;
    }
  }
}

// Reads `text` split every way from memory and from a file in `dir`; returns
// the outcome of one thread reading it in one piece.
Outcome read_every_way(const TempDir& dir, const std::string& text, const ReadOptions& options = {}) {
  const std::string path = dir.write("ratings.csv", text);
  const Outcome want = outcome_of(from_memory(path, text), in_one_piece(options));
  expect_the_same_for_every_split(from_memory(path, text), options, want, "from memory");
  expect_the_same_for_every_split(from_path(path), options, want, "from the file");
  return want;
}

// Only from memory: for the sweeps, which read many variants of one text.
Outcome read_every_split(const std::string& text, const ReadOptions& options = {}) {
  const Reader read = from_memory("r.csv", text);
  const Outcome want = outcome_of(read, in_one_piece(options));
  expect_the_same_for_every_split(read, options, want, "from memory");
  return want;
}

// An input, its options, and its outcome written out (see written_out).
struct Case {
  std::string what;
  std::string text;
  std::string expected;
  ReadOptions options{};
};

void expect_cases(const std::vector<Case>& cases) {
  const TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(written_out(read_every_way(dir, c.text, c.options)), c.expected);
  }
}

// The default options but one.
template <class T>
ReadOptions with(T ReadOptions::*field, std::type_identity_t<T> value) {
  ReadOptions o;
  o.*field = value;
  return o;
}

// --- files that load --------------------------------------------------------------------

TEST(ParallelReader, SeparatorsAndHeaders) {
  expect_cases({
      {"comma, header", "user,item,rating\nann,x,4\nbob,y,3.5\nann,z,1\ncid,x,2\nbob,x,5\n",
       "ann/x/4 ann/z/1 bob/x/5 bob/y/3.5 cid/x/2"},
      {"comma, no header (the first row's rating is a number)", "ann,x,4\nbob,y,3.5\nann,z,1\ncid,x,2\n",
       "ann/x/4 ann/z/1 bob/y/3.5 cid/x/2"},
      {"--no-header", "ann,x,4\nbob,y,3.5\nann,z,1\n", "ann/x/4 ann/z/1 bob/y/3.5", with(&ReadOptions::header, false)},
      {"tab", "user\titem\trating\nann\tx\t4\nbob\ty\t3.5\nann\tz\t1\n", "ann/x/4 ann/z/1 bob/y/3.5"},
      {"semicolon", "user;item;rating\nann;x;4\nbob;y;3.5\nann;z;1\n", "ann/x/4 ann/z/1 bob/y/3.5"},
      {"runs of spaces, sniffed", "user  item   rating\nann x    4\n  bob   y 3.5  \nann\t z 1\n",
       "ann/x/4 ann/z/1 bob/y/3.5"},
      {"runs of spaces, forced", "ann    x 4\nbob y      3.5\n   ann z 1\n", "ann/x/4 ann/z/1 bob/y/3.5",
       with(&ReadOptions::delimiter, kWhitespaceDelimiter)},
      {"extra columns (a timestamp)",
       "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3,1260759179\n2,31,4,1\n",
       "1/31/2.5 1/1029/3 2/31/4"},
      {"rows narrower than the header, wide enough", "userId,movieId,rating,timestamp\n1,31,2.5\n1,1029,3,9\n2,31,4\n",
       "1/31/2.5 1/1029/3 2/31/4"},
  });
}

TEST(ParallelReader, LineEndsBomQuotesAndBlankLines) {
  expect_cases({
      {"CRLF", "user,item,rating\r\nann,x,4\r\nbob,y,3.5\r\n\r\nann,z,1\r\n", "ann/x/4 ann/z/1 bob/y/3.5"},
      {"a BOM before the header", "\xEF\xBB\xBFuser,item,rating\nann,x,4\nbob,y,3.5\n", "ann/x/4 bob/y/3.5"},
      {"a BOM, no header, CRLF", "\xEF\xBB\xBF" "ann,x,4\r\nbob,y,3.5\r\n", "ann/x/4 bob/y/3.5"},
      // Only the input's first bytes can be a BOM: on a later line (the
      // first of a piece) the three bytes are part of the name.
      {"BOM bytes starting a later line", "user,item,rating\nann,x,4\nbob,y,3\n\xEF\xBB\xBF" "bob,y,2\n",
       "ann/x/4 bob/y/3 \xEF\xBB\xBF" "bob/y/2"},
      {"quoted fields with separators and doubled quotes",
       "user,item,rating\nann,\"Crosby, Stills & Nash\",4\n"
       "\"O'Brien, Pat\",\"Don't \"\"Stop\"\"\",3\n\"ann\",x,\"2.5\"\n",
       "ann/Crosby, Stills & Nash/4 ann/x/2.5 O'Brien, Pat/Don't \"Stop\"/3"},
      {"blank and whitespace-only lines everywhere",
       "\n \nuser,item,rating\n\n\nann,x,4\n \t \n\nbob,y,3.5\n\r\n   \r\nann,z,1\n\n\n\n\n\n\n\n\n\n\ncid,x,2\n\n  \n",
       "ann/x/4 ann/z/1 bob/y/3.5 cid/x/2"},
      {"no newline after the last line", "user,item,rating\nann,x,4\nbob,y,3.5", "ann/x/4 bob/y/3.5"},
      {"no newline after a CR-ended last line", "user,item,rating\r\nann,x,4\r\nbob,y,3.5\r", "ann/x/4 bob/y/3.5"},
      {"a last line of spaces without a newline", "user,item,rating\nann,x,4\nbob,y,3.5\n   ", "ann/x/4 bob/y/3.5"},
  });
}

// Ids are numbered in order of first appearance in the file, whichever
// piece interns a name first.
TEST(ParallelReader, IdsInFirstAppearanceOrder) {
  const TempDir dir;
  const Outcome o = read_every_way(dir, "user,item,rating\ncid,z,1\nbob,y,2\ncid,x,3\nann,w,4\nbob,z,5\nann,y,1\n");
  EXPECT_EQ(o.users, (std::vector<std::string>{"cid", "bob", "ann"}));
  EXPECT_EQ(o.items, (std::vector<std::string>{"z", "y", "x", "w"}));
  EXPECT_EQ(written_out(o), "cid/z/1 cid/x/3 bob/z/5 bob/y/2 ann/y/1 ann/w/4");
}

TEST(ParallelReader, Interactions) {
  expect_cases({
      {"repeated pairs add up", "user,item,plays\nann,x,2\nbob,y,1\nann,x,3\n\nbob,z,1\nann,x,0.5\n",
       "ann/x/5.5 bob/y/1 bob/z/1", with(&ReadOptions::interactions, true)},
      // Added in file order (in double): 1e17 + 1 rounds back to 1e17, so
      // the sum is 0; another order would give 1.
      {"added in file order", "user,item,plays\nann,x,1e17\nbob,y,1\nann,x,1\nbob,z,1\ncid,x,1\nann,x,-1e17\n",
       "ann/x/0 bob/y/1 bob/z/1 cid/x/1", with(&ReadOptions::interactions, true)},
      {"two columns, a header", "user,item\nann,x\nbob,y\nann,x\nann,y\nbob,y\nann,x\n", "ann/x/3 ann/y/1 bob/y/2",
       with(&ReadOptions::interactions, true)},
      {"two columns, no header", "ann,x\nbob,y\nann,x\n", "ann/x/2 bob/y/1", with(&ReadOptions::interactions, true)},
  });
}

// Many names and rows, in an order that comes back to old names in every
// piece, so that pieces really are parsed side by side and merged.
std::vector<std::string> shuffled_rows(std::size_t rows) {
  std::vector<std::string> lines;
  // 1499 and 2999 are prime: row k's pair (k mod 1499, k mod 2999) is unique.
  for (std::size_t k = 0; k < rows; ++k)
    lines.push_back("u" + std::to_string(k % 1499) + ",i" + std::to_string(k % 2999) + "," + std::to_string(1 + k % 5) +
                    (k % 3 ? ".5" : ""));
  std::mt19937 rng(14);
  std::shuffle(lines.begin(), lines.end(), rng);
  return lines;
}

std::string file_of(const std::vector<std::string>& rows) {
  std::string text = "user,item,rating\n";
  for (const auto& row : rows) text += row + "\n";
  return text;
}

TEST(ParallelReader, ManyShuffledRows) {
  const TempDir dir;
  const std::vector<std::string> rows = shuffled_rows(20000);
  const Outcome good = read_every_way(dir, file_of(rows));
  ASSERT_TRUE(good.ok) << summary(good);
  EXPECT_EQ(good.ratings.size(), 20000u);
  EXPECT_EQ(good.users.size(), 1499u);
  EXPECT_EQ(good.items.size(), 2999u);
  EXPECT_EQ(good.users.front(), rows.front().substr(0, rows.front().find(',')));

  // Line n holds rows[n - 2]. A late error; an early one with a late one
  // (the early one is reported); a late row repeating an early row's pair.
  std::vector<std::string> late = rows, both = rows, repeat = rows;
  late[19000] = "u1,i1";
  both[10] = "u1,i1,abc";
  both[19990] = ",i1,1";
  repeat[19998] = rows[3];
  EXPECT_EQ(written_out(read_every_way(dir, file_of(late))),
            "19002:0 row has 2 fields, need at least 3 (user, item, rating)");
  EXPECT_EQ(written_out(read_every_way(dir, file_of(both))), "12:7 rating 'abc' is not a finite number");
  const Outcome twice = read_every_way(dir, file_of(repeat));
  EXPECT_EQ(twice.where.line, 20000u) << summary(twice);
  EXPECT_NE(twice.message.find("(lines 5 and 20000)"), std::string::npos) << summary(twice);
}

// --- errors ---------------------------------------------------------------------------------

TEST(ParallelReader, RowErrors) {
  const std::string head = "user,item,rating\nann,x,4\nbob,y,3\n";
  expect_cases({
      {"too few fields", head + "cid,z\n", "4:0 row has 2 fields, need at least 3 (user, item, rating)"},
      {"too many fields", head + "cid,z,1,2\n",
       "4:9 row has 4 fields, the header has 3 (a decimal comma in a comma-separated file?)"},
      {"a decimal comma in a comma file", head + "cid,z,2,5\n",
       "4:9 row has 4 fields, the header has 3 (a decimal comma in a comma-separated file?)"},
      {"a decimal comma in a semicolon file", "user;item;rating\nann;x;4\ncid;z;2,5\n",
       "3:7 rating '2,5' is not a finite number (decimal comma? write 2.5: export the file with '.' as the decimal "
       "separator)"},
      {"empty user", head + ",z,1\n", "4:1 empty user id"},
      {"empty quoted item", head + "cid,\"\",1\n", "4:5 empty item id"},
      {"rating abc", head + "cid,z,abc\n", "4:7 rating 'abc' is not a finite number"},
      {"rating nan", head + "cid,z,nan\n", "4:7 rating 'nan' is not a finite number"},
      {"rating 1e99", head + "cid,z,1e99\n", "4:7 rating '1e99' is out of range"},
      {"an unterminated quote", head + "cid,\"z,1\n",
       "4:5 unterminated quoted field (quoted fields cannot span lines)"},
      {"text after a closing quote", head + "cid,\"z\"q,1\n", "4:8 unexpected text after a closing quote"},
      {"CRLF: columns as without", "user,item,rating\r\nann,x,4\r\n\r\nbob,y,abc\r\n",
       "4:7 rating 'abc' is not a finite number"},
      {"a BOM: columns count from after it", "\xEF\xBB\xBF" "ann,,4\nbob,x,3\n", "1:5 empty item id"},
      {"no newline after a bad last line", head + "cid,z,abc", "4:7 rating 'abc' is not a finite number"},
      {"spaces: the column of the field", "ann   x   4\nbob  y  abc\n", "2:9 rating 'abc' is not a finite number",
       with(&ReadOptions::delimiter, kWhitespaceDelimiter)},
  });
}

TEST(ParallelReader, FilesWithoutRatings) {
  expect_cases({
      {"only a header", "user,item,rating\n", "1:0 the file has a header row but no ratings"},
      {"a header and blank lines", "\n\nuser,item,rating\n\n  \n\r\n", "3:0 the file has a header row but no ratings"},
      {"empty", "", "0:0 empty file: no rows"},
      {"blank lines only", "\n \n\r\n\t\n", "0:0 empty file: no rows"},
  });
}

// A pair is found twice only once every row is read: the message names both
// lines, wherever the pieces fall; a bad row anywhere is reported instead.
TEST(ParallelReader, DuplicatePairs) {
  expect_cases({
      {"a duplicate pair", "user,item,rating\nann,x,5\nbob,y,4\n\ncid,z,1\nann,x,3\nbob,z,2\n",
       "6:0 duplicate rating for user 'ann' and item 'x' (lines 2 and 6)"},
      {"the smallest pair by index is named", "user,item,rating\nbob,x,1\nann,y,1\nbob,z,1\nann,y,2\nbob,x,2\n",
       "6:0 duplicate rating for user 'bob' and item 'x' (lines 2 and 6)"},
      {"a bad row after a duplicate wins", "user,item,rating\nann,x,5\nann,x,3\nbob,y,4\nbob,z,4\ncid,w,abc\n",
       "6:7 rating 'abc' is not a finite number"},
  });
}

// With small pieces the later error sits in a later piece, parsed at the
// same time as (or before) the earlier one's: the first in the file wins,
// whichever kinds they are.
TEST(ParallelReader, TheFirstErrorInTheFileWins) {
  const std::string head = "user,item,rating\nann,x,4\nbob,y,3\n";
  const std::string rows = "cid,a,1\ncid,b,2\ndan,a,3\ndan,b,4\neve,a,5\neve,b,1\n";
  expect_cases({
      {"a bad rating, then a short row", head + "cid,z,abc\n" + rows + "eve,c\n",
       "4:7 rating 'abc' is not a finite number"},
      {"a short row, then a bad rating", head + "cid,z\n" + rows + "eve,c,abc\n",
       "4:0 row has 2 fields, need at least 3 (user, item, rating)"},
      {"an empty id, then an unterminated quote", head + ",z,1\n" + rows + "\"eve,c,1\n", "4:1 empty user id"},
      {"an unterminated quote, then an empty id", head + "\"cid,z,1\n" + rows + ",c,1\n",
       "4:1 unterminated quoted field (quoted fields cannot span lines)"},
      {"a bad rating, then a duplicate", head + "cid,z,nan\n" + rows + "ann,x,1\n",
       "4:7 rating 'nan' is not a finite number"},
  });
}

// A NUL byte is refused at its line and column, in file order with the other
// errors: a bad row before it is reported instead.
TEST(ParallelReader, NulBytes) {
  const std::string head = "user,item,rating\nann,x,4\nbob,y,3\n";
  std::string at_64 = head + "cid,a,1\ncid,b,2\n";
  at_64 += "dan," + std::string(64 - at_64.size() - 7, 'p') + ",1\n";  // line 6 ends at byte 63
  ASSERT_EQ(at_64.size(), 64u);
  expect_cases({
      {"at the start", "\0user,item,rating\nann,x,4\n"s, "1:1 NUL byte in text input (is this a binary file?)"},
      {"inside a later line", head + "cid,z\0,1\nann,z,2\n"s, "4:6 NUL byte in text input (is this a binary file?)"},
      {"first byte of a line", head + "\0cid,z,1\n"s, "4:1 NUL byte in text input (is this a binary file?)"},
      {"first byte of a line starting at byte 64", at_64 + "\0dan,z,1\n"s,
       "7:1 NUL byte in text input (is this a binary file?)"},
      {"right before a newline", head + "cid,z,1\0\nann,z,2\n"s, "4:8 NUL byte in text input (is this a binary file?)"},
      {"after an earlier bad row", head + "cid,z,abc\ndan,a,1\ndan,b\0,1\n"s, "4:7 rating 'abc' is not a finite number"},
      {"before a later bad row", head + "cid,z\0,1\ndan,a,1\ndan,b,abc\n"s,
       "4:6 NUL byte in text input (is this a binary file?)"},
  });
}

// A bad line put on each line of a small file in turn, alone and after
// another bad line: every split reports the first bad line. With pieces of
// 1 to 64 bytes, each line is first in a piece in some split and last in
// another, and blank lines fall on boundaries.
std::vector<std::string> sweep_lines() {
  std::vector<std::string> lines = {"user,item,rating"};
  for (int k = 0; k < 24; ++k) {
    lines.push_back("u" + std::to_string(k % 5) + ",i" + std::to_string(k) + "," + std::to_string(1 + k % 5));
    if (k % 4 == 1) lines.push_back("");
    if (k % 7 == 3) lines.push_back("  \t");
  }
  lines[5] = "\"u2\",\"i, 5\",3";
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// Found by the row reader, by the row checks, by the rating parse.
const std::vector<std::string> kBadLines = {"\"ann,x,1", "ann,x", ",x,1", "ann,x,1,2", "ann,x,abc"};

TEST(ParallelReader, ABadLineAnywhere) {
  const std::vector<std::string> lines = sweep_lines();
  for (std::size_t at = 1; at < lines.size(); ++at) {
    for (const auto& bad : kBadLines) {
      std::vector<std::string> text = lines;
      text[at] = bad;
      const Outcome o = read_every_split(joined(text));
      EXPECT_EQ(o.where.line, at + 1) << "'" << bad << "' on line " << at + 1 << ": " << summary(o);
    }
  }
}

TEST(ParallelReader, TwoBadLinesAnywhere) {
  const std::vector<std::string> lines = sweep_lines();
  for (std::size_t first = 1; first < lines.size(); ++first) {
    for (std::size_t second = first + 1; second < lines.size(); ++second) {
      for (const auto& [a, b] : {std::pair{kBadLines[1], kBadLines[4]}, std::pair{kBadLines[4], kBadLines[0]}}) {
        std::vector<std::string> text = lines;
        text[first] = a;
        text[second] = b;
        const Outcome o = read_every_split(joined(text));
        EXPECT_EQ(o.where.line, first + 1) << "'" << a << "' on line " << first + 1 << ", '" << b << "' on line "
                                           << second + 1 << ": " << summary(o);
      }
    }
  }
}

// --- stdin and FIFOs -------------------------------------------------------------------------

// What stdin and a FIFO are fed: a good file, one with an error late in the
// stream (past the pipe's 64 KiB), one with an early error and a NUL.
std::vector<std::string> streamed_inputs() {
  std::vector<std::string> late = shuffled_rows(6000);
  late[5990] = "u1,i1,1,1";
  return {file_of(shuffled_rows(6000)), file_of(late), "user,item,rating\nann,x,4\nbob,y,abc\ncid,\0z,1\n"s,
          "user,item,rating\r\nann,x,4\r\n\r\nbob,\"y, z\",3.5\r\nann,z,1"};
}

TEST(ParallelReader, Stdin) {
  for (const std::string& text : streamed_inputs()) {
    const Outcome want = outcome_of(from_memory("<stdin>", text), in_one_piece({}));
    SCOPED_TRACE(summary(want));
    expect_the_same_for_every_split(from_stdin(text), {}, want, "from stdin", kStreamPieceBytes);
  }
}

TEST(ParallelReader, Fifo) {
  const TempDir dir;
  const std::string path = dir.file("ratings.fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  for (const std::string& text : streamed_inputs()) {
    const Outcome want = outcome_of(from_memory(path, text), in_one_piece({}));
    SCOPED_TRACE(summary(want));
    expect_the_same_for_every_split(from_fifo(path, text), {}, want, "from a FIFO", kStreamPieceBytes);
  }
}

// --- the wide layout -------------------------------------------------------------------------

// Not cut into pieces, but the options reach it: nothing may change.
TEST(ParallelReader, WideLayoutIsTheSame) {
  expect_cases({
      {"wide", "user,A,B,C\nann,1,0,3\nbob,0,2,0\n\ncid,4,5,0\n", "ann/A/1 ann/C/3 bob/B/2 cid/A/4 cid/B/5",
       with(&ReadOptions::layout, Layout::Wide)},
      {"wide, an error", "user,A,B,C\nann,1,0,3\nbob,0,x,0\n", "3:7 rating 'x' is not a finite number",
       with(&ReadOptions::layout, Layout::Wide)},
  });
}

}  // namespace
}  // namespace mfrec
