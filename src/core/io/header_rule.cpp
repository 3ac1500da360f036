// Whether the first row of a ratings file is a header. A headerless file must
// not lose its first rating to this decision, and a wide file must not lose
// its first user's ratings to item names, so a row that reads as data is
// data (long: its rating field is a number), a row that reads as a wide
// file's ratings is an error with a hint, and only the rest is a header.
// --header and --no-header decide without looking.
#include <algorithm>

#include "io/column_names.hpp"
#include "io/ratings_load.hpp"

namespace mfrec::detail {

namespace {

// A --*-col given by name can only be found in a header.
bool names_a_column(const ReadOptions& o) {
  const auto named = [](const std::string& col) { return !col.empty() && !is_column_index(col); };
  return named(o.user_col) || named(o.item_col) || named(o.rating_col);
}

// The long layout's rating field (--rating-col by index, else the third)
// holds a number.
bool rating_field_is_number(const RatingsLoad& load) {
  const auto& f = load.rows.fields();
  const std::string& col = load.options.rating_col;
  const std::size_t at = is_column_index(col) && col.size() <= 7 && std::stoul(col) >= 1 ? std::stoul(col) - 1 : 2;
  return at < f.size() && parse_finite_number(f[at]).has_value();
}

// Every cell after the first is a number or "not rated", and there is one.
bool reads_as_wide_ratings(const RatingsLoad& load) {
  const auto& f = load.rows.fields();
  if (f.size() < 2) return false;
  bool number = false;
  for (std::size_t i = 1; i < f.size(); ++i) {
    if (parse_finite_number(f[i])) {
      number = true;
    } else if (!load.is_missing(f[i])) {
      return false;
    }
  }
  return number;
}

[[noreturn]] void throw_headerless_wide(const RatingsLoad& load) {
  const auto& f = load.rows.fields();
  std::string shown;
  for (std::size_t i = 0; i < f.size() && i < 4; ++i) shown += (i ? "," : "") + std::string(f[i].substr(0, 20));
  if (f.size() > 4) shown += ",…";
  // Guessed, not given: a long file of numeric ids with extra columns reads
  // the same, so name the way out of that too.
  const std::string or_long = load.options.layout == Layout::Auto ? ", --layout long if each row is one rating" : "";
  throw Error(ErrorKind::Data,
              "the first row (" + shown +
                  ") holds numbers where a wide file's header names the items: a file without a header row? "
                  "give --no-header (items are then numbered by column)" + or_long +
                  ", or --header if these are item ids" + (f.size() == 2 ? load.pairs_hint() : ""),
              Location{load.rows.name(), load.rows.line(), load.rows.column(1)});
}

}  // namespace

bool first_row_is_header(const RatingsLoad& load) {
  const ReadOptions& o = load.options;
  if (!o.header) return false;
  if (o.force_header || names_a_column(o)) return true;
  const auto& f = load.rows.fields();
  if (names_long_columns(std::vector<std::string>(f.begin(), f.end()), o.interactions)) return true;
  // A wide header may name items by number ("user,1,2,3"); its first cell
  // then says what the rows are, where a ratings row has a user's name.
  const bool corner = is_corner_name(f[0]);
  // Two columns of interactions have no value to tell a data row by: a header
  // is a row that names what its columns hold.
  if (o.interactions && f.size() == 2 && o.layout != Layout::Wide)
    return corner || is_column_name(ColumnRole::Item, f[1]);
  if (o.layout != Layout::Wide && rating_field_is_number(load)) {
    if (o.layout == Layout::Long) return false;
    // Auto: three or four fields are a long row; more, all numbers, are a
    // wide file's first user.
    if (!corner && f.size() >= 5 && reads_as_wide_ratings(load)) throw_headerless_wide(load);
    return corner;
  }
  if (o.layout != Layout::Long && !corner && reads_as_wide_ratings(load)) throw_headerless_wide(load);
  return true;
}

}  // namespace mfrec::detail
