#pragma once
// Splits a file, a pipe or a string into lines for CsvRowReader, with the
// rules of fast-cpp-csv-parser's LineReader, which it replaces (and which the
// tests pin): lines end at '\n', one '\r' before it is dropped, a UTF-8 BOM at
// the start is skipped, a line of 16 MiB or more is refused, and a NUL byte is
// refused naming its line and column (BOM not counted).
//
// LineReader read 32 MiB ahead of the line it handed out and refused a NUL as
// soon as it read one, so a NUL up to 32 MiB past a bad row was reported
// instead of that row. To keep that order of errors without holding 32 MiB,
// a regular file is scanned for NUL bytes once at open (pread, small chunks)
// and the NUL is reported when LineReader would have read it; a pipe is read
// ahead as LineReader did. Not thread-safe; move-only.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mfrec::detail {

class LineSource {
 public:
  // Reads `fd` (closed at the end when `owned`); `name` is for errors.
  // Throws Error(Data) for a NUL byte near the start, Error(Io) on a read error.
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

 private:
  struct Impl;
  explicit LineSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfrec::detail
