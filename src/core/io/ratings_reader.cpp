// read_ratings, the public entry point: runs the steps of ratings_load.hpp
// in order (header, layout, rows, finish) and reports what it decided.
#include "mfrec/io/ratings_reader.hpp"

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

void detail::RatingsLoad::fail(const std::string& what, std::uint64_t column) const {
  throw Error(ErrorKind::Data, what, Location{rows.name(), rows.line(), column});
}

Dataset read_ratings(CsvRowReader& rows, const ReadOptions& options, ReadReport* report) {
  detail::RatingsLoad load(rows, options);
  detail::read_header(load);
  const Layout layout = detail::decide_layout(load);
  load.lines = detail::RatingLines(layout == Layout::Long);
  if (layout == Layout::Long) {
    detail::load_long(load);
  } else {
    detail::load_wide(load);
  }
  if (options.progress) options.progress(ReadProgress{rows.position(), rows.size_hint(), load.rows_read});
  detail::finish_ratings(load);
  if (report) {
    report->layout = layout;
    report->delimiter = rows.delimiter();
    report->rows = load.rows_read;
    report->skipped_cells = load.skipped_cells;
  }
  return std::move(load.data);
}

Dataset read_ratings(const std::string& path, const ReadOptions& options, ReadReport* report) {
  CsvRowReader rows = CsvRowReader::open_file(path, options.delimiter);
  return read_ratings(rows, options, report);
}

}  // namespace mfrec
