#include "mfrec/io/ratings_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <thread>

#include "io/column_names.hpp"
#include "io/batch_queue.hpp"
#include "mfrec/error.hpp"
#include "io/rating_lines.hpp"
#include "io/rating_order.hpp"

namespace mfrec {

Layout parse_layout(std::string_view t) {
  if (t == "auto") return Layout::Auto;
  if (t == "wide") return Layout::Wide;
  if (t == "long") return Layout::Long;
  throw Error(ErrorKind::Usage, "unknown layout '" + std::string(t) + "' (use auto, wide or long)");
}

std::string layout_name(Layout layout) {
  switch (layout) {
    case Layout::Wide: return "wide";
    case Layout::Long: return "long";
    default: return "auto";
  }
}

namespace {

// Plain decimals ("4", "-3.5", "2.91"): the digits as an integer below 10^15
// and a power of ten up to 10^22 are both exact doubles, so one division
// rounds correctly, to the same double from_chars gives (Clinger's fast
// path). Anything else, or longer, is left to from_chars. (A bool and an out
// parameter, not an optional: copying the optional through the stack cost a
// store-forwarding stall per call.)
bool parse_plain_decimal(std::string_view text, double& out) {
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr std::size_t kMaxDigits = 15;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  std::uint64_t digits = 0;
  std::size_t count = 0, i = 0, point = text.size();
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = digits * 10 + static_cast<std::uint64_t>(c - '0');
      ++count;
    } else if (c == '.' && point == text.size() && i > 0) {
      point = i;
    } else {
      return false;
    }
  }
  if (count == 0 || count > kMaxDigits || point == text.size() - 1) return false;
  const std::size_t decimals = point == text.size() ? 0 : text.size() - point - 1;
  const double value = static_cast<double>(digits) / kPowersOfTen[decimals];
  out = negative ? -value : value;
  return true;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  // from_chars takes a '-' but not a '+'; after a '+' no second sign may
  // follow ("+-3", "++3").
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return std::nullopt;
  }
  if (text.empty()) return std::nullopt;
  double value = 0;
  if (parse_plain_decimal(text, value)) return value;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

namespace {

// The index of the last name looked up, so that a run of rows with the same
// user (files are usually grouped by user) costs a compare, not a lookup.
class RecentId {
 public:
  std::uint32_t intern(IdMap& ids, std::string_view name) {
    if (!valid_ || name != name_) {
      index_ = ids.intern(name);
      name_.assign(name);
      valid_ = true;
    }
    return index_;
  }

 private:
  std::string name_;
  std::uint32_t index_ = 0;
  bool valid_ = false;
};

// Rows read before the number of ratings is estimated from the file size.
constexpr std::uint64_t kRowsBeforeEstimate = 4096;

std::uint32_t line32(std::uint64_t line) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(line, std::numeric_limits<std::uint32_t>::max()));
}

struct LongColumns {
  std::size_t user = 0, item = 1, rating = 2;
  std::size_t needed() const { return std::max({user, item, rating}) + 1; }
};

class Loader {
 public:
  Loader(CsvRowReader& rows, const ReadOptions& options) : rows_(rows), options_(options) {
    if (auto m = parse_number(options.missing)) missing_number_ = *m;
  }

  Dataset run(ReadReport* report) {
    data_.source = rows_.name();
    if (!rows_.next()) throw Error(ErrorKind::Data, "empty file: no rows", Location{rows_.name(), 0, 0});
    if (options_.header) {
      for (std::size_t i = 0; i < rows_.fields().size(); ++i) {
        header_.emplace_back(rows_.fields()[i]);
        header_columns_.push_back(rows_.column(i));
      }
      // Not always line 1: blank lines before the header are skipped.
      header_line_ = rows_.line();
      if (!rows_.next())
        throw Error(ErrorKind::Data, "the file has a header row but no ratings", Location{rows_.name(), header_line_, 0});
    }
    const Layout layout = decide_layout();
    lines_ = detail::RatingLines(layout == Layout::Long);
    if (layout == Layout::Long) {
      load_long();
    } else {
      load_wide();
    }
    finish();
    if (report) {
      report->layout = layout;
      report->delimiter = rows_.delimiter();
      report->rows = read_.rows;
      report->skipped_cells = skipped_;
    }
    return std::move(data_);
  }

 private:
  [[noreturn]] void fail(const std::string& what, std::uint64_t column) const {
    throw Error(ErrorKind::Data, what, Location{rows_.name(), rows_.line(), column});
  }

  bool is_missing(std::string_view cell) const {
    if (cell.empty() || cell == options_.missing) return true;
    if (missing_number_) {
      const auto v = parse_number(cell);
      return v && *v == *missing_number_;
    }
    return false;
  }

  bool row_fits_wide() const {
    const auto& f = rows_.fields();
    if (f.size() < 2) return false;
    for (std::size_t i = 1; i < f.size(); ++i)
      if (!is_missing(f[i]) && !parse_number(f[i])) return false;
    return true;
  }

  Layout decide_layout() {
    if (options_.layout != Layout::Auto) return options_.layout;
    if (!options_.user_col.empty() || !options_.item_col.empty() || !options_.rating_col.empty()) return Layout::Long;
    if (options_.header && find_column(header_, ColumnRole::User) && find_column(header_, ColumnRole::Item) &&
        find_column(header_, ColumnRole::Rating))
      return Layout::Long;
    const auto& f = rows_.fields();
    const bool long_ok = f.size() >= 3 && parse_number(f[2]).has_value();
    const bool cells_wide = row_fits_wide();
    const bool wide_ok = cells_wide && (!options_.header || header_.size() == f.size());
    if (!options_.header) return long_ok || !wide_ok ? Layout::Long : Layout::Wide;
    // A wide file whose first row is ragged must not pass for a long one: the
    // header's first three columns would give ids like "4" and no error.
    if (cells_wide && header_.size() != f.size()) {
      if (header_.size() >= 5) return Layout::Wide;  // load_wide names the ragged row
      throw_ambiguous();
    }
    if (wide_ok && !long_ok) return Layout::Wide;
    if (long_ok && !wide_ok) return Layout::Long;
    // Both readings fit the first row. A long file has three or four
    // columns (user, item, rating, maybe a timestamp); more means wide.
    if (f.size() >= 5) return Layout::Wide;
    throw_ambiguous();
  }

  [[noreturn]] void throw_ambiguous() const {
    throw Error(ErrorKind::Data,
                "cannot tell whether this is a wide (user x item) or long (user,item,rating) file; "
                "give --layout wide or --layout long",
                Location{rows_.name(), rows_.line(), 0});
  }

  float rating_value(std::string_view cell, std::uint64_t column) const {
    return rating_value(cell, rows_.line(), column);
  }

  // The same for a row read earlier, at `line`: the interning thread parses
  // the ratings of the rows handed to it.
  float rating_value(std::string_view cell, std::uint64_t line, std::uint64_t column) const {
    const auto v = parse_number(cell);
    const auto fail_at = [&](const std::string& what) {
      throw Error(ErrorKind::Data, what, Location{rows_.name(), line, column});
    };
    if (!v) fail_at("rating '" + std::string(cell.substr(0, 40)) + (cell.size() > 40 ? "…" : "") + "' is not a finite number");
    if (std::fabs(*v) > std::numeric_limits<float>::max()) fail_at("rating '" + std::string(cell) + "' is out of range");
    return static_cast<float>(*v);
  }

  void load_long() {
    LongColumns cols;
    if (options_.header) {
      if (auto c = find_column(header_, ColumnRole::User)) cols.user = *c;
      if (auto c = find_column(header_, ColumnRole::Item)) cols.item = *c;
      if (auto c = find_column(header_, ColumnRole::Rating)) cols.rating = *c;
    }
    if (!options_.user_col.empty()) cols.user = resolve_column(options_.user_col, "--user-col", header_, options_.header);
    if (!options_.item_col.empty()) cols.item = resolve_column(options_.item_col, "--item-col", header_, options_.header);
    if (!options_.rating_col.empty())
      cols.rating = resolve_column(options_.rating_col, "--rating-col", header_, options_.header);
    if (cols.user == cols.item || cols.user == cols.rating || cols.item == cols.rating)
      throw Error(ErrorKind::Usage, "the user, item and rating columns must be three different columns");
    long_ = LongShape{cols, cols.needed(),
                      // Extra columns are ignored, but a row wider than the
                      // first one (the header, or the first data row) is
                      // malformed, most often a decimal comma in a
                      // comma-separated file: "ann,x,4,5" must not load as a 4.
                      options_.header ? header_.size() : rows_.fields().size()};
    if (options_.threads == 1) {
      RowBatch batch;
      while (read_batch(batch)) {
        intern_batch(batch);
        batch.clear();
      }
      intern_batch(batch);
      return;
    }
    // Two threads: this one interns the names, in file order, while another
    // reads and parses the rows ahead of it. The result is the same.
    // Batches go back for reuse once interned, so their buffers are not
    // allocated (and their pages faulted in) again for every batch.
    detail::BatchQueue<RowBatch> queue(4), spent(8);
    std::thread reader([&] {
      RowBatch batch;
      while (read_batch(batch)) {
        if (!queue.push(std::move(batch))) return;
        batch = spent.try_pop().value_or(RowBatch());
        batch.clear();
      }
      queue.push(std::move(batch));
      queue.close();
    });
    struct Join {
      detail::BatchQueue<RowBatch>& queue;
      std::thread& reader;
      ~Join() {
        queue.abort();  // releases the reader if this thread stopped early
        reader.join();
      }
    } join{queue, reader};
    while (auto batch = queue.pop()) {
      intern_batch(*batch);
      spent.push(std::move(*batch));  // never blocks: at most 6 batches exist
    }
  }

  // Rows of the long layout, split and checked, for intern_batch: each
  // row's user, item and rating text back to back in `text`, and the error
  // that ended the input, if one did. The rating is parsed on the interning
  // thread, which balances the two threads' work.
  struct ParsedRow {
    std::uint32_t user_end, item_end, rating_end;  // in text; a row starts where the previous one ends
    std::uint32_t rating_column;
    std::uint64_t line;
  };
  struct RowBatch {
    std::string text;
    std::vector<ParsedRow> rows;
    std::exception_ptr error;   // raised after this batch's rows
    std::uint64_t reserve = 0;  // the ratings' capacity estimate, once known
    void clear() {
      text.clear();
      rows.clear();
      error = nullptr;
      reserve = 0;
    }
  };
  static constexpr std::size_t kBatchRows = 8192;
  // A batch also ends once its text passes 1 MiB, so that long ids (a line
  // may be 16 MiB) never pile up in the queue; its offsets then fit 32 bits.
  static constexpr std::size_t kBatchText = std::size_t{1} << 20;
  static std::uint32_t text_offset(const RowBatch& batch) { return static_cast<std::uint32_t>(batch.text.size()); }

  // Fills `batch` with the next rows, from the current one on; false when the
  // input has ended (or failed: batch.error). Touches only the row reader and
  // the row count, so it may run on its own thread.
  bool read_batch(RowBatch& batch) {
    try {
      while (batch.rows.size() < kBatchRows && batch.text.size() < kBatchText) {
        if (read_.done) return false;
        ++read_.rows;
        const auto& f = rows_.fields();
        if (f.size() < long_.needed) {
          fail("row has " + std::to_string(f.size()) + " field" + (f.size() == 1 ? "" : "s") + ", need at least " +
                   std::to_string(long_.needed) + " (user, item, rating)",
               0);
        }
        if (f.size() > long_.width) {
          const std::string reference = options_.header ? "the header has " : "the first row has ";
          fail("row has " + std::to_string(f.size()) + " fields, " + reference + std::to_string(long_.width) +
                   " (a decimal comma in a comma-separated file?)",
               rows_.column(long_.width));
        }
        const auto& cols = long_.columns;
        if (f[cols.user].empty()) fail("empty user id", rows_.column(cols.user));
        if (f[cols.item].empty()) fail("empty item id", rows_.column(cols.item));
        ParsedRow row;
        batch.text.append(f[cols.user]);
        row.user_end = text_offset(batch);
        batch.text.append(f[cols.item]);
        row.item_end = text_offset(batch);
        batch.text.append(f[cols.rating]);
        row.rating_end = text_offset(batch);
        row.rating_column = static_cast<std::uint32_t>(std::min<std::uint64_t>(rows_.column(cols.rating), std::numeric_limits<std::uint32_t>::max()));
        row.line = rows_.line();
        batch.rows.push_back(row);
        if (read_.rows == kRowsBeforeEstimate) batch.reserve = capacity_estimate();
        read_.done = !rows_.next();
      }
      return true;
    } catch (...) {
      batch.error = std::current_exception();
      read_.done = true;
      return false;
    }
  }

  // Adds a batch's ratings in order, interning their names; then raises the
  // batch's error, if any. Runs on the calling thread.
  void intern_batch(const RowBatch& batch) {
    if (batch.reserve > 0) data_.ratings.reserve(batch.reserve);
    std::uint32_t start = 0;
    const char* text = batch.text.data();
    for (const ParsedRow& row : batch.rows) {
      const std::string_view user(text + start, row.user_end - start);
      const std::string_view item(text + row.user_end, row.item_end - row.user_end);
      const std::string_view rating(text + row.item_end, row.rating_end - row.item_end);
      start = row.rating_end;
      const float value = rating_value(rating, row.line, row.rating_column);
      const std::uint32_t user_index = recent_user_.intern(data_.users, user);
      lines_.add(data_.ratings.size(), row.line);
      data_.ratings.push_back({user_index, data_.items.intern(item), value});
    }
    if (batch.error) std::rethrow_exception(batch.error);
  }

  void load_wide() {
    const std::size_t width = options_.header ? header_.size() : rows_.fields().size();
    if (width < 2) fail("a wide file needs a user column and at least one item column", 0);
    // Items are interned in column order, so index order is the seed's.
    for (std::size_t c = 1; c < width; ++c) {
      const std::string name = options_.header ? header_[c] : std::to_string(c + 1);
      if (name.empty()) {
        throw Error(ErrorKind::Data, "empty item name in header field " + std::to_string(c + 1),
                    Location{rows_.name(), header_line_, header_columns_[c]});
      }
      if (const auto first = data_.items.find(name)) {
        throw Error(ErrorKind::Data,
                    "item '" + name + "' appears twice in the header (fields " + std::to_string(*first + 2) + " and " +
                        std::to_string(c + 1) + ")",
                    Location{rows_.name(), header_line_, header_columns_[c]});
      }
      data_.items.intern(name);
    }
    do {
      ++read_.rows;
      const auto& f = rows_.fields();
      if (f.size() != width) {
        // Point at the first field too many; a short row has no such place.
        fail("row has " + std::to_string(f.size()) + " fields, " + (options_.header ? "the header has " : "the first row has ") +
                 std::to_string(width),
             f.size() > width ? rows_.column(width) : 0);
      }
      if (f[0].empty()) fail("empty user name", rows_.column(0));
      const std::uint32_t user = data_.users.intern(f[0]);
      for (std::size_t c = 1; c < width; ++c) {
        if (is_missing(f[c])) {
          ++skipped_;
          continue;
        }
        add_rating({user, static_cast<std::uint32_t>(c - 1), rating_value(f[c], rows_.column(c))});
      }
    } while (rows_.next());
  }

  void add_rating(const Rating& r) {
    lines_.add(data_.ratings.size(), rows_.line());
    data_.ratings.push_back(r);
  }

  // Long layout: the ratings the file will hold at the rate of its first
  // rows (plus a margin), to reserve so that the vector does not grow by
  // doubling, whose copy would briefly hold up to twice the ratings. Pages
  // reserved but never written cost no memory. 0 when unknown (stdin).
  std::uint64_t capacity_estimate() const {
    const std::uint64_t size = rows_.size_hint(), read = rows_.position();
    if (size == 0 || read == 0 || read >= size) return 0;
    const double rows_per_byte = static_cast<double>(read_.rows) / static_cast<double>(read);
    const auto estimate = static_cast<std::uint64_t>(static_cast<double>(size) * rows_per_byte * 1.1) + 1024;
    // A row holds at least "u,i,1" and a line end: no more rows than that.
    return std::min(estimate, size / 6 + 1);
  }

  void finish() {
    if (data_.ratings.empty())
      throw Error(ErrorKind::Data, "no ratings: every cell is empty or equal to the \"not rated\" value '" + options_.missing + "'",
                  Location{rows_.name(), 0, 0});
    const unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
    if (const auto dup = detail::sort_ratings(data_.ratings, data_.users.size(), threads)) {
      const std::uint32_t first = line32(lines_.line_of(dup->first)), second = line32(lines_.line_of(dup->second));
      throw Error(ErrorKind::Data,
                  "duplicate rating for user '" + data_.users.name(dup->user) + "' and item '" +
                      data_.items.name(dup->item) + "' (lines " + std::to_string(first) + " and " +
                      std::to_string(second) + ")",
                  Location{rows_.name(), second, 0});
    }
  }

  CsvRowReader& rows_;
  const ReadOptions& options_;
  std::optional<double> missing_number_;
  std::vector<std::string> header_;
  std::vector<std::uint64_t> header_columns_;
  std::uint64_t header_line_ = 0;
  detail::RatingLines lines_{true};  // the line of each rating in data_.ratings
  struct LongShape {
    LongColumns columns;
    std::size_t needed = 0;  // fields a row must have
    std::size_t width = 0;   // fields a row may have
  } long_;
  RecentId recent_user_;
  Dataset data_;
  std::uint64_t skipped_ = 0;
  // Written for every row by the reading thread while the interning thread
  // writes the members above: a cache line of their own (alignas pads the
  // struct to a whole line), or the two threads would fight over it.
  struct alignas(64) ReadState {
    std::uint64_t rows = 0;   // rows read
    bool done = false;        // the row reader has no current row
  } read_;
};

}  // namespace

Dataset read_ratings(CsvRowReader& rows, const ReadOptions& options, ReadReport* report) {
  return Loader(rows, options).run(report);
}

Dataset read_ratings(const std::string& path, const ReadOptions& options, ReadReport* report) {
  CsvRowReader rows = CsvRowReader::open_file(path, options.delimiter);
  return read_ratings(rows, options, report);
}

}  // namespace mfrec
