#pragma once
// Header names recognised as the user, item and rating columns of a long
// file (case, '_', '-', '.' and spaces ignored): userId, movie_id, Rating…
// and, for interactions, the count-like names of a strength: plays, clicks…
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfrec {

// Count: an interaction's strength (count, plays, play_count, clicks,
// weight…), recognised only when reading interactions: in a ratings file a
// "count" column is no rating.
enum class ColumnRole { User, Item, Rating, Count };

bool is_column_name(ColumnRole role, std::string_view header_name);
// The first cell of a wide header: a user column's name, "name", "id" or
// nothing (a spreadsheet's empty corner).
bool is_corner_name(std::string_view cell);
// A --*-col option that is a column index (digits) rather than a name.
bool is_column_index(const std::string& option);
// First header column recognised for `role`.
std::optional<std::size_t> find_column(const std::vector<std::string>& header, ColumnRole role);
// The first header column named like a rating or, with `interactions`, like
// a count.
std::optional<std::size_t> find_value_column(const std::vector<std::string>& header, bool interactions);
// The header names the long layout's user and item columns, and a rating
// column (find_value_column), which interactions may do without.
bool names_long_columns(const std::vector<std::string>& header, bool interactions);
// A --user-col style option: a 1-based index, or a header name (exact, then
// normalised). Throws Error(Usage) naming `flag` when it matches nothing.
std::size_t resolve_column(const std::string& option, const char* flag, const std::vector<std::string>& header,
                           bool has_header);

}  // namespace mfrec
