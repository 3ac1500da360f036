// Rows of delimited text: lines come from LineSource, fields from
// FieldSplitter (which says why it is hand-written). Sniffing the delimiter
// reads the first lines ahead; an error in one of them (a NUL byte, a line
// too long) is raised when its row is reached, as if it had not been read
// ahead.
#include "mfrec/io/csv_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <deque>

#include "io/field_splitter.hpp"
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
  // Lines read ahead for sniffing; the last may be the error that ended it.
  struct PendingLine {
    std::string text;
    std::uint64_t number = 0;
    std::exception_ptr error;
  };
  std::deque<PendingLine> pending;
  std::string current_owned;
  std::uint64_t line_no = 0;
  detail::FieldSplitter splitter;

  Impl(detail::LineSource source, Delimiter d)
      : name(source.name()), lines(std::move(source)), delimiter(d), splitter(d) {}

  // The next raw line and its number, or nullptr at the end.
  char* raw_line(std::uint64_t& number, std::size_t& length) {
    if (!pending.empty()) {
      PendingLine line = std::move(pending.front());
      pending.pop_front();
      if (line.error) std::rethrow_exception(line.error);
      current_owned = std::move(line.text);
      number = line.number;
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
    delimiter = pick_delimiter();
    splitter.set_delimiter(delimiter);
  }

  Delimiter pick_delimiter() {
    if (pick_consistent_delimiter()) return delimiter;
    // No consistent count (a ragged file, say): take the most frequent
    // separator on the first line, so the row checks can name the bad line.
    if (pick_most_frequent_delimiter()) return delimiter;
    return kWhitespaceDelimiter;
  }

  // The first non-blank lines, into `pending`, where next() takes them from.
  // A line that cannot be read ends the sample; its error waits in
  // `pending` for its turn.
  void read_sniff_sample() {
    std::uint64_t number = 0;
    std::size_t length = 0;
    while (pending.size() < kSniffLines) {
      char* p = nullptr;
      try {
        p = source_line(number, length);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Data) throw;
        pending.push_back(PendingLine{{}, 0, std::current_exception()});
        return;
      }
      if (!p) break;
      if (blank(p, length)) continue;
      pending.push_back(PendingLine{std::string(p, length), number, nullptr});
    }
  }

  // The sampled lines that were read (not the error that ended the sample).
  std::size_t sampled() const { return pending.size() - (!pending.empty() && pending.back().error ? 1 : 0); }

  bool pick_consistent_delimiter() {
    std::size_t best_consistent = 0;
    for (char d : kSniffed) {
      std::size_t first = 0;
      bool consistent = sampled() > 0;
      for (std::size_t i = 0; i < sampled() && consistent; ++i) {
        const std::size_t c = count_outside_quotes(pending[i].text, d);
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
    if (sampled() == 0) return false;
    std::size_t best = 0;
    for (char d : kSniffed) {
      const std::size_t c = count_outside_quotes(pending.front().text, d);
      if (c > best) {
        best = c;
        delimiter = d;
      }
    }
    return best > 0;
  }

  bool next() {
    if (delimiter == kSniffDelimiter) sniff();
    std::uint64_t number = 0;
    std::size_t length = 0;
    while (char* p = raw_line(number, length)) {
      if (blank(p, length)) continue;
      line_no = number;
      splitter.split(p, length, name, line_no);
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
const std::vector<std::string_view>& CsvRowReader::fields() const { return impl_->splitter.fields(); }
std::uint64_t CsvRowReader::column(std::size_t i) const { return impl_->splitter.columns().at(i); }
const std::vector<std::uint64_t>& CsvRowReader::columns() const { return impl_->splitter.columns(); }
std::uint64_t CsvRowReader::line() const { return impl_->line_no; }
const std::string& CsvRowReader::name() const { return impl_->name; }
Delimiter CsvRowReader::delimiter() const { return impl_->delimiter; }
std::uint64_t CsvRowReader::size_hint() const { return impl_->lines.size_hint(); }
std::uint64_t CsvRowReader::position() const { return impl_->lines.position(); }

std::size_t detail::lines_read_ahead(const CsvRowReader& rows) { return rows.impl_->pending.size(); }

detail::InputRest detail::take_rest(CsvRowReader& rows) {
  if (!rows.impl_->pending.empty())
    throw Error(ErrorKind::Internal, "take_rest: rows read ahead for sniffing are still pending");
  return rows.impl_->lines.take_rest();
}

}  // namespace mfrec
