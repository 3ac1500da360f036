// The only file that includes fast-cpp-csv-parser: it splits the input into
// lines (with its 16 MiB line limit); field splitting and quoting are ours,
// because rating files have a column count known only at run time.
#define CSV_IO_NO_THREAD
#include "mfrec/csv_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include "mfrec/error.hpp"

namespace mfrec {

Delimiter parse_delimiter(std::string_view t) {
  if (t == "auto") return kSniffDelimiter;
  if (t == "," || t == "comma") return ',';
  if (t == "tab" || t == "\t" || t == "\\t") return '\t';
  if (t == ";" || t == "semicolon") return ';';
  if (t == "space" || t == " " || t == "whitespace") return kWhitespaceDelimiter;
  throw Error(ErrorKind::Usage, "unknown delimiter '" + std::string(t) + "' (use auto, ',', tab, ';' or space)");
}

std::string delimiter_name(Delimiter d) {
  switch (d) {
    case ',': return "comma";
    case '\t': return "tab";
    case ';': return "semicolon";
    case ' ': return "space";
    default: return "auto";
  }
}

namespace {

// Refuses NUL bytes, which would silently cut a line short (LineReader hands
// out C strings), naming the line and column of the first one. Both byte
// sources use it, so text from memory is held to the same rule as a file.
class NulGuard {
 public:
  explicit NulGuard(std::string name) : name_(std::move(name)) {}

  void check(const char* p, std::size_t n) {
    // LineReader drops a leading UTF-8 BOM, so the row reader's columns do not
    // count it; nor may ours.
    if (at_start_ && n >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
      p += 3;
      n -= 3;
    }
    if (n > 0) at_start_ = false;
    const char* nul = static_cast<const char*>(std::memchr(p, 0, n));
    const char* end = nul ? nul : p + n;
    for (const char* q = p; q < end; ++q) {
      if (*q == '\n') {
        ++lines_;
        column_ = 0;
      } else {
        ++column_;
      }
    }
    if (nul) {
      throw Error(ErrorKind::Data, "NUL byte in text input (is this a binary file?)",
                  Location{name_, lines_ + 1, column_ + 1});
    }
  }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  bool at_start_ = true;
  std::uint64_t lines_ = 0;
  std::uint64_t column_ = 0;
};

// Reads a file descriptor for LineReader, turning read errors into Error(Io)
// (the library's stdio source would take them for end of file).
class FdByteSource : public io::ByteSourceBase {
 public:
  FdByteSource(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), guard_(std::move(name)) {}
  ~FdByteSource() override {
    if (owned_) ::close(fd_);
  }
  int read(char* buffer, int size) override {
    int total = 0;
    while (total < size) {
      const ssize_t n = ::read(fd_, buffer + total, static_cast<std::size_t>(size - total));
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error(ErrorKind::Io, std::string("cannot read: ") + std::strerror(errno), Location{guard_.name(), 0, 0});
      }
      total += static_cast<int>(n);
    }
    // Checked once per filled block, so a BOM split across short reads is still seen whole.
    guard_.check(buffer, static_cast<std::size_t>(total));
    return total;
  }

 private:
  int fd_;
  bool owned_;
  NulGuard guard_;
};

class StringByteSource : public io::ByteSourceBase {
 public:
  StringByteSource(std::string text, std::string name) : text_(std::move(text)), guard_(std::move(name)) {}
  int read(char* buffer, int size) override {
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(size), text_.size() - pos_);
    std::memcpy(buffer, text_.data() + pos_, n);
    pos_ += n;
    guard_.check(buffer, n);
    return static_cast<int>(n);
  }

 private:
  std::string text_;
  NulGuard guard_;
  std::size_t pos_ = 0;
};

constexpr std::size_t kSniffLines = 20;

}  // namespace

struct CsvRowReader::Impl {
  std::string name;
  io::LineReader lines;
  Delimiter delimiter = kSniffDelimiter;
  std::deque<std::pair<std::string, std::uint64_t>> pending;  // lines read ahead for sniffing
  std::string current_owned;
  std::uint64_t line_no = 0;
  std::vector<std::string_view> fields;
  std::vector<std::uint64_t> columns;

  Impl(std::string n, std::unique_ptr<io::ByteSourceBase> source, Delimiter d)
      : name(std::move(n)), lines(name, std::move(source)), delimiter(d) {}

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
    char* p = nullptr;
    try {
      p = lines.next_line();
    } catch (const io::error::line_length_limit_exceeded&) {
      throw Error(ErrorKind::Data, "line longer than the reader's limit of 16 MiB",
                  Location{name, lines.get_file_line(), 0});
    }
    if (!p) return nullptr;
    number = lines.get_file_line();
    length = std::strlen(p);
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
  // (then comma, tab, semicolon), so that "alice;x;4,5" with a decimal comma
  // on every line is read as semicolon-separated. Else whitespace.
  void sniff() {
    std::uint64_t number = 0;
    std::size_t length = 0;
    while (pending.size() < kSniffLines) {
      char* p = source_line(number, length);
      if (!p) break;
      if (blank(p, length)) continue;
      pending.emplace_back(std::string(p, length), number);
    }
    std::size_t best_consistent = 0;
    for (char d : {',', '\t', ';'}) {
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
    if (best_consistent > 0) return;
    // No consistent count (a ragged file, say): take the most frequent
    // separator on the first line, so the row checks can name the bad line.
    if (!pending.empty()) {
      std::size_t best = 0;
      for (char d : {',', '\t', ';'}) {
        const std::size_t c = count_outside_quotes(pending.front().first, d);
        if (c > best) {
          best = c;
          delimiter = d;
        }
      }
      if (best > 0) return;
    }
    delimiter = kWhitespaceDelimiter;
  }

  [[noreturn]] void fail(const std::string& what, std::uint64_t column) const {
    throw Error(ErrorKind::Data, what, Location{name, line_no, column});
  }

  // Splits `p[0..n)` in place (quoted fields are unescaped into the buffer).
  void split(char* p, std::size_t n) {
    fields.clear();
    columns.clear();
    const bool ws = delimiter == kWhitespaceDelimiter;
    auto is_space = [&](char c) { return c == ' ' || (c == '\t' && delimiter != '\t'); };
    std::size_t i = 0;
    while (true) {
      while (i < n && is_space(p[i])) ++i;
      if (ws && i == n) break;  // trailing whitespace ends the row
      const std::size_t start_col = i + 1;
      if (i < n && p[i] == '"') {
        std::size_t out = i;  // unescape in place: the result is never longer
        const std::size_t begin = out;
        ++i;
        bool closed = false;
        while (i < n) {
          if (p[i] == '"') {
            if (i + 1 < n && p[i + 1] == '"') {
              p[out++] = '"';
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          p[out++] = p[i++];
        }
        if (!closed) fail("unterminated quoted field (quoted fields cannot span lines)", start_col);
        const std::size_t after_quote = i;
        while (i < n && is_space(p[i])) ++i;
        fields.emplace_back(p + begin, out - begin);
        columns.push_back(start_col);
        if (i == n) break;
        // With whitespace separation the separator is the run just skipped:
        // '"a"b' has none, and is as malformed as '"a"b,' in a CSV.
        if (ws ? i > after_quote : p[i] == delimiter) {
          if (!ws) ++i;
          continue;
        }
        fail("unexpected text after a closing quote", i + 1);
      }
      std::size_t end = i;
      if (ws) {
        while (end < n && p[end] != ' ' && p[end] != '\t') ++end;
      } else {
        while (end < n && p[end] != delimiter) ++end;
      }
      std::size_t trimmed = end;
      while (trimmed > i && is_space(p[trimmed - 1])) --trimmed;
      fields.emplace_back(p + i, trimmed - i);
      columns.push_back(start_col);
      if (end == n) break;
      i = end + 1;
    }
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
  if (path == "-") {
    return CsvRowReader(std::make_unique<Impl>("<stdin>", std::make_unique<FdByteSource>(0, false, "<stdin>"), delimiter));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorKind::Open, "cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorKind::Open, "cannot read " + path + ": it is a directory");
  }
  return CsvRowReader(std::make_unique<Impl>(path, std::make_unique<FdByteSource>(fd, true, path), delimiter));
}

CsvRowReader CsvRowReader::from_string(std::string name, std::string text, Delimiter delimiter) {
  auto source = std::make_unique<StringByteSource>(std::move(text), name);
  return CsvRowReader(std::make_unique<Impl>(std::move(name), std::move(source), delimiter));
}

bool CsvRowReader::next() { return impl_->next(); }
const std::vector<std::string_view>& CsvRowReader::fields() const { return impl_->fields; }
std::uint64_t CsvRowReader::column(std::size_t i) const { return impl_->columns.at(i); }
std::uint64_t CsvRowReader::line() const { return impl_->line_no; }
const std::string& CsvRowReader::name() const { return impl_->name; }
Delimiter CsvRowReader::delimiter() const { return impl_->delimiter; }

}  // namespace mfrec
