// The reader's decisions before the first rating: the header row, whether
// the file is wide or long, and which columns of a long file hold the user,
// item and rating. Each looks only at the header and the first data row.
#include <algorithm>

#include "io/column_names.hpp"
#include "io/ratings_load.hpp"

namespace mfrec::detail {

namespace {

// Every cell after the first is a rating or "not rated", or what a
// spreadsheet writes for those (2,5 or NA), which the wide layout's cell
// check then explains.
bool row_fits_wide(const RatingsLoad& load) {
  const auto& f = load.rows.fields();
  if (f.size() < 2) return false;
  for (std::size_t i = 1; i < f.size(); ++i)
    if (!load.is_missing(f[i]) && !parse_finite_number(f[i]) && !is_decimal_comma(f[i]) && !is_not_rated_mark(f[i]))
      return false;
  return true;
}

// A decimal comma in the first row would make the layout guess wrong (a
// wide row that does not read as numbers looks long): say what it is first.
void refuse_decimal_comma(const RatingsLoad& load) {
  const auto& f = load.rows.fields();
  if (load.rows.delimiter() == ',') return;
  for (std::size_t i = 1; i < f.size(); ++i)
    if (is_decimal_comma(f[i])) load.bad_rating(f[i], load.rows.line(), load.rows.column(i));
}

[[noreturn]] void throw_ambiguous(const RatingsLoad& load) {
  throw Error(ErrorKind::Data,
              "cannot tell whether this is a wide (user x item) or long (user,item,rating) file; "
              "give --layout wide or --layout long",
              Location{load.rows.name(), load.rows.line(), 0});
}

bool header_names_long_columns(const RatingsLoad& load) {
  return load.has_header && names_long_columns(load.header.names, load.options.interactions);
}

// Rows of two fields, and no wider header: the shape of a file of user,item
// pairs.
bool two_columns(const RatingsLoad& load) {
  return load.rows.fields().size() == 2 && load.header.names.size() <= 2;
}

[[noreturn]] void throw_no_rating_column(const RatingsLoad& load) {
  const auto& names = load.header.names;
  std::string what = "the file has two columns and neither holds a rating";
  if (names_long_columns(names, true))
    what = "the header names a user column (" + names[*find_column(names, ColumnRole::User)] +
           ") and an item column (" + names[*find_column(names, ColumnRole::Item)] + ") but no rating column";
  throw Error(ErrorKind::Data, what + load.pairs_hint(), Location{load.rows.name(), load.rows.line(), 0});
}

}  // namespace

void read_header(RatingsLoad& load) {
  CsvRowReader& rows = load.rows;
  if (!rows.next()) throw Error(ErrorKind::Data, "empty file: no rows", Location{rows.name(), 0, 0});
  load.has_header = first_row_is_header(load);
  if (!load.has_header) return;
  for (std::size_t i = 0; i < rows.fields().size(); ++i) {
    load.header.names.emplace_back(rows.fields()[i]);
    load.header.columns.push_back(rows.column(i));
  }
  load.header.line = rows.line();
  if (!rows.next())
    throw Error(ErrorKind::Data, "the file has a header row but no ratings", Location{rows.name(), load.header.line, 0});
}

Layout decide_layout(const RatingsLoad& load) {
  const ReadOptions& options = load.options;
  if (options.layout != Layout::Auto) return options.layout;
  if (!options.user_col.empty() || !options.item_col.empty() || !options.rating_col.empty()) return Layout::Long;
  if (header_names_long_columns(load)) return Layout::Long;
  if (two_columns(load) && options.interactions) return Layout::Long;
  refuse_decimal_comma(load);
  const auto& f = load.rows.fields();
  const std::size_t header_size = load.header.names.size();
  const bool long_ok = f.size() >= 3 && parse_finite_number(f[2]).has_value();
  const bool cells_wide = row_fits_wide(load);
  // Reading ratings, two columns are a wide file of one item only when their
  // cells read as ratings and the header names no user and item columns;
  // otherwise a file of pairs, which the error points at interactions.
  if (two_columns(load) && (!cells_wide || names_long_columns(load.header.names, true))) throw_no_rating_column(load);
  const bool wide_ok = cells_wide && (!load.has_header || header_size == f.size());
  // One column: no layout fits; the long layout's row check says so.
  if (f.size() == 1 && header_size <= 1) return Layout::Long;
  // Without a header, as with one: three or four columns are long, more are wide.
  if (!load.has_header) return (wide_ok && (!long_ok || f.size() >= 5)) ? Layout::Wide : Layout::Long;
  // A wide file whose first row is ragged must not pass for a long one: the
  // header's first three columns would give ids like "4" and no error.
  if (cells_wide && header_size != f.size()) {
    if (header_size >= 5) return Layout::Wide;  // load_wide names the ragged row
    throw_ambiguous(load);
  }
  if (wide_ok && !long_ok) return Layout::Wide;
  if (long_ok && !wide_ok) return Layout::Long;
  // Both readings fit the first row. A long file has three or four
  // columns (user, item, rating, maybe a timestamp); more means wide.
  if (f.size() >= 5) return Layout::Wide;
  throw_ambiguous(load);
}

namespace {

// The value column when no --rating-col names one: the header's rating (or,
// for interactions, count) column, else the third. Interactions do without
// one when the header names the user and item columns but no value (a
// timestamp is no strength), or when the rows have two columns.
std::optional<std::size_t> default_value_column(const RatingsLoad& load, std::size_t width) {
  const auto& names = load.header.names;
  const bool interactions = load.options.interactions;
  if (load.has_header) {
    if (auto c = find_value_column(names, interactions)) return c;
    if (interactions && names_long_columns(names, true)) return std::nullopt;
  }
  if (interactions && width <= 2) return std::nullopt;
  return 2;
}

std::string counted_note() {
  return "every row counts 1: no column is named like a rating or a count (rating, count, plays, clicks…); "
         "give --rating-col to read one";
}

}  // namespace

LongShape long_shape(RatingsLoad& load) {
  const ReadOptions& options = load.options;
  const auto& names = load.header.names;
  LongShape shape;
  // Extra columns are ignored, but a row wider than the first one (the
  // header, or the first data row) is malformed, most often a decimal comma
  // in a comma-separated file: "ann,x,4,5" must not load as a 4.
  shape.width = load.has_header ? names.size() : load.rows.fields().size();
  if (load.has_header) {
    if (auto c = find_column(names, ColumnRole::User)) shape.user = *c;
    if (auto c = find_column(names, ColumnRole::Item)) shape.item = *c;
  }
  shape.rating = default_value_column(load, shape.width);
  if (!options.user_col.empty()) shape.user = resolve_column(options.user_col, "--user-col", names, load.has_header);
  if (!options.item_col.empty()) shape.item = resolve_column(options.item_col, "--item-col", names, load.has_header);
  if (!options.rating_col.empty())
    shape.rating = resolve_column(options.rating_col, "--rating-col", names, load.has_header);
  if (shape.user == shape.item || shape.rating == shape.user || shape.rating == shape.item)
    throw Error(ErrorKind::Usage, shape.rating ? "the user, item and rating columns must be three different columns"
                                               : "the user and item columns must be two different columns");
  shape.needed = std::max({shape.user, shape.item, shape.rating.value_or(0)}) + 1;
  if (!shape.rating && shape.width > 2) load.notes.push_back(counted_note());
  return shape;
}

}  // namespace mfrec::detail
