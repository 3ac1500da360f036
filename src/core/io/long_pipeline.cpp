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

#include "io/long_pipeline.hpp"
#include "io/user_bands.hpp"
#include "util/huge_pages.hpp"

namespace mfrec::detail {

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

namespace {

// Pieces parsed by the workers, handed to the sink by index. A
// worker more than `ahead` pieces ahead of the merge waits, so that parsed
// pieces never pile up (each holds its ratings until merged). The worker
// with the piece the merge waits for never waits: workers take pieces in
// order.
class ParsedPieces {
 public:
  // `first`: the first piece's index.
  ParsedPieces(std::uint32_t ahead, std::uint32_t first) : ahead_(ahead), next_(first) {}

  void put(std::unique_ptr<ParsedPiece> piece) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return piece->index < next_ + ahead_; });
    if (pieces_.size() <= piece->index) pieces_.resize(piece->index + 1);
    pieces_[piece->index] = std::move(piece);
    ready_.notify_one();
  }
  // Piece `index` (the one after the last taken) once parsed; nullptr once
  // the workers are done without it.
  std::unique_ptr<ParsedPiece> take(std::uint32_t index) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return workers_done_ || (index < pieces_.size() && pieces_[index]); });
    if (index >= pieces_.size()) return nullptr;
    next_ = index + 1;
    room_.notify_all();
    return std::move(pieces_[index]);
  }
  void workers_done() {
    const std::lock_guard lock(mutex_);
    workers_done_ = true;
    ready_.notify_one();
  }
  // The merge stops early (an error, or a piece lost to a read error): no
  // worker may wait for it.
  void merge_stopped() {
    const std::lock_guard lock(mutex_);
    next_ = kNoLimit;
    room_.notify_all();
  }

 private:
  static constexpr std::uint32_t kNoLimit = 0x7FFFFFFFu;
  const std::uint32_t ahead_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::vector<std::unique_ptr<ParsedPiece>> pieces_;
  std::uint32_t next_;  // the next piece the merge takes
  bool workers_done_ = false;
};

// Merges pieces in file order into the Dataset. Once a file turns out not
// to be grouped by user, and `bands` is given, the ratings go into bands of
// users instead (user_bands.hpp), the ones merged so far first.
class PieceMerger final : public PieceSink {
 public:
  // The first rows are in load.data.ratings already.
  PieceMerger(RatingsLoad& load, unsigned workers, std::uint64_t lines_before, UserBands* bands)
      : load_(load), indices_(workers), lines_before_(lines_before), bands_(bands) {
    const std::vector<Rating>& first = load_.data.ratings;
    merged_ = first.size();
    last_user_ = first.empty() ? 0 : first.back().user;
    for (std::size_t i = 1; i < first.size() && bands_ && !by_band_; ++i)
      if (first[i].user < first[i - 1].user) switch_to_bands();
  }

  // Whether the ratings went into the bands.
  bool by_band() const { return by_band_; }

  // Gives the piece's new names their indices and appends its ratings
  // (handing the piece's vector back for reuse); raises its error at its
  // line in the file.
  void take(ParsedPiece& piece, const PieceSource& source) override {
    const std::size_t descent = renumber(piece, indices_[piece.worker]);
    if (piece.error) rethrow_in_file(piece.error);
    const Rating* begin = piece.ratings.data();
    const Rating* end = begin + piece.ratings.size();
    if (!by_band_) {
      if (piece.index == 0) reserve_for(source, piece);
      load_.lines.append(piece.rating_lines, load_.data.ratings.size(), lines_before_);
      const Rating* grouped_end = bands_ ? begin + std::min(descent, piece.ratings.size()) : end;
      load_.data.ratings.insert(load_.data.ratings.end(), begin, grouped_end);
      if (grouped_end != end) switch_to_bands();
      begin = grouped_end;
    }
    if (by_band_)
      for (const Rating* r = begin; r != end; ++r) bands_->add(*r);
    merged_ += piece.ratings.size();
    buffers.give(std::move(piece.ratings));
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

  // Rewrites the piece's ratings with Dataset indices, giving the names
  // the Dataset has not met theirs in the order of the ratings: user, then
  // item, row after row. A worker id the merge has not met is one the
  // worker met first in this piece (the merge has been through the
  // worker's earlier pieces), so the piece has its name. Returns the first
  // rating whose user comes before the one of the rating merged before it
  // (a file not grouped by user), or npos.
  std::size_t renumber(ParsedPiece& piece, Indices& indices) {
    if (piece.new_users.forgot_earlier) indices.users.clear();
    if (piece.new_items.forgot_earlier) indices.items.clear();
    indices.users.resize(piece.new_users.end_id(), kNoIndex);
    indices.items.resize(piece.new_items.end_id(), kNoIndex);
    IdMap& users = load_.data.users;
    IdMap& items = load_.data.items;
    std::size_t descent = std::string::npos;
    for (std::size_t i = 0; i < piece.ratings.size(); ++i) {
      Rating& r = piece.ratings[i];
      std::uint32_t& user = indices.users[r.user];
      if (user == kNoIndex) user = users.intern(piece.new_users.name(r.user));
      std::uint32_t& item = indices.items[r.item];
      if (item == kNoIndex) item = items.intern(piece.new_items.name(r.item));
      r.user = user;
      r.item = item;
      if (user < last_user_ && descent == std::string::npos) descent = i;
      last_user_ = user;
    }
    return descent;
  }

  // The file is not grouped by user: from now on the ratings go to the
  // bands, those merged so far first.
  void switch_to_bands() {
    for (const Rating& r : load_.data.ratings) bands_->add(r);
    std::vector<Rating>().swap(load_.data.ratings);
    by_band_ = true;
    load_.file_order_lost = true;
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
    std::vector<Rating>& ratings = load_.data.ratings;
    const std::size_t capacity = ratings.size() + std::min(estimate, size / 6 + 1);
    ratings.reserve(capacity);
    advise_huge_pages(ratings.data() + ratings.size(), (capacity - ratings.size()) * sizeof(Rating));
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
  std::uint32_t last_user_ = 0;  // of the last rating merged
  std::uint64_t merged_ = 0;     // ratings merged
};

void parse_on_one_thread(const LongRowRules& rules, PieceSource& source, std::vector<WorkerNames>& names,
                         PieceSink& sink) {
  PieceParser parser(rules, names[0], 0, sink.buffers);
  for (Piece piece; source.next(piece);) {
    auto p = parser.parse(piece);
    if (p->error) source.stop_after(p->index);
    sink.take(*p, source);
  }
}

// Parses every piece on names.size() worker threads while the calling
// thread hands them to the sink in order.
void parse_in_parallel(const LongRowRules& rules, PieceSource& source, std::vector<WorkerNames>& names,
                       PieceSink& sink) {
  ParsedPieces parsed(static_cast<std::uint32_t>(names.size()) + 1, source.first_index());
  std::exception_ptr read_error;  // a read error or no memory: raised once the merge runs out of pieces
  std::mutex read_error_mutex;
  auto work = [&](unsigned worker) {
    try {
      PieceParser parser(rules, names[worker], worker, sink.buffers);
      for (Piece piece; source.next(piece);) {
        auto p = parser.parse(piece);
        if (p->error) source.stop_after(p->index);
        parsed.put(std::move(p));
      }
    } catch (...) {
      source.stop_after(0);
      parsed.merge_stopped();  // the merge stops at the piece this worker lost: none may wait for it
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
    ParsedPieces& parsed;
    std::thread& pool;
    ~Join() {
      source.stop_after(0);  // after an error in the merge: no more pieces
      parsed.merge_stopped();
      pool.join();
    }
  } join{source, parsed, pool};
  for (std::uint32_t index = source.first_index();; ++index) {
    const auto piece = parsed.take(index);
    if (!piece) break;
    sink.take(*piece, source);
  }
  if (read_error) std::rethrow_exception(read_error);
}

}  // namespace

unsigned thread_count(const ReadOptions& options) {
  return options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

// The workers' name tables live as long as the parse: they are gone before
// the merged ratings are copied once more.
void parse_pieces(const LongRowRules& rules, PieceSource& source, unsigned threads, PieceSink& sink) {
  std::vector<WorkerNames> names(threads);
  if (threads == 1) return parse_on_one_thread(rules, source, names, sink);
  parse_in_parallel(rules, source, names, sink);
}

void merge_pieces(RatingsLoad& load, const PieceSource& source, unsigned workers,
                  const std::function<void(PieceSink& merger)>& feed) {
  // A file can be read again for the lines of a duplicate pair, so it need
  // not keep the file order; a pipe must.
  UserBands bands;
  const bool may_use_bands = source.seekable() && !load.keep_file_order;
  PieceMerger merger(load, workers, source.lines_before(), may_use_bands ? &bands : nullptr);
  feed(merger);
  merger.buffers.clear();
  if (merger.by_band()) bands.move_grouped_by_user(load.data.ratings);
}

void load_long(RatingsLoad& load, const LongShape& shape) {
  const LongRowRules rules(load, shape);
  read_first_rows(load, rules);
  PieceSource source(take_rest(load.rows), load.options.piece_bytes);
  const unsigned threads = thread_count(load.options);
  merge_pieces(load, source, threads, [&](PieceSink& merger) { parse_pieces(rules, source, threads, merger); });
}

}  // namespace mfrec::detail
