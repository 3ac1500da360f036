#pragma once
// The long layout's rows, a batch at a time. LongBatches::read splits and
// checks rows into a batch, touching only the row reader and its own state,
// so it may run on a thread of its own; LongBatches::intern adds a batch's
// ratings in file order, interning their names. All the per-row work of the
// long layout is in long_batches.cpp; long_pipeline.cpp only decides which
// thread runs which.
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "io/ratings_load.hpp"

namespace mfrec::detail {

// Rows of the long layout, split and checked, for intern: each row's user,
// item and rating text back to back in `text`, and the error that ended the
// input, if one did. The rating is parsed on the interning thread, which
// balances the two threads' work. Without a rating column (interactions
// counting rows) a row's rating text is empty and never read.
struct ParsedRow {
  std::uint32_t user_end, item_end, rating_end;  // in text; a row starts where the previous one ends
  std::uint32_t rating_column = 0;
  std::uint64_t line;
};

struct RowBatch {
  std::string text;
  std::vector<ParsedRow> rows;
  std::exception_ptr error;   // raised after this batch's rows
  std::uint64_t reserve = 0;  // the ratings' capacity estimate, once known
  std::uint64_t bytes_end = 0;  // input read when the batch was full, for progress
  void clear() {
    text.clear();
    rows.clear();
    error = nullptr;
    reserve = 0;
  }
};

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

class LongBatches {
 public:
  LongBatches(RatingsLoad& load, const LongShape& shape) : rows_(load.rows), load_(load), shape_(shape) {}

  // Fills `batch` with the next rows, from the current one on; false when the
  // input has ended (or failed: batch.error).
  bool read(RowBatch& batch);
  // Adds `batch`'s ratings to load.data in order; then raises the batch's
  // error, if any.
  void intern(const RowBatch& batch);
  // Rows read so far; once reading has stopped.
  std::uint64_t rows_read() const { return read_.rows; }

 private:
  [[noreturn]] void fail_width(std::size_t fields) const;
  void append_row(RowBatch& batch, const std::vector<std::string_view>& fields) const;
  std::uint64_t capacity_estimate() const;

  // Read by the reading thread (and load_ by the interning one); never
  // written once reading starts.
  CsvRowReader& rows_;
  RatingsLoad& load_;
  const LongShape shape_;
  // Written for every row by the reading thread while the interning thread
  // writes recent_user_ and load_.data: a cache line of their own (alignas
  // pads the struct to a whole line), or the two threads would fight over it.
  struct alignas(64) ReadState {
    std::uint64_t rows = 0;  // rows read
    bool done = false;       // the row reader has no current row
  } read_;
  RecentId recent_user_;  // the interning thread's
};

}  // namespace mfrec::detail
