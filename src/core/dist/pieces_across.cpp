#include "dist/pieces_across.hpp"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "dist/agreement.hpp"
#include "dist/reader_wire.hpp"
#include "io/long_pipeline.hpp"

namespace mfrec::dist {

namespace {

// Where rank r's share of `count` pieces starts; it ends where rank r + 1's starts.
std::uint32_t share_start(std::uint32_t count, int rank, int ranks) {
  return static_cast<std::uint32_t>(std::uint64_t{count} * static_cast<std::uint64_t>(rank) /
                                    static_cast<std::uint64_t>(ranks));
}

int owner_of(std::uint32_t piece, std::uint32_t count, int ranks) {
  int owner = 0;
  while (share_start(count, owner + 1, ranks) <= piece) ++owner;
  return owner;
}

// This rank's share of the pieces, parsed on threads of its own while the
// calling thread merges every rank's pieces, as read_ratings parses while
// it merges: each piece is kept until its turn. After a piece with an
// error the parse stops; later pieces are never asked for, since the merge
// stops at that error.
class ShareInParse final : public detail::PieceSink {
 public:
  ShareInParse(const detail::LongRowRules& rules, detail::PieceSource& source, unsigned threads)
      : source_(source), thread_([this, &rules, threads] { parse(rules, threads); }) {}
  // An early end (an error in the merge) stops the parse.
  ~ShareInParse() {
    source_.stop_after(0);
    thread_.join();
  }

  void take(detail::ParsedPiece& piece, const detail::PieceSource&) override {
    const std::lock_guard lock(mutex_);
    parsed_[piece.index] = std::make_unique<detail::ParsedPiece>(std::move(piece));
    changed_.notify_all();
  }

  // Piece `index` once parsed, handed over; throws what the parse threw
  // instead, or Error(Internal) when the parse ended without it.
  std::unique_ptr<detail::ParsedPiece> hand_over(std::uint32_t index) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ended_ || parsed_.contains(index); });
    if (const auto found = parsed_.find(index); found != parsed_.end()) {
      auto piece = std::move(found->second);
      parsed_.erase(found);
      return piece;
    }
    if (failure_) std::rethrow_exception(failure_);
    throw Error(ErrorKind::Internal, "piece " + std::to_string(index) + " was not parsed");
  }

 private:
  void parse(const detail::LongRowRules& rules, unsigned threads) {
    std::exception_ptr failure;
    try {
      detail::parse_pieces(rules, source_, threads, *this);
    } catch (...) {
      failure = std::current_exception();
    }
    const std::lock_guard lock(mutex_);
    failure_ = failure;
    ended_ = true;
    changed_.notify_all();
  }

  detail::PieceSource& source_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint32_t, std::unique_ptr<detail::ParsedPiece>> parsed_;
  bool ended_ = false;
  std::exception_ptr failure_;
  std::thread thread_;  // last: starts once the rest is ready
};

// Piece `index` from its owner into every rank's `bytes`; the owner's own
// copy into `own`. An owner that cannot send it (its parse failed) says so
// with the size, and every rank throws its failure.
void broadcast_piece(const Cluster& ranks, int owner, std::uint32_t index, ShareInParse& mine,
                     std::unique_ptr<detail::ParsedPiece>& own, std::vector<std::byte>& bytes) {
  constexpr std::uint64_t kNoPiece = ~std::uint64_t{0};
  std::uint64_t size = kNoPiece;
  std::exception_ptr failure;
  if (ranks.rank() == owner) {
    try {
      own = mine.hand_over(index);
      ByteWriter out;
      put_piece(out, *own);
      bytes = std::move(out.bytes());
      size = bytes.size();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  ranks.broadcast(owner, std::as_writable_bytes(std::span(&size, 1)));
  if (size == kNoPiece) agree(ranks, failure);
  bytes.resize(size);
  ranks.broadcast(owner, bytes);
}

// Every piece, in file order, into `merger` on every rank; the owner merges
// its own piece as it is, the others the bytes it sent. Worker ids are
// told apart by rank: rank r's worker w is worker r·workers + w.
void merge_in_file_order(const Cluster& ranks, const detail::PieceSource& source, ShareInParse& mine,
                         unsigned workers, detail::PieceSink& merger) {
  const std::uint32_t count = source.piece_count();
  std::vector<std::byte> bytes;
  detail::ParsedPiece received;
  for (std::uint32_t index = 0; index < count; ++index) {
    const int owner = owner_of(index, count, ranks.size());
    std::unique_ptr<detail::ParsedPiece> own;
    broadcast_piece(ranks, owner, index, mine, own, bytes);
    agreed(ranks, [&] {
      detail::ParsedPiece& piece = own ? *own : received;
      if (!own) {
        received.ratings = merger.buffers.take();
        ByteReader in(bytes);
        get_piece(in, received);
      }
      piece.worker += static_cast<unsigned>(owner) * workers;
      merger.take(piece, source);
    });
  }
}

}  // namespace

void load_long_across(const Cluster& ranks, detail::RatingsLoad& load, const detail::LongShape& shape) {
  const detail::LongRowRules rules(load, shape);
  std::optional<detail::PieceSource> source;
  agreed(ranks, [&] {
    detail::read_first_rows(load, rules);
    source.emplace(detail::take_rest(load.rows), load.options.piece_bytes);
    const std::uint32_t count = source->piece_count();
    source->restrict(share_start(count, ranks.rank(), ranks.size()),
                     share_start(count, ranks.rank() + 1, ranks.size()));
  });
  const unsigned threads = detail::thread_count(load.options);
  const auto workers = static_cast<unsigned>(ranks.max(threads));
  agreed(ranks, [&] {
    ShareInParse mine(rules, *source, threads);
    detail::merge_pieces(load, *source, workers * static_cast<unsigned>(ranks.size()),
                         [&](detail::PieceSink& merger) { merge_in_file_order(ranks, *source, mine, workers, merger); });
  });
}

}  // namespace mfrec::dist
