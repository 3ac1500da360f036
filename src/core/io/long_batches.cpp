// The per-row work of the long layout (see long_batches.hpp). append_row is
// defined inline before read's loop so that it inlines there, as it did when
// the reader was one class; the row errors (fail_width) stay out of the loop.
#include "io/long_batches.hpp"

#include <algorithm>
#include <limits>

namespace mfrec::detail {

namespace {

// Rows read before the number of ratings is estimated from the file size.
constexpr std::uint64_t kRowsBeforeEstimate = 4096;
constexpr std::size_t kBatchRows = 8192;
// A batch also ends once its text passes 1 MiB, so that long ids (a line
// may be 16 MiB) never pile up in the queue; its offsets then fit 32 bits.
constexpr std::size_t kBatchText = std::size_t{1} << 20;

std::uint32_t text_offset(const RowBatch& batch) { return static_cast<std::uint32_t>(batch.text.size()); }

}  // namespace

// A row with too few fields for the three columns, or more than the first
// row had: an error, so out of the row loop.
void LongBatches::fail_width(std::size_t fields) const {
  if (fields < shape_.needed) {
    // One field in the first row: most likely the wrong separator.
    std::string hint;
    if (read_.rows == 1) hint = fields == 1 ? load_.one_column_hint() : fields == 2 ? load_.pairs_hint() : "";
    load_.fail("row has " + std::to_string(fields) + " field" + (fields == 1 ? "" : "s") + ", need at least " +
                   std::to_string(shape_.needed) + (shape_.rating ? " (user, item, rating)" : " (user, item)") + hint,
               0);
  }
  const std::string reference = load_.has_header ? "the header has " : "the first row has ";
  load_.fail("row has " + std::to_string(fields) + " fields, " + reference + std::to_string(shape_.width) +
                 " (a decimal comma in a comma-separated file?)",
             rows_.column(shape_.width));
}

inline void LongBatches::append_row(RowBatch& batch, const std::vector<std::string_view>& f) const {
  if (f[shape_.user].empty()) load_.fail("empty user id", rows_.column(shape_.user));
  if (f[shape_.item].empty()) load_.fail("empty item id", rows_.column(shape_.item));
  ParsedRow row;
  batch.text.append(f[shape_.user]);
  row.user_end = text_offset(batch);
  batch.text.append(f[shape_.item]);
  row.item_end = text_offset(batch);
  if (shape_.rating) {
    batch.text.append(f[*shape_.rating]);
    row.rating_column = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(rows_.column(*shape_.rating), std::numeric_limits<std::uint32_t>::max()));
  }
  row.rating_end = text_offset(batch);
  row.line = rows_.line();
  batch.rows.push_back(row);
}

bool LongBatches::read(RowBatch& batch) {
  try {
    while (batch.rows.size() < kBatchRows && batch.text.size() < kBatchText) {
      if (read_.done) return false;
      ++read_.rows;
      const auto& f = rows_.fields();
      if (f.size() < shape_.needed || f.size() > shape_.width) fail_width(f.size());
      append_row(batch, f);
      if (read_.rows == kRowsBeforeEstimate) batch.reserve = capacity_estimate();
      read_.done = !rows_.next();
    }
    batch.bytes_end = rows_.position();
    return true;
  } catch (...) {
    batch.error = std::current_exception();
    read_.done = true;
    return false;
  }
}

void LongBatches::intern(const RowBatch& batch) {
  Dataset& data = load_.data;
  RatingLines& lines = load_.lines;
  if (batch.reserve > 0) data.ratings.reserve(batch.reserve);
  const bool counted = !shape_.rating;  // interactions without a value: each row counts 1
  std::uint32_t start = 0;
  const char* text = batch.text.data();
  for (const ParsedRow& row : batch.rows) {
    const std::string_view user(text + start, row.user_end - start);
    const std::string_view item(text + row.user_end, row.item_end - row.user_end);
    const std::string_view rating(text + row.item_end, row.rating_end - row.item_end);
    start = row.rating_end;
    const float value = counted ? 1.0f : load_.rating_value(rating, row.line, row.rating_column);
    const std::uint32_t user_index = recent_user_.intern(data.users, user);
    lines.add(data.ratings.size(), row.line);
    data.ratings.push_back({user_index, data.items.intern(item), value});
  }
  load_.report_progress(batch.bytes_end, data.ratings.size());
  if (batch.error) std::rethrow_exception(batch.error);
}

// The ratings the file will hold at the rate of its first rows (plus a
// margin), to reserve so that the vector does not grow by doubling, whose
// copy would briefly hold up to twice the ratings. Pages reserved but never
// written cost no memory. 0 when unknown (stdin).
std::uint64_t LongBatches::capacity_estimate() const {
  const std::uint64_t size = rows_.size_hint(), read = rows_.position();
  if (size == 0 || read == 0 || read >= size) return 0;
  const double rows_per_byte = static_cast<double>(read_.rows) / static_cast<double>(read);
  const auto estimate = static_cast<std::uint64_t>(static_cast<double>(size) * rows_per_byte * 1.1) + 1024;
  // A row holds at least "u,i,1" and a line end: no more rows than that.
  return std::min(estimate, size / 6 + 1);
}

}  // namespace mfrec::detail
