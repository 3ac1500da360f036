#pragma once
// Result writers: aligned tables for people, CSV/TSV (RFC 4180 quoting) and
// JSON / JSON Lines for programs. Rows are streamed except in table form,
// which must see every row to align the columns.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mfrec/io/atomic_file.hpp"

namespace mfrec::cli {

enum class Format { Table, Csv, Tsv, Json, Jsonl };

// A result cell. std::monostate is a value that is undefined (the mean of no
// users): null in JSON, an empty field in CSV, TSV and tables.
using Cell = std::variant<std::string, std::int64_t, double, std::monostate>;
inline const Cell kNull{std::monostate{}};

// Where results go: stdout, or a file written atomically.
class Sink {
 public:
  // `path` empty: stdout.
  explicit Sink(const std::string& path);
  std::FILE* stream();
  bool is_terminal() const { return terminal_; }
  // Writes `text`; throws StdoutClosed when a reader went away (EPIPE).
  void write(std::string_view text);
  void commit();

 private:
  std::string path_;
  std::unique_ptr<AtomicFile> file_;
  bool terminal_ = false;
};

// Thrown when stdout's reader has gone (`| head -1`): not an error.
struct StdoutClosed {};

// Parses a --format value; nullopt for "" (choose by destination).
std::optional<Format> parse_format(const std::string& text);
// The format to use when none was given: table on a terminal, else CSV.
Format default_format(const Sink& sink);

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual void header(const std::vector<std::string>& columns) = 0;
  virtual void row(const std::vector<Cell>& cells) = 0;
  virtual void finish() = 0;
};

std::unique_ptr<RecordWriter> make_writer(Format format, Sink& sink);

// Writes `text` to stderr (for logs), ignoring failures.
void log_line(const std::string& text);

}  // namespace mfrec::cli
