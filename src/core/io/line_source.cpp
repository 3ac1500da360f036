#include "io/line_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "mfrec/error.hpp"

namespace mfrec::detail {

namespace {

// Our reads: large enough to amortise the system call, small enough that a
// refill (the buffer, and the kernel's pages it copies from) does not sweep
// the id tables out of the L2 cache; 1 MiB chunks made id lookups miss.
constexpr std::size_t kReadBytes = std::size_t{64} << 10;

[[noreturn]] void throw_read_error(const std::string& name) {
  throw Error(ErrorKind::Io, std::string("cannot read: ") + std::strerror(errno), Location{name, 0, 0});
}

}  // namespace

struct LineSource::Impl {
  std::string name;
  int fd = -1;
  bool owned = false;
  bool seekable = false;       // a regular file
  std::uint64_t fd_start = 0;  // the descriptor's offset at open = input byte 0
  std::uint64_t size = 0;      // size_hint()

  std::string buf;         // input bytes [base, base + end)
  std::uint64_t base = 0;  // input offset of buf[0]
  std::size_t begin = 0;   // where the next line starts in buf
  std::size_t end = 0;
  bool eof = false;
  std::uint64_t line = 0;

  ~Impl() {
    if (owned && fd >= 0) ::close(fd);
  }

  std::uint64_t offset() const { return base + begin; }

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
      end += static_cast<std::size_t>(n);
    }
  }

  void start() {
    fill(kReadBytes);
    if (end >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) begin = 3;
  }

  char* next(std::size_t& length) {
    if (begin == end) {
      fill(base + end + kReadBytes);
      if (begin == end) return nullptr;
    }
    std::size_t searched = 0;  // bytes after `begin` known to hold no newline
    const char* newline = nullptr;
    while (true) {
      const std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(end - begin, kMaxLineBytes));
      newline = static_cast<const char*>(std::memchr(buf.data() + begin + searched, '\n', window - searched));
      if (newline || eof || end - begin >= kMaxLineBytes) break;
      searched = window;
      fill(std::min(base + end + std::max<std::uint64_t>(kReadBytes, end - begin), offset() + kMaxLineBytes));
    }
    if (!newline && end - begin >= kMaxLineBytes) {
      throw Error(ErrorKind::Data, "line longer than the reader's limit of 16 MiB", Location{name, line + 1, 0});
    }
    char* p = buf.data() + begin;
    length = newline ? static_cast<std::size_t>(newline - p) : end - begin;
    if (const void* nul = std::memchr(p, 0, length)) {
      const auto column = static_cast<std::uint64_t>(static_cast<const char*>(nul) - p) + 1;
      throw Error(ErrorKind::Data, "NUL byte in text input (is this a binary file?)", Location{name, line + 1, column});
    }
    ++line;
    begin += length + (newline ? 1 : 0);
    if (length > 0 && p[length - 1] == '\r') --length;
    return p;
  }

  InputRest take_rest() {
    InputRest rest;
    rest.name = name;
    rest.buffered.assign(buf.data() + begin, end - begin);
    rest.offset = offset();
    rest.lines = line;
    rest.fd = fd;
    rest.owned = owned;
    rest.ended = eof || fd < 0;
    rest.seekable = seekable;
    rest.fd_start = fd_start;
    rest.size = size;
    owned = false;
    fd = -1;
    eof = true;
    begin = end = 0;
    return rest;
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
      impl->seekable = true;
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
  impl->start();
  return LineSource(std::move(impl));
}

char* LineSource::next(std::size_t& length) { return impl_->next(length); }
std::uint64_t LineSource::line() const { return impl_->line; }
std::uint64_t LineSource::position() const { return impl_->offset(); }
std::uint64_t LineSource::size_hint() const { return impl_->size; }
const std::string& LineSource::name() const { return impl_->name; }
InputRest LineSource::take_rest() { return impl_->take_rest(); }

}  // namespace mfrec::detail
