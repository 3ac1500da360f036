// read_ratings, the public entry point: runs the steps of ratings_load.hpp
// in order (header, layout, rows, finish) and reports what it decided.
#include "mfrec/io/ratings_reader.hpp"

#include <algorithm>

#include "io/parse_number.hpp"
#include "io/ratings_load.hpp"
#include "mfrec/error.hpp"

namespace mfrec {

Layout parse_layout(std::string_view t) {
  if (t == "auto") return Layout::Auto;
  if (t == "wide") return Layout::Wide;
  if (t == "long") return Layout::Long;
  throw Error(ErrorKind::Usage, "unknown layout '" + std::string(t) + "' (use auto, wide or long)");
}

std::string layout_name(Layout layout) {
  switch (layout) {
    case Layout::Wide: return "wide";
    case Layout::Long: return "long";
    default: return "auto";
  }
}

std::optional<double> parse_number(std::string_view text) { return detail::parse_finite_number(text); }

detail::RatingsLoad::RatingsLoad(CsvRowReader& rows_in, const ReadOptions& options_in)
    : rows(rows_in), options(options_in), missing(options_in.missing) {
  data.source = rows.name();
}

void detail::RatingsLoad::fail(const std::string& what, std::uint64_t column) const {
  throw Error(ErrorKind::Data, what, Location{rows.name(), rows.line(), column});
}

namespace {

void report_decisions(const detail::RatingsLoad& load, const detail::LongShape& shape, ReadReport& report) {
  report.layout = load.layout;
  report.delimiter = load.rows.delimiter();
  report.rows = load.rows_read;
  report.skipped_cells = load.skipped_cells;
  report.header = load.has_header;
  report.notes = load.notes;
  report.user_column = shape.user;
  report.item_column = load.layout == Layout::Long ? shape.item : 1;
  report.rating_column = shape.rating.value_or(ReadReport::kNoColumn);
  report.items = load.layout == Layout::Long ? 0 : load.data.items.size();
  const auto& names = load.header.names;
  const auto name = [&](std::size_t c) { return c < names.size() ? names[c] : std::string(); };
  report.user_name = name(report.user_column);
  report.item_name = load.layout == Layout::Long ? name(shape.item) : std::string();
  report.rating_name = load.layout == Layout::Long ? name(report.rating_column) : std::string();
}

Dataset read_ratings(CsvRowReader& rows, const ReadOptions& options, ReadReport* report, bool keep_file_order) {
  detail::RatingsLoad load(rows, options);
  load.keep_file_order = keep_file_order;
  const detail::LongShape shape = detail::start_reading(load);
  if (load.layout == Layout::Long) {
    detail::load_long(load, shape);
  } else {
    detail::load_wide(load);
  }
  return detail::finish_reading(load, shape, report);
}

}  // namespace

detail::LongShape detail::start_reading(RatingsLoad& load) {
  read_header(load);
  const Layout layout = load.layout = decide_layout(load);
  load.lines = RatingLines(layout == Layout::Long);
  return layout == Layout::Long ? long_shape(load) : LongShape{};
}

Dataset detail::finish_reading(RatingsLoad& load, const LongShape& shape, ReadReport* report) {
  const CsvRowReader& rows = load.rows;
  if (load.options.progress)
    load.options.progress(ReadProgress{std::max(rows.position(), load.bytes_read), rows.size_hint(), load.rows_read});
  finish_ratings(load);
  if (report) report_decisions(load, shape, *report);
  return std::move(load.data);
}

Dataset read_ratings(CsvRowReader& rows, const ReadOptions& options, ReadReport* report) {
  try {
    return read_ratings(rows, options, report, false);
  } catch (const detail::FileOrderNeeded&) {
    // A duplicate pair in a file read in user order: read it again in file
    // order, for the lines the error names.
    CsvRowReader again = CsvRowReader::open_file(rows.name(), options.delimiter);
    return read_ratings(again, options, report, true);
  }
}

Dataset read_ratings(const std::string& path, const ReadOptions& options, ReadReport* report) {
  CsvRowReader rows = CsvRowReader::open_file(path, options.delimiter);
  return read_ratings(rows, options, report);
}

}  // namespace mfrec
