#pragma once
// Splits one line of delimited text into fields, by hand: the rules every
// reader of the project shares (CsvRowReader's rows, and the lines the long
// layout's pieces cannot hand to fast-cpp-csv-parser). Written here rather
// than taken from that library because a reader must name the column of a
// malformed field (its errors name no column), a wide file's column count is
// known only at run time, and whitespace separation is a run of spaces and
// tabs (the library's separator is one character).
// Rules: fields are separated by the delimiter (kWhitespaceDelimiter: any run
// of spaces and tabs); spaces around a field are not part of it (a tab is one
// unless it separates fields); a field may be quoted ("a, ""b"""), on one
// line, with only spaces after its closing quote. Not thread-safe: one per
// thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/io/csv_reader.hpp"

namespace mfrec::detail {

class FieldSplitter {
 public:
  explicit FieldSplitter(Delimiter delimiter = kSniffDelimiter) : delimiter_(delimiter) {}

  void set_delimiter(Delimiter delimiter) { delimiter_ = delimiter; }
  Delimiter delimiter() const { return delimiter_; }

  // Splits p[0..n) in place (quoted fields are unescaped into it). Throws
  // Error(Data) at `file`:`line` and the column of a malformed quote.
  void split(char* p, std::size_t n, const std::string& file, std::uint64_t line);

  // The fields of the last line split: views into it, and the 1-based byte
  // column where each starts.
  const std::vector<std::string_view>& fields() const { return fields_; }
  const std::vector<std::uint64_t>& columns() const { return columns_; }

 private:
  bool split_unquoted(const char* p, std::size_t n);
  void split_general(char* p, std::size_t n);
  bool plain_field(const char* p, std::size_t n, std::size_t& i);
  bool quoted_field(char* p, std::size_t n, std::size_t& i);
  std::size_t unquote(char* p, std::size_t n, std::size_t& i);
  bool is_space(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }
  [[noreturn]] void fail(const std::string& what, std::uint64_t column) const;

  Delimiter delimiter_;
  std::vector<std::string_view> fields_;
  std::vector<std::uint64_t> columns_;
  const std::string* file_ = nullptr;  // of the line being split, for errors
  std::uint64_t line_ = 0;
};

}  // namespace mfrec::detail
