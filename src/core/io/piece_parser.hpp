#pragma once
// The long layout's per-row work: the rules a row must meet (LongRowRules,
// for the rows CsvRowReader splits and for the lines of the pieces), and the
// parsing of one piece on a worker thread (PieceParser), its names interned
// in the worker's own tables. long_pipeline.cpp runs the workers and merges
// their pieces in file order.
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "io/field_splitter.hpp"
#include "io/pieces.hpp"
#include "io/ratings_load.hpp"

namespace mfrec::detail {

// One row's rating, its names still text.
struct LongRow {
  std::string_view user;
  std::string_view item;
  float value;
};

// The checks every long row passes, with the errors (and hints) they raise.
class LongRowRules {
 public:
  LongRowRules(const RatingsLoad& load, const LongShape& shape) : load_(load), shape_(shape) {}

  // The rating in a row split into `fields` (starting at `columns`) at
  // `line`; `first_row` adds the hints that only make sense there. Throws
  // Error(Data) at the offending column.
  LongRow check(const std::vector<std::string_view>& fields, const std::vector<std::uint64_t>& columns,
                std::uint64_t line, bool first_row) const;
  const LongShape& shape() const { return shape_; }
  const RatingsLoad& load() const { return load_; }

 private:
  [[noreturn]] void fail_width(std::size_t fields, const std::vector<std::uint64_t>& columns, std::uint64_t line,
                               bool first_row) const;
  [[noreturn]] void fail(const std::string& what, std::uint64_t line, std::uint64_t column) const;

  const RatingsLoad& load_;
  const LongShape shape_;
};

// A worker's names: ids of its own, in the order the worker met them. Only
// the worker touches them; the merge learns the names from the pieces.
struct WorkerNames {
  // One table, and how the worker's last piece used it.
  struct Table {
    IdMap ids;
    std::uint64_t reused = 0;  // lookups of names met in earlier pieces
    std::uint64_t added = 0;   // names met first
    unsigned pieces = 0;       // since the table was last emptied
  };
  Table users, items;
};

// The names a worker met first in a piece: ids first_id, first_id + 1, …
// A worker whose names do not come back (a file grouped by user: each
// piece has users of its own) forgets them now and then, so that its table
// does not grow into a second copy of the Dataset's; its ids then start
// again from 0 (forgot_earlier).
struct NewNames {
  bool forgot_earlier = false;
  std::uint32_t first_id = 0;
  std::string text;                 // back to back
  std::vector<std::uint32_t> ends;  // where each ends in text
  std::string_view name(std::uint32_t id) const {
    const std::size_t i = id - first_id;
    const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
  std::uint32_t end_id() const { return first_id + static_cast<std::uint32_t>(ends.size()); }
};

// One piece parsed: its ratings with the worker's ids, and what the merge
// needs to give those ids their place in file order.
struct ParsedPiece {
  std::uint32_t index = 0;
  unsigned worker = 0;
  std::vector<Rating> ratings;  // worker ids, in file order
  NewNames new_users, new_items;  // the names of the ids the worker met first here
  std::uint64_t lines = 0;  // lines in the piece (blank ones included)
  std::uint64_t rows = 0;   // rows read (lines not blank)
  RatingLines rating_lines{true};  // the line of each rating, counted from the piece's start
  std::exception_ptr error;        // the first error, at a line counted from the piece's start
  std::uint64_t end_offset = 0;
};

// The ratings vectors of merged pieces, for the next pieces to fill: their
// pages stay mapped, instead of being faulted in afresh for every piece.
class RatingBuffers {
 public:
  std::vector<Rating> take() {
    const std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    std::vector<Rating> v = std::move(free_.back());
    free_.pop_back();
    return v;
  }
  void give(std::vector<Rating>&& v) {
    v.clear();
    const std::lock_guard lock(mutex_);
    if (free_.size() < kKept) free_.push_back(std::move(v));
  }
  void clear() {
    const std::lock_guard lock(mutex_);
    free_.clear();
  }

 private:
  static constexpr std::size_t kKept = 4;
  std::mutex mutex_;
  std::vector<std::vector<Rating>> free_;
};

class PieceParser {
 public:
  PieceParser(const LongRowRules& rules, WorkerNames& names, unsigned worker, RatingBuffers& buffers);
  ~PieceParser();
  // Parses `piece` (its text is split in place) up to its first error.
  std::unique_ptr<ParsedPiece> parse(Piece& piece);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfrec::detail
