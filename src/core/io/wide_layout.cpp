// Loads the wide layout: one user a row, one item a column (named by the
// header, or numbered from 2 without one), a rating in every cell but the
// "not rated" ones, which are counted and skipped.
#include "io/ratings_load.hpp"

namespace mfrec::detail {

namespace {

// Items are interned in column order, so index order is the seed's.
void intern_items(RatingsLoad& load, std::size_t width) {
  const HeaderRow& header = load.header;
  const bool named = load.options.header;
  for (std::size_t c = 1; c < width; ++c) {
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

// The current row's ratings; it must have `width` fields.
void add_row(RatingsLoad& load, std::size_t width) {
  CsvRowReader& rows = load.rows;
  const auto& f = rows.fields();
  if (f.size() != width) {
    // Point at the first field too many; a short row has no such place.
    load.fail("row has " + std::to_string(f.size()) + " fields, " +
                  (load.options.header ? "the header has " : "the first row has ") + std::to_string(width),
              f.size() > width ? rows.column(width) : 0);
  }
  if (f[0].empty()) load.fail("empty user name", rows.column(0));
  const std::uint32_t user = load.data.users.intern(f[0]);
  for (std::size_t c = 1; c < width; ++c) {
    if (load.is_missing(f[c])) {
      ++load.skipped_cells;
      continue;
    }
    const Rating r{user, static_cast<std::uint32_t>(c - 1), load.rating_value(f[c], rows.line(), rows.column(c))};
    load.lines.add(load.data.ratings.size(), rows.line());
    load.data.ratings.push_back(r);
  }
}

}  // namespace

void load_wide(RatingsLoad& load) {
  const std::size_t width = load.options.header ? load.header.names.size() : load.rows.fields().size();
  if (width < 2) load.fail("a wide file needs a user column and at least one item column", 0);
  intern_items(load, width);
  do {
    ++load.rows_read;
    add_row(load, width);
    load.report_progress(load.rows.position(), load.rows_read);
  } while (load.rows.next());
}

}  // namespace mfrec::detail
