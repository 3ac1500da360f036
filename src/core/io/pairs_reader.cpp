#include "mfrec/io/pairs_reader.hpp"

#include <algorithm>

#include "io/column_names.hpp"
#include "mfrec/error.hpp"

namespace mfrec {

namespace {

// A --user-col/--item-col given as a 1-based index, as 0-based; `fallback`
// otherwise (a name, or nothing; a bad index is resolve_column's error).
std::size_t index_or(const std::string& option, std::size_t fallback) {
  return is_column_index(option) && option.size() <= 7 && std::stoul(option) >= 1 ? std::stoul(option) - 1 : fallback;
}

bool names_a_column(const std::string& option) { return !option.empty() && !is_column_index(option); }

// The current (first) row holds a user or an item the model knows where the
// pair's columns are.
bool holds_known_name(const CsvRowReader& rows, const ReadOptions& options, const IdMap& users, const IdMap& items) {
  const auto& f = rows.fields();
  const std::size_t u = index_or(options.user_col, 0), i = index_or(options.item_col, 1);
  return (u < f.size() && users.find(f[u])) || (i < f.size() && items.find(f[i]));
}

}  // namespace

PairColumns pair_columns(CsvRowReader& rows, const ReadOptions& options, const IdMap& users, const IdMap& items) {
  PairColumns cols;
  if (!rows.next()) return cols;
  std::vector<std::string> header(rows.fields().begin(), rows.fields().end());
  const bool named = find_column(header, ColumnRole::User) || find_column(header, ColumnRole::Item);
  if (!options.header) {
    cols.header = false;
  } else if (options.force_header || names_a_column(options.user_col) || names_a_column(options.item_col)) {
    cols.header = true;
  } else {
    cols.header = !holds_known_name(rows, options, users, items);
    cols.header_unnamed = cols.header && !named;
  }
  if (cols.header) {
    if (auto c = find_column(header, ColumnRole::User)) cols.user = *c;
    if (auto c = find_column(header, ColumnRole::Item)) cols.item = *c;
  } else {
    header.clear();
    cols.first_row_is_data = true;
  }
  if (!options.user_col.empty()) cols.user = resolve_column(options.user_col, "--user-col", header, cols.header);
  if (!options.item_col.empty()) cols.item = resolve_column(options.item_col, "--item-col", header, cols.header);
  if (cols.user == cols.item) throw Error(ErrorKind::Usage, "the user and item columns must differ");
  return cols;
}

}  // namespace mfrec
