#pragma once
// Reads a ratings file in either layout into a Dataset.
//   wide: first column the user, one column per item, header = item names;
//         a cell equal to one of `missing` (or empty) is "not rated".
//   long: one rating a row: user, item, rating (extra columns ignored).
// With ReadOptions::interactions a long file may lack the rating column (each
// row then counts 1) and a user,item pair may come back: its rows add up.
// The first row is a header unless it looks like data (long: its rating field
// is a number; two columns of interactions: it names no user or item column)
// or the options say otherwise; what was decided is reported,
// so that no row is ever dropped without a word.
// Throws Error(Data) with file:line:column for every malformed input,
// Error(Open) when the file cannot be opened, Error(Usage) for bad options.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/io/csv_reader.hpp"
#include "mfrec/model/dataset.hpp"

namespace mfrec {

enum class Layout { Auto, Wide, Long };
Layout parse_layout(std::string_view text);
std::string layout_name(Layout layout);

// How far reading has got, for a progress display.
struct ReadProgress {
  std::uint64_t bytes = 0;        // input bytes read
  std::uint64_t total_bytes = 0;  // the input's size; 0 when unknown (a pipe)
  std::uint64_t rows = 0;         // data rows read
};

struct ReadOptions {
  Layout layout = Layout::Auto;
  Delimiter delimiter = kSniffDelimiter;
  bool header = true;  // false: the first row is data (--no-header)
  // Long layout: a header name or a 1-based index; empty = recognised names
  // (user/userId/user_id…) or columns 1, 2, 3.
  std::string user_col;
  std::string item_col;
  std::string rating_col;
  // Wide layout's "not rated" values, comma-separated ("0,NA,N/A,-"); a
  // number matches numerically ("0" matches "0.0").
  std::string missing = "0";
  // Threads reading the long layout's pieces and sorting the ratings into
  // (user, item) order (0: all cores; 1: everything on the calling thread).
  // The result, and the error thrown for a bad file, are the same for any count.
  unsigned threads = 0;
  // The long layout is cut into pieces of about this many bytes (at line
  // boundaries) that are parsed in parallel; 0 means 4 MiB. The pieces depend
  // on the file and this size only. Tests make it small to put piece
  // boundaries where they want them.
  std::size_t piece_bytes = 0;
  // true: the first row is a header even when it looks like data (--header).
  bool force_header = false;
  // When set: called on the calling thread about every 64K rows (in the
  // long layout at most once a piece, as each is merged) and once when every
  // row is read (before the sort). What it throws ends reading.
  std::function<void(const ReadProgress&)> progress;
  // true: rows are interactions (implicit feedback: plays, clicks), whose
  // value is a strength rather than a rating. Then
  //  - a long file may have no rating column, each row counting 1: when the
  //    header names the user and item columns but none of a rating or a count
  //    (rating, score, count, plays, clicks, weight…), or when a headerless
  //    file has two columns; --rating-col still names one;
  //  - a user,item pair on several rows is one pair holding the sum of their
  //    values, added in file order (the same float for any thread count),
  //    with a note, instead of an error.
  // Any finite value is kept as given, zero and negative included: what a
  // strength means is the objective's to decide, not the reader's.
  // A wide file reads as without it: a cell is a strength.
  bool interactions = false;
};

// What the reader decided, for logs.
struct ReadReport {
  Layout layout = Layout::Auto;
  Delimiter delimiter = kSniffDelimiter;
  std::uint64_t rows = 0;
  std::uint64_t skipped_cells = 0;  // wide: "not rated" cells
  bool header = false;              // the first row was read as a header
  // The columns read (0-based) and their header names ("" without a header).
  // Long: all three; wide: the user column, then `items` item columns from
  // item_column on.
  // rating_column is kNoColumn when every row counts 1 (interactions).
  static constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);
  std::size_t user_column = 0, item_column = 1, rating_column = 2, items = 0;
  std::string user_name, item_name, rating_name;
  // Input accepted but worth telling the user about, one sentence each (the
  // core never prints: the caller shows them).
  std::vector<std::string> notes;
};

// `path` "-" reads stdin.
Dataset read_ratings(const std::string& path, const ReadOptions& options, ReadReport* report = nullptr);
Dataset read_ratings(CsvRowReader& rows, const ReadOptions& options, ReadReport* report = nullptr);

// Parses a finite number with no locale, the whole of `text` (leading '+'
// allowed); nullopt otherwise.
std::optional<double> parse_number(std::string_view text);

}  // namespace mfrec
