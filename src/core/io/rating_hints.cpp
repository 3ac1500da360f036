// The reader's hints: what a bad cell or a one-column file most likely is
// (a spreadsheet's decimal comma, a "not rated" mark, the wrong separator)
// and what to do about it, appended to the error that names the place.
#include <algorithm>
#include <array>

#include "io/ratings_load.hpp"

namespace mfrec::detail {

// "2,5", "-0,75": digits, one comma, digits.
bool is_decimal_comma(std::string_view cell) {
  if (!cell.empty() && (cell.front() == '-' || cell.front() == '+')) cell.remove_prefix(1);
  const auto comma = cell.find(',');
  if (comma == std::string_view::npos || comma == 0 || comma + 1 == cell.size()) return false;
  return std::all_of(cell.begin(), cell.end(), [](char c) { return c == ',' || (c >= '0' && c <= '9'); }) &&
         cell.find(',', comma + 1) == std::string_view::npos;
}

bool is_not_rated_mark(std::string_view cell) {
  static constexpr std::array<std::string_view, 14> kMarks = {"NA",   "N/A",  "n/a", "na",   "#N/A", "-",   "--",
                                                               "?",    "null", "NULL", "None", "none", "NaN", "nan"};
  return std::find(kMarks.begin(), kMarks.end(), cell) != kMarks.end();
}

void RatingsLoad::bad_rating(std::string_view cell, std::uint64_t line, std::uint64_t column) const {
  const std::string shown = std::string(cell.substr(0, 40)) + (cell.size() > 40 ? "…" : "");
  std::string what;
  if (const auto v = parse_finite_number(cell)) {
    what = "rating '" + shown + "' is out of range";
  } else {
    what = "rating '" + shown + "' is not a finite number";
    if (is_decimal_comma(cell)) {
      std::string dotted(cell);
      std::replace(dotted.begin(), dotted.end(), ',', '.');
      what += " (decimal comma? write " + dotted + ": export the file with '.' as the decimal separator)";
    } else if (layout == Layout::Wide && is_not_rated_mark(cell)) {
      const std::string list = options.missing.empty() ? std::string(cell) : options.missing + "," + std::string(cell);
      what += " (a \"not rated\" mark? give --missing " + list + ")";
    }
  }
  throw Error(ErrorKind::Data, what, Location{rows.name(), line, column});
}

std::string RatingsLoad::one_column_hint() const {
  if (options.delimiter != kSniffDelimiter)
    return "; only one column found with --delimiter " + delimiter_name(options.delimiter) +
           ": is that the file's separator?";
  // The sniffer falls back to whitespace when no other separator splits the
  // lines; one field then means none of them did.
  if (rows.delimiter() != kWhitespaceDelimiter) return "";
  return "; only one column found: tried comma, tab, semicolon, pipe and space as separators "
         "(give --delimiter if the file uses another)";
}

std::string RatingsLoad::pairs_hint() const {
  if (options.interactions) return "";
  return "; a file of user,item pairs, one interaction a row (a play, a click)? use --objective implicit";
}

}  // namespace mfrec::detail
