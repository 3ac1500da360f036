// Rows of delimited text: lines come from LineSource, field splitting and
// quoting are ours, because rating files have a column count known only at
// run time.
#include "mfrec/io/csv_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <deque>

#include "io/line_source.hpp"
#include "mfrec/error.hpp"

namespace mfrec {

Delimiter parse_delimiter(std::string_view t) {
  if (t == "auto") return kSniffDelimiter;
  if (t == "," || t == "comma") return ',';
  if (t == "tab" || t == "\t" || t == "\\t") return '\t';
  if (t == ";" || t == "semicolon") return ';';
  if (t == "|" || t == "pipe") return '|';
  if (t == "space" || t == " " || t == "whitespace") return kWhitespaceDelimiter;
  throw Error(ErrorKind::Usage, "unknown delimiter '" + std::string(t) + "' (use auto, ',', tab, ';', '|' or space)");
}

std::string delimiter_name(Delimiter d) {
  switch (d) {
    case ',': return "comma";
    case '\t': return "tab";
    case ';': return "semicolon";
    case '|': return "pipe";
    case ' ': return "space";
    default: return "auto";
  }
}

namespace {

constexpr std::size_t kSniffLines = 20;
// The separators sniffing tries, in order of preference on a tie; whitespace
// is the fallback when none splits the lines.
constexpr char kSniffed[] = {',', '\t', ';', '|'};

}  // namespace

struct CsvRowReader::Impl {
  std::string name;
  detail::LineSource lines;
  Delimiter delimiter = kSniffDelimiter;
  std::deque<std::pair<std::string, std::uint64_t>> pending;  // lines read ahead for sniffing
  std::string current_owned;
  std::uint64_t line_no = 0;
  std::vector<std::string_view> fields;
  std::vector<std::uint64_t> columns;

  Impl(detail::LineSource source, Delimiter d) : name(source.name()), lines(std::move(source)), delimiter(d) {}

  // The next raw line and its number, or nullptr at the end.
  char* raw_line(std::uint64_t& number, std::size_t& length) {
    if (!pending.empty()) {
      current_owned = std::move(pending.front().first);
      number = pending.front().second;
      pending.pop_front();
      length = current_owned.size();
      return current_owned.data();
    }
    return source_line(number, length);
  }

  // The next line straight from the file.
  char* source_line(std::uint64_t& number, std::size_t& length) {
    char* p = lines.next(length);
    if (p) number = lines.line();
    return p;
  }

  static bool blank(const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] != ' ' && p[i] != '\t') return false;
    return true;
  }

  // Counts `d` outside quotes.
  static std::size_t count_outside_quotes(std::string_view s, char d) {
    std::size_t count = 0;
    bool quoted = false;
    for (char c : s) {
      if (c == '"') quoted = !quoted;
      else if (!quoted && c == d) ++count;
    }
    return count;
  }

  // Picks the delimiter whose count per line is the same non-zero number on
  // every sampled line; when several are, the one giving the most fields
  // (then comma, tab, semicolon, pipe), so that "alice;x;4,5" with a decimal comma
  // on every line is read as semicolon-separated. Else whitespace.
  // Once per file: kept out of next(), which runs once per row.
  [[gnu::noinline]] void sniff() {
    read_sniff_sample();
    if (pick_consistent_delimiter()) return;
    // No consistent count (a ragged file, say): take the most frequent
    // separator on the first line, so the row checks can name the bad line.
    if (pick_most_frequent_delimiter()) return;
    delimiter = kWhitespaceDelimiter;
  }

  // The first non-blank lines, into `pending`, where next() takes them from.
  void read_sniff_sample() {
    std::uint64_t number = 0;
    std::size_t length = 0;
    while (pending.size() < kSniffLines) {
      char* p = source_line(number, length);
      if (!p) break;
      if (blank(p, length)) continue;
      pending.emplace_back(std::string(p, length), number);
    }
  }

  bool pick_consistent_delimiter() {
    std::size_t best_consistent = 0;
    for (char d : kSniffed) {
      std::size_t first = 0;
      bool consistent = !pending.empty();
      for (std::size_t i = 0; i < pending.size() && consistent; ++i) {
        const std::size_t c = count_outside_quotes(pending[i].first, d);
        if (i == 0) first = c;
        consistent = c > 0 && c == first;
      }
      if (consistent && first > best_consistent) {
        best_consistent = first;
        delimiter = d;
      }
    }
    return best_consistent > 0;
  }

  // On the first sampled line.
  bool pick_most_frequent_delimiter() {
    if (pending.empty()) return false;
    std::size_t best = 0;
    for (char d : kSniffed) {
      const std::size_t c = count_outside_quotes(pending.front().first, d);
      if (c > best) {
        best = c;
        delimiter = d;
      }
    }
    return best > 0;
  }

  [[noreturn]] void fail(const std::string& what, std::uint64_t column) const {
    throw Error(ErrorKind::Data, what, Location{name, line_no, column});
  }

  // Splits `p[0..n)` in place (quoted fields are unescaped into the buffer).
  void split(char* p, std::size_t n) {
    fields.clear();
    columns.clear();
    if (delimiter != kWhitespaceDelimiter && split_unquoted(p, n)) return;
    split_general(p, n);
  }

  // Any line: quoted fields, whitespace separation. Out of line, so that the
  // common case above is compiled (registers, stack frame) for itself.
  [[gnu::noinline]] void split_general(char* p, std::size_t n) {
    std::size_t i = 0;
    while (true) {
      while (i < n && is_space(p[i])) ++i;
      if (delimiter == kWhitespaceDelimiter && i == n) break;  // trailing whitespace ends the row
      const bool more = i < n && p[i] == '"' ? quoted_field(p, n, i) : plain_field(p, n, i);
      if (!more) break;
    }
  }

  // Spaces around a field, which are not part of it; a tab is one unless it
  // separates fields.
  bool is_space(char c) const { return c == ' ' || (c == '\t' && delimiter != '\t'); }

  // The field at p[i], not quoted, spaces trimmed. Moves `i` past its
  // separator; false when the row ends with it.
  bool plain_field(const char* p, std::size_t n, std::size_t& i) {
    std::size_t end = i;
    if (delimiter == kWhitespaceDelimiter) {
      while (end < n && p[end] != ' ' && p[end] != '\t') ++end;
    } else {
      while (end < n && p[end] != delimiter) ++end;
    }
    std::size_t trimmed = end;
    while (trimmed > i && is_space(p[trimmed - 1])) --trimmed;
    fields.emplace_back(p + i, trimmed - i);
    columns.push_back(i + 1);
    if (end == n) return false;
    i = end + 1;
    return true;
  }

  // The quoted field at p[i] (a '"'), unescaped in place: the result is
  // never longer. Moves `i` past its separator; false when the row ends with
  // it.
  bool quoted_field(char* p, std::size_t n, std::size_t& i) {
    const std::size_t start_col = i + 1;
    const std::size_t begin = i;
    const std::size_t end = unquote(p, n, i);
    const std::size_t after_quote = i;
    while (i < n && is_space(p[i])) ++i;
    fields.emplace_back(p + begin, end - begin);
    columns.push_back(start_col);
    if (i == n) return false;
    // With whitespace separation the separator is the run just skipped:
    // '"a"b' has none, and is as malformed as '"a"b,' in a CSV.
    const bool ws = delimiter == kWhitespaceDelimiter;
    if (ws ? i > after_quote : p[i] == delimiter) {
      if (!ws) ++i;
      return true;
    }
    fail("unexpected text after a closing quote", i + 1);
  }

  // Unescapes the quoted text from p[i] (the opening quote) to p[i] (moved
  // past the closing one); returns where the unescaped text ends.
  std::size_t unquote(char* p, std::size_t n, std::size_t& i) {
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
  // split's general loop: each field runs to the next delimiter, spaces
  // trimmed. The delimiters are found eight bytes at a time, so the loop runs
  // once per field rather than once per byte. False (no fields) when the line
  // holds a quote.
  bool split_unquoted(const char* p, std::size_t n) {
    if constexpr (std::endian::native != std::endian::little) return false;
    std::size_t start = 0;
    auto add_field = [&](std::size_t end) {
      std::size_t first = start, last = end;
      while (first < last && is_space(p[first])) ++first;
      while (last > first && is_space(p[last - 1])) --last;
      fields.emplace_back(p + first, last - first);
      columns.push_back(first + 1);
      start = end + 1;
    };
    std::uint64_t quotes = 0;
    for (std::size_t at = 0; at < n; at += 8) {
      const std::uint64_t word = word_at(p, n, at);
      quotes |= bytes_equal(word, '"');
      for (std::uint64_t hits = bytes_equal(word, delimiter); hits != 0; hits &= hits - 1)
        add_field(at + static_cast<std::size_t>(std::countr_zero(hits)) / 8);
    }
    if (quotes != 0) {
      fields.clear();
      columns.clear();
      return false;
    }
    add_field(n);
    return true;
  }

  // Bytes [at, at + 8) of `p[0..n)` as a little-endian word, zero past `n`
  // (zero matches neither a quote nor a delimiter). Fixed-size loads only: a
  // variable-size memcpy compiles to a byte-wise copy through the stack,
  // which stalls the load that follows.
  static std::uint64_t word_at(const char* p, std::size_t n, std::size_t at) {
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
  static std::uint64_t bytes_equal(std::uint64_t word, char c) {
    constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
    const std::uint64_t x = word ^ (0x0101010101010101ULL * static_cast<unsigned char>(c));
    return ~(((x & kLow7) + kLow7) | x | kLow7);
  }

  bool next() {
    if (delimiter == kSniffDelimiter) sniff();
    std::uint64_t number = 0;
    std::size_t length = 0;
    while (char* p = raw_line(number, length)) {
      if (blank(p, length)) continue;
      line_no = number;
      split(p, length);
      return true;
    }
    return false;
  }
};

CsvRowReader::CsvRowReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvRowReader::CsvRowReader(CsvRowReader&&) noexcept = default;
CsvRowReader& CsvRowReader::operator=(CsvRowReader&&) noexcept = default;
CsvRowReader::~CsvRowReader() = default;

CsvRowReader CsvRowReader::open_file(const std::string& path, Delimiter delimiter) {
  if (path == "-") return CsvRowReader(std::make_unique<Impl>(detail::LineSource::from_fd(0, false, "<stdin>"), delimiter));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorKind::Open, "cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorKind::Open, "cannot read " + path + ": it is a directory");
  }
  return CsvRowReader(std::make_unique<Impl>(detail::LineSource::from_fd(fd, true, path), delimiter));
}

CsvRowReader CsvRowReader::from_string(std::string name, std::string text, Delimiter delimiter) {
  return CsvRowReader(std::make_unique<Impl>(detail::LineSource::from_text(std::move(text), std::move(name)), delimiter));
}

bool CsvRowReader::next() { return impl_->next(); }
const std::vector<std::string_view>& CsvRowReader::fields() const { return impl_->fields; }
std::uint64_t CsvRowReader::column(std::size_t i) const { return impl_->columns.at(i); }
std::uint64_t CsvRowReader::line() const { return impl_->line_no; }
const std::string& CsvRowReader::name() const { return impl_->name; }
Delimiter CsvRowReader::delimiter() const { return impl_->delimiter; }
std::uint64_t CsvRowReader::size_hint() const { return impl_->lines.size_hint(); }
std::uint64_t CsvRowReader::position() const { return impl_->lines.position(); }

}  // namespace mfrec
