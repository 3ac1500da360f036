#pragma once
// Row-by-row reading of delimited text (CSV, TSV, semicolon or whitespace
// separated), from a file, stdin ("-") or memory. Fields are views into the
// reader's buffer, valid until the next call to next(). Quoted fields (RFC
// 4180, on one line), a UTF-8 BOM, CRLF line ends and spaces around fields are
// handled; blank lines are skipped. Errors are Error(Data|Open|Io) naming
// file:line:column.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mfrec {

// The separator of a file: ',', '\t', ';', '|' or ' ' (any run of spaces/tabs).
// 0 means "sniff it from the first lines".
using Delimiter = char;
inline constexpr Delimiter kSniffDelimiter = 0;
inline constexpr Delimiter kWhitespaceDelimiter = ' ';

// Parses "auto", ",", "comma", "tab", "\t", ";", "semicolon", "|", "pipe",
// "space", "whitespace"; throws Error(Usage) otherwise.
Delimiter parse_delimiter(std::string_view text);
std::string delimiter_name(Delimiter d);

class CsvRowReader;

namespace detail {
struct InputRest;
// The lines the reader read ahead of its current row to sniff the delimiter
// (at most 20): they must be read as rows before take_rest.
std::size_t lines_read_ahead(const CsvRowReader& rows);
// The input after the last line read (the current row's, once none are read
// ahead), for a reader that goes on without CsvRowReader (the long layout's
// pieces). The reader is done: next() must not be called again.
InputRest take_rest(CsvRowReader& rows);
}  // namespace detail

class CsvRowReader {
 public:
  // `path` "-" reads stdin. Throws Error(Open) when the file cannot be opened.
  static CsvRowReader open_file(const std::string& path, Delimiter delimiter);
  // Reads `text` (copied); `name` is used in error messages.
  static CsvRowReader from_string(std::string name, std::string text, Delimiter delimiter);

  CsvRowReader(CsvRowReader&&) noexcept;
  CsvRowReader& operator=(CsvRowReader&&) noexcept;
  ~CsvRowReader();

  // Advances to the next non-blank row; false at the end of input.
  bool next();
  const std::vector<std::string_view>& fields() const;
  // 1-based byte column where field `i` of the current row starts.
  std::uint64_t column(std::size_t i) const;
  const std::vector<std::uint64_t>& columns() const;
  std::uint64_t line() const;
  const std::string& name() const;
  Delimiter delimiter() const;
  // The input's size in bytes when known up front (a file, text), else 0: a
  // hint for reserving memory.
  std::uint64_t size_hint() const;
  // Input bytes read so far (rows handed out, and the few read ahead to sniff
  // the delimiter); with size_hint(), an estimate of the rows to come.
  std::uint64_t position() const;

 private:
  struct Impl;
  explicit CsvRowReader(std::unique_ptr<Impl> impl);
  friend std::size_t detail::lines_read_ahead(const CsvRowReader& rows);
  friend detail::InputRest detail::take_rest(CsvRowReader& rows);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfrec
