#include "io/field_splitter.hpp"

#include <bit>
#include <cstring>

#include "mfrec/error.hpp"

namespace mfrec::detail {

namespace {

// Bytes [at, at + 8) of `p[0..n)` as a little-endian word, zero past `n`
// (zero matches neither a quote nor a delimiter). Fixed-size loads only: a
// variable-size memcpy compiles to a byte-wise copy through the stack,
// which stalls the load that follows.
std::uint64_t word_at(const char* p, std::size_t n, std::size_t at) {
  auto load = [](const char* q) {
    std::uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  if (at + 8 <= n) return load(p + at);
  const std::size_t rest = n - at;  // 1..7
  if (n >= 8) return load(p + n - 8) >> (8 * (8 - rest));
  std::uint64_t w = 0;
  for (std::size_t i = rest; i-- > 0;) w = w << 8 | static_cast<unsigned char>(p[at + i]);
  return w;
}

// The high bit of each byte of `word` that equals `c` (exact, no carries
// between bytes); byte order is memory order on little-endian machines.
std::uint64_t bytes_equal(std::uint64_t word, char c) {
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const std::uint64_t x = word ^ (0x0101010101010101ULL * static_cast<unsigned char>(c));
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

}  // namespace

void FieldSplitter::fail(const std::string& what, std::uint64_t column) const {
  throw Error(ErrorKind::Data, what, Location{*file_, line_, column});
}

void FieldSplitter::split(char* p, std::size_t n, const std::string& file, std::uint64_t line) {
  file_ = &file;
  line_ = line;
  fields_.clear();
  columns_.clear();
  if (delimiter_ != kWhitespaceDelimiter && split_unquoted(p, n)) return;
  split_general(p, n);
}

// Any line: quoted fields, whitespace separation. Out of line, so that the
// common case (split_unquoted) is compiled (registers, stack frame) for itself.
[[gnu::noinline]] void FieldSplitter::split_general(char* p, std::size_t n) {
  std::size_t i = 0;
  while (true) {
    while (i < n && is_space(p[i])) ++i;
    if (delimiter_ == kWhitespaceDelimiter && i == n) break;  // trailing whitespace ends the row
    const bool more = i < n && p[i] == '"' ? quoted_field(p, n, i) : plain_field(p, n, i);
    if (!more) break;
  }
}

// The field at p[i], not quoted, spaces trimmed. Moves `i` past its
// separator; false when the row ends with it.
bool FieldSplitter::plain_field(const char* p, std::size_t n, std::size_t& i) {
  std::size_t end = i;
  if (delimiter_ == kWhitespaceDelimiter) {
    while (end < n && p[end] != ' ' && p[end] != '\t') ++end;
  } else {
    while (end < n && p[end] != delimiter_) ++end;
  }
  std::size_t trimmed = end;
  while (trimmed > i && is_space(p[trimmed - 1])) --trimmed;
  fields_.emplace_back(p + i, trimmed - i);
  columns_.push_back(i + 1);
  if (end == n) return false;
  i = end + 1;
  return true;
}

// The quoted field at p[i] (a '"'), unescaped in place: the result is never
// longer. Moves `i` past its separator; false when the row ends with it.
bool FieldSplitter::quoted_field(char* p, std::size_t n, std::size_t& i) {
  const std::size_t start_col = i + 1;
  const std::size_t begin = i;
  const std::size_t end = unquote(p, n, i);
  const std::size_t after_quote = i;
  while (i < n && is_space(p[i])) ++i;
  fields_.emplace_back(p + begin, end - begin);
  columns_.push_back(start_col);
  if (i == n) return false;
  // With whitespace separation the separator is the run just skipped:
  // '"a"b' has none, and is as malformed as '"a"b,' in a CSV.
  const bool ws = delimiter_ == kWhitespaceDelimiter;
  if (ws ? i > after_quote : p[i] == delimiter_) {
    if (!ws) ++i;
    return true;
  }
  fail("unexpected text after a closing quote", i + 1);
}

// Unescapes the quoted text from p[i] (the opening quote) to p[i] (moved
// past the closing one); returns where the unescaped text ends.
std::size_t FieldSplitter::unquote(char* p, std::size_t n, std::size_t& i) {
  const std::size_t start_col = i + 1;
  std::size_t out = i;
  ++i;
  while (i < n) {
    if (p[i] != '"') {
      p[out++] = p[i++];
    } else if (i + 1 < n && p[i + 1] == '"') {
      p[out++] = '"';
      i += 2;
    } else {
      ++i;
      return out;
    }
  }
  fail("unterminated quoted field (quoted fields cannot span lines)", start_col);
}

// The common case, a line with no quote at all, gives the same fields as
// split_general: each field runs to the next delimiter, spaces trimmed. The
// delimiters are found eight bytes at a time, so the loop runs once per field
// rather than once per byte. False (no fields) when the line holds a quote.
bool FieldSplitter::split_unquoted(const char* p, std::size_t n) {
  if constexpr (std::endian::native != std::endian::little) return false;
  std::size_t start = 0;
  auto add_field = [&](std::size_t end) {
    std::size_t first = start, last = end;
    while (first < last && is_space(p[first])) ++first;
    while (last > first && is_space(p[last - 1])) --last;
    fields_.emplace_back(p + first, last - first);
    columns_.push_back(first + 1);
    start = end + 1;
  };
  std::uint64_t quotes = 0;
  for (std::size_t at = 0; at < n; at += 8) {
    const std::uint64_t word = word_at(p, n, at);
    quotes |= bytes_equal(word, '"');
    for (std::uint64_t hits = bytes_equal(word, delimiter_); hits != 0; hits &= hits - 1)
      add_field(at + static_cast<std::size_t>(std::countr_zero(hits)) / 8);
  }
  if (quotes != 0) {
    fields_.clear();
    columns_.clear();
    return false;
  }
  add_field(n);
  return true;
}

}  // namespace mfrec::detail
