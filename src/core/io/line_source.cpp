#include "io/line_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "mfrec/error.hpp"

namespace mfrec::detail {

namespace {

// LineReader's block: lines must be shorter, and it read two blocks ahead.
constexpr std::uint64_t kBlock = std::uint64_t{1} << 24;
// Our own reads: large enough to amortise the system call, small enough that
// a refill (the buffer, and the kernel's pages it copies from) does not sweep
// the id tables out of the L2 cache; 1 MiB chunks made id lookups miss.
constexpr std::size_t kReadBytes = std::size_t{64} << 10;
constexpr std::uint64_t kNoNul = std::numeric_limits<std::uint64_t>::max();

// How far LineReader had read, and so checked for NUL bytes, when it handed
// out a line starting at input byte `offset`: two blocks at open, then one
// more each time the start of a line crossed a block boundary.
std::uint64_t lookahead_end(std::uint64_t offset) { return (offset / kBlock + 2) * kBlock; }

[[noreturn]] void throw_read_error(const std::string& name) {
  throw Error(ErrorKind::Io, std::string("cannot read: ") + std::strerror(errno), Location{name, 0, 0});
}

}  // namespace

struct LineSource::Impl {
  std::string name;
  int fd = -1;
  bool owned = false;
  // A regular file: scanned for NUL bytes at open, then read in small chunks.
  // Anything else that is not text in memory (a pipe, a terminal) is read
  // ahead as far as LineReader did.
  bool prescanned = false;
  std::uint64_t fd_start = 0;  // the descriptor's offset at open = input byte 0
  std::uint64_t size = 0;      // size_hint()

  std::string buf;         // input bytes [base, base + end)
  std::uint64_t base = 0;  // input offset of buf[0]
  std::size_t begin = 0;   // where the next line starts in buf
  std::size_t end = 0;
  bool eof = false;
  std::uint64_t nul_at = kNoNul;  // input offset of the first NUL byte known
  std::uint64_t line = 0;

  ~Impl() {
    if (owned && fd >= 0) ::close(fd);
  }

  std::uint64_t offset() const { return base + begin; }

  void note_nuls(std::size_t from, std::size_t to) {
    if (nul_at != kNoNul || from == to) return;
    if (const void* p = std::memchr(buf.data() + from, 0, to - from))
      nul_at = base + static_cast<std::uint64_t>(static_cast<const char*>(p) - buf.data());
  }

  // Reads until input byte `target` is buffered or the input ends, moving the
  // unread bytes to the front and growing the buffer as needed.
  void fill(std::uint64_t target) {
    if (eof || fd < 0) {
      eof = true;
      return;
    }
    if (begin > 0 && base + buf.size() < target) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      base += begin;
      end -= begin;
      begin = 0;
    }
    if (base + buf.size() < target) buf.resize(std::max<std::size_t>(target - base, 2 * buf.size()));
    while (base + end < target) {
      const ssize_t n = ::read(fd, buf.data() + end, buf.size() - end);
      if (n == 0) {
        eof = true;
        break;
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_read_error(name);
      }
      note_nuls(end, end + static_cast<std::size_t>(n));
      end += static_cast<std::size_t>(n);
    }
  }

  // Scans the whole regular file for its first NUL byte, without keeping it.
  void prescan() {
    std::string chunk(kReadBytes, '\0');
    for (std::uint64_t at = 0;;) {
      const ssize_t n = ::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(fd_start + at));
      if (n == 0) return;
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_read_error(name);
      }
      if (const void* p = std::memchr(chunk.data(), 0, static_cast<std::size_t>(n))) {
        nul_at = at + static_cast<std::uint64_t>(static_cast<const char*>(p) - chunk.data());
        return;
      }
      at += static_cast<std::uint64_t>(n);
    }
  }

  // Counts lines and columns from the start of the next line up to the NUL.
  [[noreturn]] void throw_nul() {
    std::uint64_t lines = line, column = 0;
    auto count = [&](const char* p, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        if (p[i] == '\n') {
          ++lines;
          column = 0;
        } else {
          ++column;
        }
      }
    };
    if (nul_at <= base + end) {
      count(buf.data() + begin, static_cast<std::size_t>(nul_at - offset()));
    } else {  // a prescanned file: the bytes are on disk, not in the buffer
      std::string chunk(kReadBytes, '\0');
      for (std::uint64_t at = offset(); at < nul_at;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), nul_at - at));
        const ssize_t n = ::pread(fd, chunk.data(), want, static_cast<off_t>(fd_start + at));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_read_error(name);
        count(chunk.data(), static_cast<std::size_t>(n));
        at += static_cast<std::uint64_t>(n);
      }
    }
    throw Error(ErrorKind::Data, "NUL byte in text input (is this a binary file?)", Location{name, lines + 1, column + 1});
  }

  void check_nul() {
    if (nul_at < lookahead_end(offset())) throw_nul();
  }

  // What LineReader did at open: read (or here, scan) two blocks, skip a BOM.
  void start() {
    if (prescanned) {
      prescan();
      fill(kReadBytes);
    } else {
      fill(2 * kBlock);
    }
    if (end >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) begin = 3;
    check_nul();
  }

  char* next(std::size_t& length) {
    if (begin == end) {
      fill(base + end + kReadBytes);
      if (begin == end) return nullptr;
    }
    if (!prescanned) fill(lookahead_end(offset()));
    check_nul();
    std::size_t searched = 0;  // bytes after `begin` known to hold no newline
    const char* newline = nullptr;
    while (true) {
      const std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(end - begin, kBlock));
      newline = static_cast<const char*>(std::memchr(buf.data() + begin + searched, '\n', window - searched));
      if (newline || eof || end - begin >= kBlock) break;
      searched = window;
      fill(std::min(base + end + std::max<std::uint64_t>(kReadBytes, end - begin), offset() + kBlock));
      check_nul();  // only a file that changed since open can get here
    }
    if (!newline && end - begin >= kBlock) {
      throw Error(ErrorKind::Data, "line longer than the reader's limit of 16 MiB", Location{name, line + 1, 0});
    }
    ++line;
    char* p = buf.data() + begin;
    length = newline ? static_cast<std::size_t>(newline - p) : end - begin;
    begin += length + (newline ? 1 : 0);
    if (length > 0 && p[length - 1] == '\r') --length;
    return p;
  }
};

LineSource::LineSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LineSource::LineSource(LineSource&&) noexcept = default;
LineSource& LineSource::operator=(LineSource&&) noexcept = default;
LineSource::~LineSource() = default;

LineSource LineSource::from_fd(int fd, bool owned, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->fd = fd;
  impl->owned = owned;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    const off_t at = ::lseek(fd, 0, SEEK_CUR);
    if (at >= 0) {
      impl->prescanned = true;
      impl->fd_start = static_cast<std::uint64_t>(at);
      impl->size = st.st_size > at ? static_cast<std::uint64_t>(st.st_size - at) : 0;
    }
  }
  impl->start();
  return LineSource(std::move(impl));
}

LineSource LineSource::from_text(std::string text, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->size = text.size();
  impl->buf = std::move(text);
  impl->end = impl->buf.size();
  impl->note_nuls(0, impl->end);
  impl->start();
  return LineSource(std::move(impl));
}

char* LineSource::next(std::size_t& length) { return impl_->next(length); }
std::uint64_t LineSource::line() const { return impl_->line; }
std::uint64_t LineSource::position() const { return impl_->offset(); }
std::uint64_t LineSource::size_hint() const { return impl_->size; }
const std::string& LineSource::name() const { return impl_->name; }

}  // namespace mfrec::detail
