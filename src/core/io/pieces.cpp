#include "io/pieces.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "mfrec/error.hpp"

namespace mfrec::detail {

namespace {

// How much more a piece reads at a time to finish its last line.
constexpr std::size_t kTailBytes = std::size_t{64} << 10;

}  // namespace

PieceSource::PieceSource(InputRest rest, std::size_t piece_bytes)
    : rest_(std::move(rest)), piece_bytes_(piece_bytes ? piece_bytes : kDefaultPieceBytes) {
  if (rest_.seekable) {
    rest_.buffered.clear();  // preads read it again, in place
    rest_.buffered.shrink_to_fit();
  } else {
    carry_ = std::move(rest_.buffered);
    carry_offset_ = rest_.offset;
  }
}

PieceSource::~PieceSource() {
  if (rest_.owned && rest_.fd >= 0) ::close(rest_.fd);
}

void PieceSource::stop_after(std::uint32_t index) {
  std::uint64_t last = last_index_.load(std::memory_order_relaxed);
  while (index < last && !last_index_.compare_exchange_weak(last, index, std::memory_order_relaxed)) {
  }
}

std::uint32_t PieceSource::piece_count() const {
  if (!rest_.seekable || rest_.size <= rest_.offset) return 0;
  return static_cast<std::uint32_t>((rest_.size - rest_.offset + piece_bytes_ - 1) / piece_bytes_);
}

// An empty range starts past its last index, so that next() hands out none.
void PieceSource::restrict(std::uint32_t first, std::uint32_t end) {
  const std::uint64_t last = end == 0 ? 0 : end - 1;
  first_index_ = first;
  last_index_.store(last, std::memory_order_relaxed);
  next_index_.store(end > first ? first : last + 1, std::memory_order_relaxed);
}

bool PieceSource::next(Piece& piece) {
  if (rest_.seekable) {
    const std::uint64_t index = next_index_.fetch_add(1, std::memory_order_relaxed);
    return index <= last_index_.load(std::memory_order_relaxed) && next_from_file(piece, index);
  }
  const std::lock_guard lock(stream_mutex_);
  return next_index_.load(std::memory_order_relaxed) <= last_index_.load(std::memory_order_relaxed) &&
         next_from_stream(piece);
}

// Appends input bytes [from, to) of the file to `into`; fewer at the end of
// the file (a file that shrank since it was opened).
void PieceSource::pread_all(std::string& into, std::uint64_t from, std::uint64_t to) const {
  std::size_t at = into.size();
  into.resize(at + (to - from));
  while (from < to) {
    const ssize_t n = ::pread(rest_.fd, into.data() + at, static_cast<std::size_t>(to - from),
                              static_cast<off_t>(rest_.fd_start + from));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Io, std::string("cannot read: ") + std::strerror(errno), Location{rest_.name, 0, 0});
    }
    from += static_cast<std::uint64_t>(n);
    at += static_cast<std::size_t>(n);
  }
  into.resize(at);
}

// Piece `index` is the lines starting in [begin, end) of the input, with
// begin = rest.offset + index × piece size. A line starts at `begin` when the
// byte before it is a '\n'; a piece in which no line starts is empty.
bool PieceSource::next_from_file(Piece& piece, std::uint64_t index) {
  const std::uint64_t begin = rest_.offset + index * piece_bytes_;
  if (begin >= rest_.size) return false;
  const std::uint64_t end = std::min<std::uint64_t>(begin + piece_bytes_, rest_.size);
  piece.index = static_cast<std::uint32_t>(index);
  piece.end_offset = end;
  piece.text.clear();
  const std::uint64_t from = index == 0 ? begin : begin - 1;
  pread_all(piece.text, from, end);
  std::size_t first = 0;
  if (index > 0) {
    const void* newline = std::memchr(piece.text.data(), '\n', piece.text.size());
    first = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - piece.text.data()) + 1
                    : piece.text.size();
  }
  piece.text.erase(0, first);
  if (piece.text.empty()) return true;
  // The last line runs on past `end`: read on to its '\n', or to the line
  // limit (the parser refuses a line that long).
  const std::size_t last_newline = piece.text.rfind('\n');
  const std::size_t last_start = last_newline == std::string::npos ? 0 : last_newline + 1;
  for (std::uint64_t at = end; piece.text.back() != '\n' && at < rest_.size;) {
    if (piece.text.size() - last_start > kMaxLineBytes) break;
    const std::size_t before = piece.text.size();
    pread_all(piece.text, at, std::min<std::uint64_t>(at + kTailBytes, rest_.size));
    if (piece.text.size() == before) break;
    if (const void* newline = std::memchr(piece.text.data() + before, '\n', piece.text.size() - before))
      piece.text.resize(static_cast<std::size_t>(static_cast<const char*>(newline) - piece.text.data()) + 1);
    at += piece.text.size() - before;
  }
  return true;
}

// Reads up to `want` more bytes from the stream onto `into`; 0 at its end.
std::uint64_t PieceSource::read_some(std::string& into, std::size_t want) {
  if (rest_.ended) return 0;
  const std::size_t at = into.size();
  into.resize(at + want);
  while (true) {
    const ssize_t n = ::read(rest_.fd, into.data() + at, want);
    if (n > 0) {
      into.resize(at + static_cast<std::size_t>(n));
      return static_cast<std::uint64_t>(n);
    }
    if (n < 0 && errno == EINTR) continue;
    into.resize(at);
    if (n < 0) throw Error(ErrorKind::Io, std::string("cannot read: ") + std::strerror(errno), Location{rest_.name, 0, 0});
    rest_.ended = true;
    return 0;
  }
}

// The carried bytes, then reads until the piece size (or the input's end),
// cut after the last '\n' within the piece size (or, for a longer line,
// after the first); the bytes after the cut are carried to the next piece.
bool PieceSource::next_from_stream(Piece& piece) {
  piece.text.swap(carry_);
  carry_.clear();
  while (piece.text.size() < piece_bytes_ && read_some(piece.text, piece_bytes_ - piece.text.size()) > 0) {
  }
  if (piece.text.empty()) return false;
  std::size_t newline = piece.text.rfind('\n', piece_bytes_ - 1);
  // One line longer than the piece: read on to its end (or the line limit).
  for (std::size_t searched = std::min(piece.text.size(), piece_bytes_); newline == std::string::npos;) {
    if (const void* found = std::memchr(piece.text.data() + searched, '\n', piece.text.size() - searched)) {
      newline = static_cast<std::size_t>(static_cast<const char*>(found) - piece.text.data());
      break;
    }
    searched = piece.text.size();
    if (searched > kMaxLineBytes || read_some(piece.text, kTailBytes) == 0) break;
  }
  const std::size_t keep = newline == std::string::npos ? piece.text.size() : newline + 1;
  carry_.assign(piece.text, keep, std::string::npos);
  piece.text.resize(keep);
  piece.index = static_cast<std::uint32_t>(next_index_.fetch_add(1, std::memory_order_relaxed));
  carry_offset_ += keep;
  piece.end_offset = carry_offset_;
  return true;
}

}  // namespace mfrec::detail
