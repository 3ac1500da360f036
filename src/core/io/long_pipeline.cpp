// Loads the long layout. The rows CsvRowReader has already read (the first
// data row, and the lines it read ahead to sniff the delimiter) are read on
// the calling thread; the rest of the input is cut into pieces (pieces.hpp)
// that worker threads parse, each interning names in tables of its own
// (piece_parser.hpp). The calling thread merges the pieces in file order as
// they come: a name gets its Dataset index when the first piece using it is
// merged, at its rank among that piece's names, so indices are in order of
// first appearance in the file, whichever worker read which piece; and the
// first piece with an error raises it, at its line in the file, once every
// piece before it is merged. So the Dataset, or the error, is the same for
// any number of threads.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "io/piece_parser.hpp"
#include "io/user_bands.hpp"

namespace mfrec::detail {

namespace {

// The first data row and the rows read ahead of it, on the calling thread,
// straight into the Dataset.
void read_first_rows(RatingsLoad& load, const LongRowRules& rules) {
  CsvRowReader& rows = load.rows;
  for (bool first = true; first || lines_read_ahead(rows) > 0; first = false) {
    if (!first && !rows.next()) break;
    ++load.rows_read;
    const LongRow r = rules.check(rows.fields(), rows.columns(), rows.line(), first);
    load.lines.add(load.data.ratings.size(), rows.line());
    load.data.ratings.push_back({load.data.users.intern(r.user), load.data.items.intern(r.item), r.value});
  }
}

// Pieces parsed by the workers, handed to the merging thread by index.
class ParsedPieces {
 public:
  void put(std::unique_ptr<ParsedPiece> piece) {
    const std::lock_guard lock(mutex_);
    if (pieces_.size() <= piece->index) pieces_.resize(piece->index + 1);
    pieces_[piece->index] = std::move(piece);
    ready_.notify_one();
  }
  // Piece `index` once parsed; nullptr once the workers are done without it.
  std::unique_ptr<ParsedPiece> take(std::uint32_t index) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return workers_done_ || (index < pieces_.size() && pieces_[index]); });
    return index < pieces_.size() ? std::move(pieces_[index]) : nullptr;
  }
  void workers_done() {
    const std::lock_guard lock(mutex_);
    workers_done_ = true;
    ready_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::unique_ptr<ParsedPiece>> pieces_;
  bool workers_done_ = false;
};

// Merges pieces in file order into the Dataset. Once a file turns out not
// to be grouped by user, and `bands` is given, the ratings go into bands of
// users instead (user_bands.hpp), the ones merged so far first.
class PieceMerger {
 public:
  PieceMerger(RatingsLoad& load, unsigned workers, std::uint64_t lines_before, UserBands* bands)
      : load_(load), indices_(workers), lines_before_(lines_before), bands_(bands) {}

  // Whether the ratings went into the bands.
  bool by_band() const { return by_band_; }

  // Gives the piece's new names their indices and appends its ratings
  // (freeing the piece's); raises its error at its line in the file.
  void merge(ParsedPiece& piece, const PieceSource& source) {
    Indices& indices = indices_[piece.worker];
    place_names(piece, indices);
    if (piece.error) rethrow_in_file(piece.error);
    if (!by_band_) {
      append_in_file_order(piece, indices, source);
    } else {
      for (const Rating& r : piece.ratings)
        bands_->add(Rating{indices.users[r.user], indices.items[r.item], r.value});
      merged_ = bands_->size();
    }
    buffers_.give(std::move(piece.ratings));
    lines_before_ += piece.lines;
    load_.rows_read += piece.rows;
    load_.report_progress(piece.end_offset, merged_);
  }

 private:
  // Dataset indices of a worker's ids (kNoIndex until the merge meets them).
  static constexpr std::uint32_t kNoIndex = 0xFFFFFFFFu;
  struct Indices {
    std::vector<std::uint32_t> users, items;
  };

  // Appends the piece while the file is grouped by user (users, numbered in
  // order of appearance, never go back). At the first rating that breaks
  // that, with bands to go to, moves the ratings merged so far there and
  // leaves the rest of the piece to them.
  void append_in_file_order(const ParsedPiece& piece, const Indices& indices, const PieceSource& source) {
    std::vector<Rating>& ratings = load_.data.ratings;
    if (piece.index == 0) reserve_for(source, piece);
    load_.lines.append(piece.rating_lines, ratings.size(), lines_before_);
    std::uint32_t last_user = ratings.empty() ? 0 : ratings.back().user;
    for (std::size_t i = 0; i < piece.ratings.size(); ++i) {
      const Rating& r = piece.ratings[i];
      const Rating merged{indices.users[r.user], indices.items[r.item], r.value};
      if (merged.user < last_user && bands_) return switch_to_bands(piece, indices, i);
      last_user = merged.user;
      ratings.push_back(merged);
    }
    merged_ = ratings.size();
  }

  void switch_to_bands(const ParsedPiece& piece, const Indices& indices, std::size_t from) {
    for (const Rating& r : load_.data.ratings) bands_->add(r);
    std::vector<Rating>().swap(load_.data.ratings);
    for (std::size_t i = from; i < piece.ratings.size(); ++i) {
      const Rating& r = piece.ratings[i];
      bands_->add(Rating{indices.users[r.user], indices.items[r.item], r.value});
    }
    merged_ = bands_->size();
    by_band_ = true;
    load_.file_order_lost = true;
  }

  // Gives the worker ids the piece's ratings use their Dataset indices, in
  // the order of the ratings: user, then item, row after row. A worker id
  // the merge has not met is one the worker met first in this piece (the
  // merge has been through the worker's earlier pieces), so the piece has
  // its name.
  void place_names(const ParsedPiece& piece, Indices& indices) {
    indices.users.resize(piece.new_users.end_id(), kNoIndex);
    indices.items.resize(piece.new_items.end_id(), kNoIndex);
    IdMap& users = load_.data.users;
    IdMap& items = load_.data.items;
    for (const Rating& r : piece.ratings) {
      if (indices.users[r.user] == kNoIndex) indices.users[r.user] = users.intern(piece.new_users.name(r.user));
      if (indices.items[r.item] == kNoIndex) indices.items[r.item] = items.intern(piece.new_items.name(r.item));
    }
  }

  // Room for the ratings of a file at the rate of its first piece (plus a
  // margin), so that the Dataset does not grow by doubling, whose copy would
  // briefly hold up to twice the ratings. Pages reserved but never written
  // cost no memory. Nothing for a pipe, whose size is unknown.
  void reserve_for(const PieceSource& source, const ParsedPiece& first) {
    const std::uint64_t size = source.size_hint(), read = first.end_offset;
    if (!source.seekable() || read == 0 || read >= size || first.ratings.empty()) return;
    const double per_byte = static_cast<double>(first.ratings.size()) / static_cast<double>(read);
    const auto estimate = static_cast<std::uint64_t>(static_cast<double>(size) * per_byte * 1.1) + 1024;
    // A row holds at least "u,i,1" and a line end: no more rows than that.
    load_.data.ratings.reserve(load_.data.ratings.size() + std::min(estimate, size / 6 + 1));
  }

  [[noreturn]] void rethrow_in_file(const std::exception_ptr& error) const {
    try {
      std::rethrow_exception(error);
    } catch (const Error& e) {
      if (!e.where() || e.where()->line == 0) throw;
      throw Error(e.kind(), e.message(), Location{e.where()->file, lines_before_ + e.where()->line, e.where()->column});
    }
  }

  RatingsLoad& load_;
  std::vector<Indices> indices_;  // by worker
  std::uint64_t lines_before_;
  UserBands* bands_;
  bool by_band_ = false;
  std::uint64_t merged_ = 0;  // ratings merged

 public:
  RatingBuffers buffers_;  // the merged pieces' vectors, for the parsers to reuse
};

unsigned thread_count(const ReadOptions& options) {
  return options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

void parse_and_merge_on_one_thread(const LongRowRules& rules, PieceSource& source, std::vector<WorkerNames>& names,
                                   PieceMerger& merger) {
  PieceParser parser(rules, names[0], 0, merger.buffers_);
  for (Piece piece; source.next(piece);) merger.merge(*parser.parse(piece), source);
}

// Parses every piece on names.size() worker threads while the calling
// thread merges them in order.
void parse_and_merge(const LongRowRules& rules, PieceSource& source, std::vector<WorkerNames>& names,
                     PieceMerger& merger) {
  if (names.size() == 1) return parse_and_merge_on_one_thread(rules, source, names, merger);
  ParsedPieces parsed;
  std::exception_ptr read_error;  // a read error or no memory: raised once the merge runs out of pieces
  std::mutex read_error_mutex;
  auto work = [&](unsigned worker) {
    try {
      PieceParser parser(rules, names[worker], worker, merger.buffers_);
      for (Piece piece; source.next(piece);) {
        auto p = parser.parse(piece);
        if (p->error) source.stop_after(p->index);
        parsed.put(std::move(p));
      }
    } catch (...) {
      source.stop_after(0);
      const std::lock_guard lock(read_error_mutex);
      if (!read_error) read_error = std::current_exception();
    }
  };
  // The workers, then a note to the merge that no more pieces come.
  std::thread pool([&] {
    std::vector<std::thread> workers;
    for (unsigned w = 1; w < names.size(); ++w) workers.emplace_back(work, w);
    work(0);
    for (auto& w : workers) w.join();
    parsed.workers_done();
  });
  struct Join {
    PieceSource& source;
    std::thread& pool;
    ~Join() {
      source.stop_after(0);  // after an error in the merge: no more pieces
      pool.join();
    }
  } join{source, pool};
  for (std::uint32_t index = 0;; ++index) {
    const auto piece = parsed.take(index);
    if (!piece) break;
    merger.merge(*piece, source);
  }
  if (read_error) std::rethrow_exception(read_error);
}

}  // namespace

void load_long(RatingsLoad& load, const LongShape& shape) {
  const LongRowRules rules(load, shape);
  read_first_rows(load, rules);
  PieceSource source(take_rest(load.rows), load.options.piece_bytes);
  std::vector<WorkerNames> names(thread_count(load.options));
  // A file can be read again for the lines of a duplicate pair, so it need
  // not keep the file order; a pipe must.
  UserBands bands;
  const bool may_use_bands = source.seekable() && !load.keep_file_order;
  PieceMerger merger(load, static_cast<unsigned>(names.size()), source.lines_before(), may_use_bands ? &bands : nullptr);
  parse_and_merge(rules, source, names, merger);
  if (merger.by_band()) bands.move_grouped_by_user(load.data.ratings);
}

}  // namespace mfrec::detail
