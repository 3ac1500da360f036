#pragma once
// Splits a file, a pipe or a string into lines for CsvRowReader, with the
// line rules of fast-cpp-csv-parser's LineReader, which the long layout's
// pieces keep too (and the tests pin): lines end at '\n', one '\r' before it
// is dropped, a UTF-8 BOM at the start is skipped, a line of 16 MiB or more
// is refused, and a line holding a NUL byte is refused naming its line and
// column (BOM not counted), when that line is reached.
// Hand-written rather than LineReader because LineReader allocates 48 MiB
// per reader and gives no way to hand the rest of the input over to the
// pieces (take_rest). Not thread-safe; move-only.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mfrec::detail {

// The lines longer than this (without their end) are refused.
inline constexpr std::uint64_t kMaxLineBytes = std::uint64_t{1} << 24;

// What is left of an input once some lines have been read from it.
struct InputRest {
  std::string name;
  std::string buffered;     // bytes read and not yet handed out as lines
  std::uint64_t offset = 0;  // input offset of buffered[0]
  std::uint64_t lines = 0;   // lines handed out before it
  // The rest of the input, unless it ended: a descriptor, closed by the
  // taker when `owned`. A regular file (`seekable`) may be read with pread
  // at fd_start + input offset, up to input offset `size`.
  int fd = -1;
  bool owned = false;
  bool ended = false;
  bool seekable = false;
  std::uint64_t fd_start = 0;
  std::uint64_t size = 0;
};

class LineSource {
 public:
  // Reads `fd` (closed at the end when `owned`); `name` is for errors.
  // Throws Error(Io) on a read error.
  static LineSource from_fd(int fd, bool owned, std::string name);
  static LineSource from_text(std::string text, std::string name);

  LineSource(LineSource&&) noexcept;
  LineSource& operator=(LineSource&&) noexcept;
  ~LineSource();

  // The next line without its end; writable in place, valid until the next
  // call. nullptr at the end of input.
  char* next(std::size_t& length);
  // The number of the line last returned (1-based).
  std::uint64_t line() const;
  // Input bytes up to the end of the line last returned.
  std::uint64_t position() const;
  // The input's size in bytes when known up front (files, text), else 0.
  std::uint64_t size_hint() const;
  const std::string& name() const;
  // The input after the last line returned; the source is then empty.
  InputRest take_rest();

 private:
  struct Impl;
  explicit LineSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfrec::detail
