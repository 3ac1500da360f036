#include "io/column_names.hpp"

#include <algorithm>
#include <initializer_list>

#include "mfrec/error.hpp"

namespace mfrec {

namespace {

std::string normalized(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_' || c == '-' || c == ' ' || c == '.') continue;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  const std::string n = normalized(name);
  return std::find(names.begin(), names.end(), n) != names.end();
}

}  // namespace

bool is_column_name(ColumnRole role, std::string_view n) {
  switch (role) {
    case ColumnRole::User:
      return is_one_of(n, {"user", "userid", "users", "username", "customer", "customerid", "reviewer", "reviewerid", "uid"});
    case ColumnRole::Item:
      return is_one_of(n, {"item", "itemid", "items", "itemname", "movie", "movieid", "product", "productid", "song",
                           "songid", "track", "trackid", "book", "isbn", "asin", "iid"});
    case ColumnRole::Rating:
      return is_one_of(n, {"rating", "ratings", "score", "value", "stars", "rate", "preference", "bookrating"});
    case ColumnRole::Count:
      return is_one_of(n, {"count", "counts", "plays", "playcount", "listens", "listencount", "clicks", "clickcount",
                           "views", "viewcount", "weight", "frequency", "freq", "quantity", "qty", "strength",
                           "confidence", "interactions"});
  }
  return false;
}

bool is_column_index(const std::string& option) {
  return !option.empty() && std::all_of(option.begin(), option.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_corner_name(std::string_view cell) {
  return cell.empty() || is_column_name(ColumnRole::User, cell) || is_one_of(cell, {"name", "id", "names"});
}

std::optional<std::size_t> find_column(const std::vector<std::string>& header, ColumnRole role) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (is_column_name(role, header[i])) return i;
  return std::nullopt;
}

std::optional<std::size_t> find_value_column(const std::vector<std::string>& header, bool interactions) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (is_column_name(ColumnRole::Rating, header[i]) || (interactions && is_column_name(ColumnRole::Count, header[i])))
      return i;
  return std::nullopt;
}

bool names_long_columns(const std::vector<std::string>& header, bool interactions) {
  return find_column(header, ColumnRole::User) && find_column(header, ColumnRole::Item) &&
         (interactions || find_value_column(header, false));
}

std::size_t resolve_column(const std::string& option, const char* flag, const std::vector<std::string>& header,
                           bool has_header) {
  if (is_column_index(option)) {
    if (option.size() > 7 || std::stoul(option) < 1)
      throw Error(ErrorKind::Usage, std::string(flag) + " " + option + ": column indices start at 1");
    return std::stoul(option) - 1;
  }
  if (!has_header)
    throw Error(ErrorKind::Usage, std::string(flag) + " " + option + ": a column name needs a header (or give an index)");
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == option) return i;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (normalized(header[i]) == normalized(option)) return i;
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
  throw Error(ErrorKind::Usage, std::string(flag) + " " + option + ": no such column (the header has: " + names + ")");
}

}  // namespace mfrec
