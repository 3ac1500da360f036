#include "dist/pieces_across.hpp"

#include <memory>
#include <optional>
#include <string>

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

// This rank's parsed pieces, kept until their turn in the merge. After a
// piece with an error the parse stops: later pieces are never asked for,
// as the merge stops at that error.
class KeptPieces final : public detail::PieceSink {
 public:
  void take(detail::ParsedPiece& piece, const detail::PieceSource&) override {
    if (pieces_.empty()) first_ = piece.index;
    pieces_.push_back(std::make_unique<detail::ParsedPiece>(std::move(piece)));
  }
  // Piece `index`, handed over; nullptr when it was not parsed.
  std::unique_ptr<detail::ParsedPiece> hand_over(std::uint32_t index) {
    if (index < first_ || index - first_ >= pieces_.size()) return nullptr;
    return std::move(pieces_[index - first_]);
  }

 private:
  std::uint32_t first_ = 0;
  std::vector<std::unique_ptr<detail::ParsedPiece>> pieces_;
};

// Piece `index` from its owner into every rank's `bytes`. An owner that
// cannot send it (it was not parsed: a bug) says so with the size, and
// every rank throws its failure.
void broadcast_piece(const Cluster& ranks, int owner, const detail::ParsedPiece* piece, std::uint32_t index,
                     std::vector<std::byte>& bytes) {
  constexpr std::uint64_t kNoPiece = ~std::uint64_t{0};
  std::uint64_t size = kNoPiece;
  std::exception_ptr failure;
  if (ranks.rank() == owner) {
    try {
      if (!piece) throw Error(ErrorKind::Internal, "piece " + std::to_string(index) + " was not parsed");
      ByteWriter out;
      put_piece(out, *piece);
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
void merge_in_file_order(const Cluster& ranks, const detail::PieceSource& source, KeptPieces& mine,
                         unsigned workers, detail::PieceSink& merger) {
  const std::uint32_t count = source.piece_count();
  std::vector<std::byte> bytes;
  detail::ParsedPiece received;
  for (std::uint32_t index = 0; index < count; ++index) {
    const int owner = owner_of(index, count, ranks.size());
    std::unique_ptr<detail::ParsedPiece> own = owner == ranks.rank() ? mine.hand_over(index) : nullptr;
    broadcast_piece(ranks, owner, own.get(), index, bytes);
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
  const unsigned threads = detail::thread_count(load.options);
  std::optional<detail::PieceSource> source;
  KeptPieces mine;
  agreed(ranks, [&] {
    detail::read_first_rows(load, rules);
    source.emplace(detail::take_rest(load.rows), load.options.piece_bytes);
    const std::uint32_t count = source->piece_count();
    source->restrict(share_start(count, ranks.rank(), ranks.size()),
                     share_start(count, ranks.rank() + 1, ranks.size()));
    detail::parse_pieces(rules, *source, threads, mine);
  });
  const auto workers = static_cast<unsigned>(ranks.max(threads));
  agreed(ranks, [&] {
    detail::merge_pieces(load, *source, workers * static_cast<unsigned>(ranks.size()),
                         [&](detail::PieceSink& merger) { merge_in_file_order(ranks, *source, mine, workers, merger); });
  });
}

}  // namespace mfrec::dist
