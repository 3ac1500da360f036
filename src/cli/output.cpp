#include "output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "mfrec/error.hpp"
#include "text_width.hpp"

namespace mfrec::cli {

Sink::Sink(const std::string& path) : path_(path) {
  if (path.empty() || path == "-") {
    path_.clear();
    terminal_ = ::isatty(STDOUT_FILENO) == 1;
  } else {
    file_ = std::make_unique<AtomicFile>(path);
  }
}

std::FILE* Sink::stream() { return file_ ? file_->stream() : stdout; }

void Sink::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stream()) == text.size()) return;
  if (!file_ && errno == EPIPE) throw StdoutClosed{};
  throw Error(ErrorKind::Io, "cannot write " + (file_ ? path_ : std::string("to standard output")) + ": " + std::strerror(errno));
}

void Sink::commit() {
  if (file_) {
    file_->commit();
    return;
  }
  if (std::fflush(stdout) != 0) {
    if (errno == EPIPE) throw StdoutClosed{};
    throw Error(ErrorKind::Io, std::string("cannot write to standard output: ") + std::strerror(errno));
  }
}

std::optional<Format> parse_format(const std::string& t) {
  if (t.empty()) return std::nullopt;
  if (t == "table") return Format::Table;
  if (t == "csv") return Format::Csv;
  if (t == "tsv") return Format::Tsv;
  if (t == "json") return Format::Json;
  if (t == "jsonl") return Format::Jsonl;
  throw Error(ErrorKind::Usage, "unknown format '" + t + "' (use table, csv, tsv, json or jsonl)");
}

Format default_format(const Sink& sink) {
  // CLI.md: a table for a person at a terminal, CSV for everything else
  // (pipes and --output files alike).
  return sink.is_terminal() ? Format::Table : Format::Csv;
}

void log_line(const std::string& text) {
  std::fputs(text.c_str(), stderr);
  std::fputc('\n', stderr);
}

namespace {

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  return fmt::format("{}", v);  // shortest text that reads back to the same double
}

std::string cell_text(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&c)) return fmt::format("{}", *i);
  if (std::holds_alternative<std::monostate>(c)) return {};
  return number_text(std::get<double>(c));
}

class DelimitedWriter final : public RecordWriter {
 public:
  DelimitedWriter(Sink& sink, char delimiter) : sink_(sink), delimiter_(delimiter) {}
  void header(const std::vector<std::string>& columns) override {
    std::vector<Cell> cells(columns.begin(), columns.end());
    row(cells);
  }
  void row(const std::vector<Cell>& cells) override {
    line_.clear();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) line_.push_back(delimiter_);
      append_field(cell_text(cells[i]));
    }
    line_.push_back('\n');
    sink_.write(line_);
  }
  void finish() override {}

 private:
  // RFC 4180: quote a field holding the delimiter, a quote or a line break,
  // doubling the quotes inside.
  void append_field(const std::string& s) {
    if (s.find_first_of(std::string{delimiter_, '"', '\n', '\r'}) == std::string::npos) {
      line_ += s;
      return;
    }
    line_.push_back('"');
    for (char c : s) {
      if (c == '"') line_.push_back('"');
      line_.push_back(c);
    }
    line_.push_back('"');
  }

  Sink& sink_;
  char delimiter_;
  std::string line_;
};

nlohmann::ordered_json to_json(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&c)) return *i;
  if (std::holds_alternative<std::monostate>(c)) return nullptr;
  const double v = std::get<double>(c);
  if (!std::isfinite(v)) return nullptr;
  return v;
}

class JsonWriter final : public RecordWriter {
 public:
  JsonWriter(Sink& sink, bool lines) : sink_(sink), lines_(lines) {}
  // JSON keys must be unique, and a name may repeat another column's (an
  // item called "user"): a repeat gets ".1", ".2"… appended, as pandas does.
  void header(const std::vector<std::string>& columns) override {
    std::unordered_set<std::string> seen;
    for (const auto& c : columns) {
      std::string key = c;
      for (int n = 1; seen.count(key); ++n) key = c + "." + std::to_string(n);
      seen.insert(key);
      columns_.push_back(key);
    }
  }
  void row(const std::vector<Cell>& cells) override {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < cells.size() && i < columns_.size(); ++i) object[columns_[i]] = to_json(cells[i]);
    std::string text = object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    if (lines_) {
      sink_.write(text + "\n");
    } else {
      sink_.write((rows_ ? ",\n  " : "[\n  ") + text);
    }
    ++rows_;
  }
  void finish() override {
    if (!lines_) sink_.write(rows_ ? "\n]\n" : "[]\n");
  }

 private:
  Sink& sink_;
  bool lines_;
  std::vector<std::string> columns_;
  std::uint64_t rows_ = 0;
};

// Aligned columns: names left, numbers right and rounded to 4 decimals.
class TableWriter final : public RecordWriter {
 public:
  TableWriter(Sink& sink, std::size_t max_width) : sink_(sink), max_width_(max_width) {}
  void header(const std::vector<std::string>& columns) override { header_ = columns; }
  void row(const std::vector<Cell>& cells) override {
    std::vector<std::pair<std::string, bool>> r;
    for (const auto& c : cells) {
      if (const auto* s = std::get_if<std::string>(&c)) r.emplace_back(*s, false);
      else if (const auto* i = std::get_if<std::int64_t>(&c)) r.emplace_back(fmt::format("{}", *i), true);
      else if (std::holds_alternative<std::monostate>(c)) r.emplace_back(std::string(), true);  // aligns as a number
      else r.emplace_back(fmt::format("{:.4f}", std::get<double>(c)), true);
    }
    rows_.push_back(std::move(r));
  }
  void finish() override {
    const std::size_t n = header_.size();
    std::vector<std::size_t> width(n, 0);
    std::vector<bool> numeric(n, !rows_.empty());
    for (std::size_t i = 0; i < n; ++i) width[i] = display_width(header_[i]);
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size() && i < n; ++i) {
        width[i] = std::max(width[i], display_width(r[i].first));
        if (!r[i].second) numeric[i] = false;
      }
    fit_to_terminal(width, numeric);
    // Columns that still do not fit go into further panels, each repeating
    // the first (name) column, as R and pandas print wide frames.
    std::size_t first = 1;
    do {
      std::size_t last = first, used = width[0];
      while (last < n && (last == first || max_width_ == 0 || used + 2 + width[last] <= max_width_))
        used += 2 + width[last++];
      if (first > 1) sink_.write("\n");
      write_panel(width, numeric, first, last);
      first = last;
    } while (first < n);
  }

 private:
  // Writes column 0 and columns [first, last).
  void write_panel(const std::vector<std::size_t>& width, const std::vector<bool>& numeric, std::size_t first,
                   std::size_t last) {
    std::string out;
    auto cell = [&](const std::string& full, std::size_t i, bool right) {
      if (i) out += "  ";
      const std::string text = truncate_to_width(full, width[i]);
      const std::size_t pad = width[i] - std::min(width[i], display_width(text));
      if (right) out.append(pad, ' ');
      out += text;
      if (!right && i + 1 < last) out.append(pad, ' ');
    };
    auto line = [&](auto get) {
      out.clear();
      cell(get(0), 0, numeric[0]);
      for (std::size_t i = std::max<std::size_t>(first, 1); i < last; ++i) cell(get(i), i, numeric[i]);
      out.erase(out.find_last_not_of(' ') + 1);  // an empty number cell at the end pads nothing
      out += '\n';
      sink_.write(out);
    };
    line([&](std::size_t i) -> const std::string& { return header_[i]; });
    for (const auto& r : rows_) line([&](std::size_t i) -> const std::string& { return i < r.size() ? r[i].first : empty_; });
  }

  // On a terminal narrower than the table, narrows the widest columns (names
  // get an ellipsis; numbers are never cut) until the table fits, or every
  // column is at its minimum.
  void fit_to_terminal(std::vector<std::size_t>& width, const std::vector<bool>& numeric) const {
    if (max_width_ == 0 || width.empty()) return;
    constexpr std::size_t kMinText = 14;
    std::vector<std::size_t> floor(width.size());
    for (std::size_t i = 0; i < width.size(); ++i) {
      std::size_t number_width = 0;
      if (numeric[i])
        for (const auto& r : rows_)
          if (i < r.size()) number_width = std::max(number_width, display_width(r[i].first));
      floor[i] = std::min(width[i], std::max(number_width, kMinText));
    }
    auto total = [&] {
      std::size_t t = 2 * (width.size() - 1);
      for (auto w : width) t += w;
      return t;
    };
    while (total() > max_width_) {
      std::size_t pick = width.size();
      for (std::size_t i = 0; i < width.size(); ++i)
        if (width[i] > floor[i] && (pick == width.size() || width[i] > width[pick])) pick = i;
      if (pick == width.size()) break;
      --width[pick];
    }
  }

  Sink& sink_;
  std::size_t max_width_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::pair<std::string, bool>>> rows_;
  const std::string empty_;
};

}  // namespace

std::unique_ptr<RecordWriter> make_writer(Format format, Sink& sink) {
  switch (format) {
    case Format::Csv: return std::make_unique<DelimitedWriter>(sink, ',');
    case Format::Tsv: return std::make_unique<DelimitedWriter>(sink, '\t');
    case Format::Json: return std::make_unique<JsonWriter>(sink, false);
    case Format::Jsonl: return std::make_unique<JsonWriter>(sink, true);
    case Format::Table: break;
  }
  return std::make_unique<TableWriter>(sink, sink.is_terminal() ? terminal_columns() : 0);
}

}  // namespace mfrec::cli
