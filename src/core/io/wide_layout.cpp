// Loads the wide layout: one user a row, one item a column (named by the
// header, or numbered from 2 without one), a rating in every cell but the
// "not rated" ones, which are counted and skipped. Columns at the end with
// no name in the header (a spreadsheet's trailing delimiter) are read only
// when they are empty on every row, and reported as a note.
#include "io/ratings_load.hpp"

namespace mfrec::detail {

namespace {

// The row's fields: `items_end` columns hold the user and the items; up to
// `width` may follow, the unnamed columns, which must stay empty.
struct WideShape {
  std::size_t items_end = 0;
  std::size_t width = 0;
};

// Keeps the user column and at least one item: "User,," is an empty item
// name, not two unnamed columns.
WideShape wide_shape(const RatingsLoad& load) {
  WideShape shape;
  shape.width = load.has_header ? load.header.names.size() : load.rows.fields().size();
  shape.items_end = shape.width;
  if (load.has_header)
    while (shape.items_end > 2 && load.header.names[shape.items_end - 1].empty()) --shape.items_end;
  return shape;
}

// Items are interned in column order, so index order is the seed's.
void intern_items(RatingsLoad& load, std::size_t items_end) {
  const HeaderRow& header = load.header;
  const bool named = load.has_header;
  for (std::size_t c = 1; c < items_end; ++c) {
    const std::string name = named ? header.names[c] : std::to_string(c + 1);
    if (name.empty()) {
      throw Error(ErrorKind::Data, "empty item name in header field " + std::to_string(c + 1),
                  Location{load.rows.name(), header.line, header.columns[c]});
    }
    if (const auto first = load.data.items.find(name)) {
      throw Error(ErrorKind::Data,
                  "item '" + name + "' appears twice in the header (fields " + std::to_string(*first + 2) + " and " +
                      std::to_string(c + 1) + ")",
                  Location{load.rows.name(), header.line, header.columns[c]});
    }
    load.data.items.intern(name);
  }
}

// A row's cells in the unnamed columns: all empty, or an error at the first
// that is not.
void check_unnamed(RatingsLoad& load, const WideShape& shape) {
  const auto& f = load.rows.fields();
  for (std::size_t c = shape.items_end; c < f.size(); ++c) {
    if (f[c].empty()) continue;
    load.fail("value '" + std::string(f[c].substr(0, 40)) + "' in field " + std::to_string(c + 1) +
                  ", which has no name in the header (an unnamed column is read only when it is empty on every "
                  "row): name the item in the header, or remove the value",
              load.rows.column(c));
  }
}

// The current row's ratings.
void add_row(RatingsLoad& load, const WideShape& shape) {
  CsvRowReader& rows = load.rows;
  const auto& f = rows.fields();
  if (f.size() < shape.items_end || f.size() > shape.width) {
    // Point at the first field too many; a short row has no such place.
    load.fail("row has " + std::to_string(f.size()) + " fields, " +
                  (load.has_header ? "the header has " : "the first row has ") + std::to_string(shape.width),
              f.size() > shape.width ? rows.column(shape.width) : 0);
  }
  if (shape.items_end < shape.width) check_unnamed(load, shape);
  if (f[0].empty()) load.fail("empty user name", rows.column(0));
  const std::uint32_t user = load.data.users.intern(f[0]);
  for (std::size_t c = 1; c < shape.items_end; ++c) {
    if (load.is_missing(f[c])) {
      ++load.skipped_cells;
      continue;
    }
    const Rating r{user, static_cast<std::uint32_t>(c - 1), load.rating_value(f[c], rows.line(), rows.column(c))};
    load.lines.add(load.data.ratings.size(), rows.line());
    load.data.ratings.push_back(r);
  }
}

std::string unnamed_note(const WideShape& shape) {
  const std::size_t first = shape.items_end + 1, last = shape.width;
  const std::string which = first == last ? "column " + std::to_string(first) + " has"
                                          : "columns " + std::to_string(first) + "-" + std::to_string(last) + " have";
  return which + " no name in the header and no value in any row (a trailing delimiter, as spreadsheets "
                 "export): ignored";
}

}  // namespace

void load_wide(RatingsLoad& load) {
  const WideShape shape = wide_shape(load);
  if (shape.width < 2)
    load.fail("a wide file needs a user column and at least one item column" +
                  (shape.width == 1 ? load.one_column_hint() : std::string()),
              0);
  intern_items(load, shape.items_end);
  do {
    ++load.rows_read;
    add_row(load, shape);
    load.report_progress(load.rows.position(), load.rows_read);
  } while (load.rows.next());
  if (shape.items_end < shape.width) load.notes.push_back(unnamed_note(shape));
}

}  // namespace mfrec::detail
