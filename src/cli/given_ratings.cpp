#include "given_ratings.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <optional>
#include <set>
#include <vector>

#include "item_lookup.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "model_access.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

// One rating as given: the item's name, the rating's text and where it was.
struct NamedRating {
  std::string item;
  std::string rating;
  std::optional<Location> where;  // a file's line and column; none for --ratings
};

// Splits --ratings at the commas outside double quotes and drops the quotes
// ("" inside quotes is one "). Written by hand because `"Heat, The"=4`
// quotes only part of a field, which CSV (and CsvRowReader) rejects.
std::vector<std::string> split_pieces(const std::string& text) {
  std::vector<std::string> pieces(1);
  bool quoted = false;
  for (std::size_t p = 0; p < text.size(); ++p) {
    const char c = text[p];
    if (c == '"' && quoted && p + 1 < text.size() && text[p + 1] == '"') {
      pieces.back() += '"';
      ++p;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      pieces.emplace_back();
    } else {
      pieces.back() += c;
    }
  }
  if (quoted) throw Error(ErrorKind::Usage, "--ratings: a quote is not closed in '" + text + "'");
  return pieces;
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

std::vector<NamedRating> parse_inline(const std::string& text) {
  std::vector<NamedRating> out;
  for (const std::string& piece : split_pieces(text)) {
    if (trimmed(piece).empty()) continue;  // "a=4,,b=5" or a trailing comma
    const auto eq = piece.rfind('=');
    if (eq == std::string::npos || trimmed(piece.substr(0, eq)).empty())
      throw Error(ErrorKind::Usage, "--ratings: '" + piece + "' is not ITEM=RATING");
    out.push_back({trimmed(piece.substr(0, eq)), trimmed(piece.substr(eq + 1)), std::nullopt});
  }
  return out;
}

std::optional<double> number(std::string_view text) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// Rows item,rating of a file or stdin; a first row whose rating is not a
// number is a header.
std::vector<NamedRating> read_file(const std::string& path) {
  CsvRowReader rows = CsvRowReader::open_file(path, ',');
  std::vector<NamedRating> out;
  for (bool first = true; rows.next(); first = false) {
    const auto& f = rows.fields();
    const Location where{rows.name(), rows.line(), rows.column(f.size() > 1 ? 1 : 0)};
    if (f.size() < 2)
      throw Error(ErrorKind::Data, "want item,rating; the row has " + std::to_string(f.size()) + " field", where);
    if (first && !number(f[1])) continue;
    out.push_back({std::string(f[0]), std::string(f[1]), where});
  }
  return out;
}

// The rating as a number the model can take.
float rating_value(const Model& m, const NamedRating& r) {
  const std::optional<double> value = number(r.rating);
  const std::string source = r.where ? "" : "--ratings: ";
  if (!value)
    throw Error(r.where ? ErrorKind::Data : ErrorKind::Usage,
                source + "the rating '" + r.rating + "' of '" + r.item + "' is not a number", r.where);
  if (!m.implicit() && (*value < m.rating_min || *value > m.rating_max))
    throw Error(ErrorKind::Data,
                fmt::format("{}the rating {} of '{}' is outside the model's rating range {} to {}", source, r.rating,
                            r.item, m.rating_min, m.rating_max),
                r.where);
  return static_cast<float>(*value);
}

// The given ratings by model item; unknown items counted in `unknown`.
std::vector<GivenRating> resolve(const Model& m, const std::vector<NamedRating>& named, bool strict,
                                 std::size_t& unknown) {
  const ItemLookup lookup(m);
  std::vector<GivenRating> given;
  for (const NamedRating& r : named) {
    const float value = rating_value(m, r);
    if (lookup.find(r.item).empty() && !strict) {
      ++unknown;
      continue;
    }
    given.push_back({find_item(m, lookup, r.item), value});  // throws for an unknown or shared name
  }
  return given;
}

void note(bool quiet, const std::string& line) {
  if (!quiet) log_line(line);
}

}  // namespace

void add_given_rating_flags(CLI::App& cmd, GivenRatingFlags& f) {
  cmd.add_option("--ratings", f.ratings,
                 "answer for a new user who gives these ratings: \"ITEM=R,ITEM=R,…\" (items by id or title; "
                 "quote an item that has a comma; default: none)")
      ->type_name("LIST");
  cmd.add_option("--ratings-file", f.ratings_file, "the same from rows item,rating of PATH (- for stdin; default: none)")
      ->type_name("PATH");
  cmd.add_option("--as", f.as, "the new user's name in the output")->type_name("NAME")->default_str("new");
}

void check_given_rating_flags(const GivenRatingFlags& f) {
  if (!f.ratings.empty() && !f.ratings_file.empty())
    throw Error(ErrorKind::Usage, "give --ratings or --ratings-file, not both");
}

FoldedUser fold_in_given(const Model& m, const GivenRatingFlags& f, bool strict, bool quiet) {
  check_given_rating_flags(f);
  const std::vector<NamedRating> named = f.ratings.empty() ? read_file(f.ratings_file) : parse_inline(f.ratings);
  std::size_t unknown = 0;
  const std::vector<GivenRating> given = resolve(m, named, strict, unknown);
  if (unknown)
    note(quiet, fmt::format("mfrec: {} of the {} ratings given name{} no item of the model: ignored", unknown,
                            named.size(), unknown == 1 ? "s" : ""));
  FoldedUser user = fold_in(m, given);
  if (user.rated.size() < given.size())
    note(quiet, fmt::format("mfrec: {} repeated item{}: the last rating given counts", given.size() - user.rated.size(),
                            given.size() - user.rated.size() == 1 ? "" : "s"));
  if (user.rated.empty())
    note(quiet, m.options.bias ? "mfrec: note: no usable rating: answering with the mean plus each item's bias"
                               : "mfrec: note: no usable rating: answering for the model's average user");
  return user;
}

}  // namespace mfrec::cli
