#include "output.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "mfrec/error.hpp"
#include "mpi_session.hpp"
#include "table_writer.hpp"
#include "text_width.hpp"

namespace mfrec::cli {

Sink::Sink(const std::string& path) : path_(path) {
  if (path.empty() || path == "-") {
    path_.clear();
    // Under mpirun a rank's stdout is a pseudo-terminal even when mpirun's
    // is a pipe or a file: the bytes must not depend on the launcher.
    terminal_ = ::isatty(STDOUT_FILENO) == 1 && !launched_by_mpi();
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

Format format_for_path(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return Format::Csv;
  std::string ext = path.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "tsv" || ext == "tab") return Format::Tsv;
  if (ext == "json") return Format::Json;
  if (ext == "jsonl" || ext == "ndjson") return Format::Jsonl;
  return Format::Csv;
}

Format default_format(const Sink& sink) {
  // CLI.md: a file by its extension, a table for a person at a terminal, CSV
  // for a pipe.
  if (!sink.path().empty()) return format_for_path(sink.path());
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

}  // namespace

std::unique_ptr<RecordWriter> make_writer(Format format, Sink& sink) {
  switch (format) {
    case Format::Csv: return std::make_unique<DelimitedWriter>(sink, ',');
    case Format::Tsv: return std::make_unique<DelimitedWriter>(sink, '\t');
    case Format::Json: return std::make_unique<JsonWriter>(sink, false);
    case Format::Jsonl: return std::make_unique<JsonWriter>(sink, true);
    case Format::Table: break;
  }
  return make_table_writer(sink, sink.is_terminal() ? terminal_columns() : 0, 0);
}

std::unique_ptr<RecordWriter> make_result_writer(std::optional<Format> given, Sink& sink, std::size_t max_rows) {
  if (given) return make_writer(*given, sink);
  const Format format = default_format(sink);
  if (format != Format::Table) return make_writer(format, sink);
  return make_table_writer(sink, terminal_columns(), max_rows);
}

}  // namespace mfrec::cli
