#include "output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
  if (sink.is_terminal()) return Format::Table;
  auto ends_with = [&](std::string_view suffix) {
    return sink.path().size() >= suffix.size() && sink.path().compare(sink.path().size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".tsv")) return Format::Tsv;
  if (ends_with(".jsonl")) return Format::Jsonl;
  if (ends_with(".json")) return Format::Json;
  if (ends_with(".txt")) return Format::Table;
  return Format::Csv;
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
  const double v = std::get<double>(c);
  if (!std::isfinite(v)) return nullptr;
  return v;
}

class JsonWriter final : public RecordWriter {
 public:
  JsonWriter(Sink& sink, bool lines) : sink_(sink), lines_(lines) {}
  void header(const std::vector<std::string>& columns) override { columns_ = columns; }
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
  explicit TableWriter(Sink& sink) : sink_(sink) {}
  void header(const std::vector<std::string>& columns) override { header_ = columns; }
  void row(const std::vector<Cell>& cells) override {
    std::vector<std::pair<std::string, bool>> r;
    for (const auto& c : cells) {
      if (const auto* s = std::get_if<std::string>(&c)) r.emplace_back(*s, false);
      else if (const auto* i = std::get_if<std::int64_t>(&c)) r.emplace_back(fmt::format("{}", *i), true);
      else r.emplace_back(fmt::format("{:.4f}", std::get<double>(c)), true);
    }
    rows_.push_back(std::move(r));
  }
  void finish() override {
    const std::size_t n = header_.size();
    std::vector<std::size_t> width(n, 0);
    std::vector<bool> numeric(n, true);
    for (std::size_t i = 0; i < n; ++i) width[i] = display_width(header_[i]);
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size() && i < n; ++i) {
        width[i] = std::max(width[i], display_width(r[i].first));
        if (!r[i].second) numeric[i] = false;
      }
    std::string out;
    auto cell = [&](const std::string& text, std::size_t i, bool right) {
      if (i) out += "  ";
      const std::size_t pad = width[i] - std::min(width[i], display_width(text));
      if (right) out.append(pad, ' ');
      out += text;
      if (!right && i + 1 < n) out.append(pad, ' ');
    };
    for (std::size_t i = 0; i < n; ++i) cell(header_[i], i, numeric[i] && !rows_.empty());
    out += '\n';
    sink_.write(out);
    for (const auto& r : rows_) {
      out.clear();
      for (std::size_t i = 0; i < r.size() && i < n; ++i) cell(r[i].first, i, r[i].second);
      out += '\n';
      sink_.write(out);
    }
  }

 private:
  Sink& sink_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::pair<std::string, bool>>> rows_;
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
  return std::make_unique<TableWriter>(sink);
}

}  // namespace mfrec::cli
