#include "mfrec/io/pairs_reader.hpp"

#include "io/column_names.hpp"
#include "mfrec/error.hpp"

namespace mfrec {

PairColumns pair_columns(CsvRowReader& rows, const ReadOptions& options) {
  PairColumns cols;
  if (!rows.next()) return cols;
  std::vector<std::string> header;
  if (options.header) {
    for (auto f : rows.fields()) header.emplace_back(f);
    if (auto c = find_column(header, ColumnRole::User)) cols.user = *c;
    if (auto c = find_column(header, ColumnRole::Item)) cols.item = *c;
  } else {
    cols.first_row_is_data = true;
  }
  if (!options.user_col.empty()) cols.user = resolve_column(options.user_col, "--user-col", header, options.header);
  if (!options.item_col.empty()) cols.item = resolve_column(options.item_col, "--item-col", header, options.header);
  if (cols.user == cols.item) throw Error(ErrorKind::Usage, "the user and item columns must differ");
  return cols;
}

}  // namespace mfrec
