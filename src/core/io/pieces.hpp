#pragma once
// Cuts the rest of an input (InputRest) into pieces of whole lines that
// worker threads parse at once. A regular file is cut at fixed offsets
// (rest.offset + k × piece size): piece k holds the lines that start in its
// range, so its bytes depend on the file alone, and workers pread their
// pieces in parallel. A pipe, a terminal or text in memory is read in order
// under a lock, each piece filled to the piece size and cut after its last
// whole line. Pieces are numbered in file order from 0.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "io/line_source.hpp"

namespace mfrec::detail {

inline constexpr std::size_t kDefaultPieceBytes = std::size_t{4} << 20;

struct Piece {
  std::uint32_t index = 0;
  // Whole lines; the last one lacks its '\n' only at the end of the input,
  // or when it is longer than kMaxLineBytes (the parser refuses it).
  std::string text;
  std::uint64_t end_offset = 0;  // input offset where the piece ends, for progress
};

class PieceSource {
 public:
  // `piece_bytes` 0: kDefaultPieceBytes.
  PieceSource(InputRest rest, std::size_t piece_bytes);
  ~PieceSource();
  PieceSource(const PieceSource&) = delete;
  PieceSource& operator=(const PieceSource&) = delete;

  // Fills `piece` (its buffer reused) with the next piece in file order;
  // false when none is left, or none past stop_after(). Thread-safe.
  // Throws Error(Io) when reading fails.
  bool next(Piece& piece);
  // No piece with a higher index is handed out from now on.
  void stop_after(std::uint32_t index);

  // A regular file's pieces: how many the rest makes; then only pieces
  // [first, end) are handed out (each rank of a run reads its own share;
  // dist/read_across.cpp). Call restrict() before next().
  std::uint32_t piece_count() const;
  void restrict(std::uint32_t first, std::uint32_t end);
  // The first piece handed out: 0 unless restricted.
  std::uint32_t first_index() const { return first_index_; }

  const std::string& name() const { return rest_.name; }
  std::uint64_t size_hint() const { return rest_.size; }
  // Input lines before the first piece (the rows read before the pieces).
  std::uint64_t lines_before() const { return rest_.lines; }
  bool seekable() const { return rest_.seekable; }

 private:
  bool next_from_file(Piece& piece, std::uint64_t index);
  bool next_from_stream(Piece& piece);
  void pread_all(std::string& into, std::uint64_t from, std::uint64_t to) const;
  std::uint64_t read_some(std::string& into, std::size_t want);

  InputRest rest_;
  std::size_t piece_bytes_;
  std::atomic<std::uint64_t> next_index_{0};
  std::atomic<std::uint64_t> last_index_{~std::uint64_t{0}};
  std::uint32_t first_index_ = 0;
  // Streams only: the lock, and the bytes read past the last piece's end.
  std::mutex stream_mutex_;
  std::string carry_;
  std::uint64_t carry_offset_ = 0;
};

}  // namespace mfrec::detail
