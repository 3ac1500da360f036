// libFuzzer target: the CSV row reader and the ratings reader on arbitrary
// text, both layouts and every delimiter, options from the first byte (see
// fuzz_support.hpp; bit 7 set: the row reader alone). The only acceptable failure is mfrec::Error; a file that
// loads must give a consistent Dataset, and the same one (or the same Error)
// on 1 thread in one piece and on 3 threads in pieces of 1 to 64 bytes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

using namespace mfrec;
using fuzz::require;

namespace {

// The row reader alone: fields, their columns and line numbers stay sane.
void read_rows(const std::string& text, Delimiter delimiter) {
  CsvRowReader rows = CsvRowReader::from_string("fuzz.csv", text, delimiter);
  std::uint64_t last_line = 0;
  while (rows.next()) {
    const auto& f = rows.fields();
    require(!f.empty(), "a row has a field");
    require(rows.line() > last_line, "line numbers increase");
    require(rows.line() <= text.size(), "line within the input");
    last_line = rows.line();
    std::uint64_t last_column = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      require(rows.column(i) > last_column, "columns increase");
      require(rows.column(i) <= text.size() + 1, "column within the input");
      require(f[i].size() <= text.size(), "field within the input");
      last_column = rows.column(i);
    }
  }
  require(rows.delimiter() != kSniffDelimiter, "a delimiter was chosen");
}

void check_dataset(const Dataset& d) {
  require(!d.ratings.empty(), "a loaded file has ratings");
  for (std::size_t i = 0; i < d.ratings.size(); ++i) {
    const Rating& r = d.ratings[i];
    require(r.user < d.users.size() && r.item < d.items.size(), "indices in range");
    require(std::isfinite(r.value), "finite rating");
    if (i > 0) {
      const Rating& p = d.ratings[i - 1];
      require(p.user < r.user || (p.user == r.user && p.item < r.item), "sorted, no duplicates");
    }
  }
  for (std::uint32_t u = 0; u < d.users.size(); ++u)
    require(!d.users.name(u).empty() && d.users.find(d.users.name(u)) == u, "user ids");
  for (std::uint32_t i = 0; i < d.items.size(); ++i)
    require(!d.items.name(i).empty() && d.items.find(d.items.name(i)) == i, "item ids");
}

// Dataset (names in index order, ratings with their values' bits) and report
// as bytes, for comparing two reads.
std::string bytes_of(const Dataset& d, const ReadReport& report) {
  std::string out;
  auto put = [&out](const auto& v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
  auto put_text = [&](const std::string& s) {
    put(s.size());
    out += s;
  };
  for (const IdMap* ids : {&d.users, &d.items}) {
    put(ids->size());
    for (std::uint32_t i = 0; i < ids->size(); ++i) put_text(ids->name(i));
  }
  put(d.ratings.size());
  for (const Rating& r : d.ratings) {
    put(r.user);
    put(r.item);
    put(r.value);
  }
  put_text(d.source);
  put(report.layout);
  put(report.delimiter);
  put(report.rows);
  put(report.skipped_cells);
  put(report.header);
  put(report.user_column);
  put(report.item_column);
  put(report.rating_column);
  for (const auto& note : report.notes) put_text(note);
  return out;
}

// What reading `text` gives: the Dataset's and report's bytes, checked for
// consistency, or the Error with its kind and place.
std::string outcome_of(const std::string& text, const ReadOptions& options) {
  try {
    CsvRowReader rows = CsvRowReader::from_string("fuzz.csv", text, options.delimiter);
    ReadReport report;
    const Dataset d = read_ratings(rows, options, &report);
    check_dataset(d);
    require(report.layout != Layout::Auto, "a layout was chosen");
    require(report.rows >= 1, "rows counted");
    return "dataset " + bytes_of(d, report);
  } catch (const Error& e) {
    const Location where = e.where().value_or(Location{});
    return "error " + std::to_string(static_cast<int>(e.kind())) + " " + where.file + ":" + std::to_string(where.line) +
           ":" + std::to_string(where.column) + " " + e.message();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ReadOptions options = fuzz::read_options(data[0]);
  // The first byte's values are all taken: an odd-length input reads as
  // implicit feedback (no rating column needed, repeated pairs added up).
  options.interactions = size % 2 == 1;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Bit 7 of the first byte picks the row reader alone; else the ratings
  // reader reads the text twice, as one piece on one thread and in pieces of
  // 1 to 64 bytes (from the middle byte, which mutations reach as often as
  // any) on three.
  if (data[0] & 0x80) {
    try {
      read_rows(text, options.delimiter);
    } catch (const Error&) {
    }
    return 0;
  }
  options.threads = 1;
  options.piece_bytes = 0;
  const std::string whole = outcome_of(text, options);
  options.threads = 3;
  options.piece_bytes = 1 + data[size / 2] % 64;
  require(outcome_of(text, options) == whole, "the same Dataset or Error in pieces on 3 threads as on 1");
  return 0;
}
