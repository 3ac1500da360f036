#pragma once
// One read_ratings call: the state its steps share, and the steps, declared
// in the order read_ratings (ratings_reader.cpp) runs them. Each step has a
// file of its own, so that sniffing, the two layouts and the duplicate report
// can be read (and changed) apart:
//   layout_sniffing.cpp  the header row, which layout, which long columns
//   long_pipeline.cpp    long rows on one thread, or read and interned on two
//   long_batches.cpp     the long layout's per-row work, a batch at a time
//   wide_layout.cpp      the wide layout
//   ratings_finish.cpp   the Dataset's order, and the duplicate report
// Private to the reader. The per-cell helpers are inline here because both
// layouts' row loops call them, from different files.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  RatingsLoad(CsvRowReader& rows_in, const ReadOptions& options_in) : rows(rows_in), options(options_in) {
    if (auto m = parse_finite_number(options.missing)) missing_number = *m;
    data.source = rows.name();
  }

  CsvRowReader& rows;
  const ReadOptions& options;
  std::optional<double> missing_number;  // options.missing, when it is a number
  HeaderRow header;
  Dataset data;
  RatingLines lines{true};  // the line of each rating in data.ratings
  std::uint64_t rows_read = 0;
  std::uint64_t skipped_cells = 0;

  // Calls options.progress when `row_count` has passed the next multiple of
  // about 64K rows since the last call.
  void report_progress(std::uint64_t bytes, std::uint64_t row_count) {
    if (!options.progress || row_count < next_progress) return;
    next_progress = row_count + (std::uint64_t{1} << 16);
    options.progress(ReadProgress{bytes, rows.size_hint(), row_count});
  }
  std::uint64_t next_progress = std::uint64_t{1} << 16;

  // Error(Data) at the current row's line.
  [[noreturn]] void fail(const std::string& what, std::uint64_t column) const;

  // A wide cell that means "not rated": empty, the `missing` text, or a
  // number equal to it ("0.0" when missing is "0").
  bool is_missing(std::string_view cell) const {
    if (cell.empty() || cell == options.missing) return true;
    if (missing_number) {
      const auto v = parse_finite_number(cell);
      return v && *v == *missing_number;
    }
    return false;
  }

  // The rating in `cell`, from `line` (not always the current row's: the
  // interning thread parses the ratings of rows read ahead of it).
  float rating_value(std::string_view cell, std::uint64_t line, std::uint64_t column) const {
    const auto v = parse_finite_number(cell);
    const auto fail_at = [&](const std::string& what) {
      throw Error(ErrorKind::Data, what, Location{rows.name(), line, column});
    };
    if (!v) fail_at("rating '" + std::string(cell.substr(0, 40)) + (cell.size() > 40 ? "…" : "") + "' is not a finite number");
    if (std::fabs(*v) > std::numeric_limits<float>::max()) fail_at("rating '" + std::string(cell) + "' is out of range");
    return static_cast<float>(*v);
  }
};

// The long layout's columns (0-based), and the fields a row must and may have.
struct LongShape {
  std::size_t user = 0, item = 1, rating = 2;
  std::size_t needed = 3;  // fields a row must have: up to the last of the three
  std::size_t width = 0;   // fields a row may have
};

// layout_sniffing.cpp. Reads the first row, and the header from it when
// there is one, leaving the first data row current.
void read_header(RatingsLoad& load);
// options.layout, or the layout the header and the first data row show.
Layout decide_layout(const RatingsLoad& load);
// From the header's recognised names and the --*-col options.
LongShape long_shape(const RatingsLoad& load);

// long_pipeline.cpp, wide_layout.cpp: every row from the current one on into
// load.data.ratings, in file order, with their lines in load.lines.
void load_long(RatingsLoad& load);
void load_wide(RatingsLoad& load);

// ratings_finish.cpp: sorts load.data.ratings into (user, item) order;
// throws for no ratings or a duplicate pair.
void finish_ratings(RatingsLoad& load);

}  // namespace mfrec::detail
