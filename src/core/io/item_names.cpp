#include "mfrec/io/item_names.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "column_names.hpp"
#include "mfrec/error.hpp"

namespace mfrec {

namespace {

bool names_title(std::string_view cell) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string name = lower(cell);
  return name == "title" || name == "name";
}

// The title column a header row names, or nullopt when the row is data. A
// row is a header when it names a title column, or when its first cell
// names an item column (movieId, item…) and so is no item's id.
std::optional<std::size_t> header_title_column(const std::vector<std::string_view>& row, const IdMap& items) {
  const auto named = std::find_if(row.begin() + 1, row.end(), names_title);
  if (named != row.end()) return static_cast<std::size_t>(named - row.begin());
  if (!items.find(row[0]) && is_column_name(ColumnRole::Item, row[0])) return 1;
  return std::nullopt;
}

[[noreturn]] void bad_row(const CsvRowReader& rows, std::size_t field, const std::string& what) {
  const std::uint64_t column = field < rows.fields().size() ? rows.column(field) : rows.column(rows.fields().size() - 1);
  throw Error(ErrorKind::Data, what, Location{rows.name(), rows.line(), column});
}

// Stores one data row's title; the caller has checked the row is long enough.
void take_row(const CsvRowReader& rows, std::size_t title_column, const IdMap& items, std::vector<bool>& seen,
              ItemTitles& out) {
  const auto& f = rows.fields();
  const auto item = items.find(f[0]);
  if (!item) {
    ++out.unknown_ids;
    return;
  }
  if (seen[*item]) bad_row(rows, 0, "item '" + std::string(f[0]) + "' has a title already");
  seen[*item] = true;
  out.titles[*item] = std::string(f[title_column]);
  ++out.titled;
}

}  // namespace

ItemTitles read_item_titles(CsvRowReader rows, const IdMap& items) {
  ItemTitles out;
  out.titles.assign(items.size(), std::string());
  std::vector<bool> seen(items.size(), false);
  std::size_t title_column = 1;
  for (bool first = true; rows.next(); first = false) {
    const auto& f = rows.fields();
    if (first && f.size() >= 2)
      if (const auto header = header_title_column(f, items)) {
        title_column = *header;
        continue;
      }
    if (f.size() <= title_column)
      bad_row(rows, f.size(), "a row with no title (column " + std::to_string(title_column + 1) + ")");
    take_row(rows, title_column, items, seen, out);
  }
  return out;
}

ItemTitles read_item_titles(const std::string& path, const IdMap& items) {
  return read_item_titles(CsvRowReader::open_file(path, kSniffDelimiter), items);
}

}  // namespace mfrec
