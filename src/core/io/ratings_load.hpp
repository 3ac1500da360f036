#pragma once
// One read_ratings call: the state its steps share, and the steps, declared
// in the order read_ratings (ratings_reader.cpp) runs them. Each step has a
// file of its own, so that sniffing, the two layouts and the duplicate report
// can be read (and changed) apart:
//   layout_sniffing.cpp  the header row, which layout, which long columns
//   long_pipeline.cpp    long rows on one thread, or read and interned on two
//                        (its steps in long_pipeline.hpp, which dist/read_across.cpp
//                        runs across the ranks of an MPI run)
//   long_batches.cpp     the long layout's per-row work, a batch at a time
//   wide_layout.cpp      the wide layout
//   ratings_finish.cpp   the Dataset's order, and the duplicate report (or sum)
// Private to the reader. The per-cell helpers are inline here because both
// layouts' row loops call them, from different files.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/missing_values.hpp"
#include "io/parse_number.hpp"
#include "io/rating_lines.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::detail {

// The header row, when options.header says the file has one.
struct HeaderRow {
  std::vector<std::string> names;
  std::vector<std::uint64_t> columns;  // where each name starts, for errors
  std::uint64_t line = 0;              // not always 1: blank lines before it are skipped
};

struct RatingsLoad {
  RatingsLoad(CsvRowReader& rows_in, const ReadOptions& options_in);

  CsvRowReader& rows;
  const ReadOptions& options;
  MissingValues missing;  // options.missing
  bool has_header = false;  // decided by read_header
  HeaderRow header;
  Layout layout = Layout::Auto;  // decided by decide_layout
  Dataset data;
  RatingLines lines{true};  // the line of each rating in data.ratings, unless file_order_lost
  // The long layout of a file may put the ratings in user order as it
  // reads (user_bands.hpp), unless told to keep the file order; then a
  // duplicate pair cannot be named by its lines, and finish_ratings throws
  // FileOrderNeeded for read_ratings to read the file again, in file order.
  bool keep_file_order = false;
  bool file_order_lost = false;
  std::uint64_t rows_read = 0;
  std::uint64_t skipped_cells = 0;
  std::vector<std::string> notes;  // for ReadReport::notes

  // Calls options.progress when `row_count` has passed the next multiple of
  // about 64K rows since the last call.
  void report_progress(std::uint64_t bytes, std::uint64_t row_count) {
    bytes_read = bytes;
    if (!options.progress || row_count < next_progress) return;
    next_progress = row_count + (std::uint64_t{1} << 16);
    options.progress(ReadProgress{bytes, rows.size_hint(), row_count});
  }
  std::uint64_t next_progress = std::uint64_t{1} << 16;
  std::uint64_t bytes_read = 0;  // as last reported: the long layout's pieces read past rows.position()

  // Error(Data) at the current row's line.
  [[noreturn]] void fail(const std::string& what, std::uint64_t column) const;
  // Error(Data) for a rating that is not a finite float, with a hint when the
  // text looks like a decimal comma or a "not rated" mark.
  [[noreturn, gnu::cold]] void bad_rating(std::string_view cell, std::uint64_t line, std::uint64_t column) const;
  // When a row has one field only: the separators tried, to say after the
  // error ("" when the delimiter was sniffed and the file has several).
  std::string one_column_hint() const;
  // For an error about a long file with no rating column: "; a file of
  // user,item pairs…? use --objective implicit", or "" when reading
  // interactions already.
  std::string pairs_hint() const;

  // A wide cell that means "not rated" (missing_values.hpp).
  bool is_missing(std::string_view cell) const { return missing.matches(cell); }

  // The rating in `cell`, from `line` (not always the current row's: the
  // interning thread parses the ratings of rows read ahead of it).
  float rating_value(std::string_view cell, std::uint64_t line, std::uint64_t column) const {
    const auto v = parse_finite_number(cell);
    if (!v || std::fabs(*v) > std::numeric_limits<float>::max()) bad_rating(cell, line, column);
    return static_cast<float>(*v);
  }
};

// rating_hints.cpp. "2,5": a decimal comma, in a file not separated by commas.
bool is_decimal_comma(std::string_view cell);
// What spreadsheets, R and pandas write for an empty cell: NA, N/A, -, ?…
bool is_not_rated_mark(std::string_view cell);

// The long layout's columns (0-based), and the fields a row must and may have.
struct LongShape {
  std::size_t user = 0, item = 1;
  std::optional<std::size_t> rating = 2;  // none: interactions, each row counting 1
  std::size_t needed = 3;  // fields a row must have: up to the last of the columns read
  std::size_t width = 0;   // fields a row may have
};

// layout_sniffing.cpp. Reads the first row, decides whether it is a header
// (header_rule.cpp) and reads it when it is, leaving the first data row
// current.
void read_header(RatingsLoad& load);
// header_rule.cpp: whether the current (first) row is a header. Throws, with
// a hint, for a wide file that seems to lack one.
bool first_row_is_header(const RatingsLoad& load);
// options.layout, or the layout the header and the first data row show.
Layout decide_layout(const RatingsLoad& load);
// From the header's recognised names and the --*-col options; notes the
// columns left unread when interactions have no value column.
LongShape long_shape(RatingsLoad& load);

// long_pipeline.cpp, wide_layout.cpp: every row from the current one on into
// load.data.ratings, in file order, with their lines in load.lines.
void load_long(RatingsLoad& load, const LongShape& shape);
void load_wide(RatingsLoad& load);

// ratings_reader.cpp: read_ratings's steps before and after the rows are
// loaded, for a reader that loads them its own way (dist/read_across.cpp).
// The header, the layout and, for the long layout, its columns:
LongShape start_reading(RatingsLoad& load);
// The last progress call, the Dataset's order (finish_ratings) and the report.
Dataset finish_reading(RatingsLoad& load, const LongShape& shape, ReadReport* report);

// ratings_finish.cpp: sorts load.data.ratings into (user, item) order;
// throws for no ratings or a duplicate pair, which interactions add up.
void finish_ratings(RatingsLoad& load);
// Thrown by finish_ratings for a duplicate pair once load.file_order_lost.
struct FileOrderNeeded {};

}  // namespace mfrec::detail
