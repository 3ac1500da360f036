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
  // The file written; empty for stdout.
  const std::string& path() const { return path_; }
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
// The format a file's extension names (CLI.md, second round): .csv, .tsv or
// .tab, .json, .jsonl or .ndjson (any case); CSV for any other.
Format format_for_path(const std::string& path);
// The format to use when none was given: a file's by its extension, else a
// table on a terminal and CSV for a pipe.
Format default_format(const Sink& sink);

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual void header(const std::vector<std::string>& columns) = 0;
  virtual void row(const std::vector<Cell>& cells) = 0;
  virtual void finish() = 0;
};

// A writer of `format`; a table fits the terminal's width but is never cut.
std::unique_ptr<RecordWriter> make_writer(Format format, Sink& sink);
// The writer of a command's result: the format `given` (never cut), else the
// destination's (default_format). That default table, on a terminal, shows
// at most `max_rows` rows (0: all) and only the columns that fit its width,
// and says in a footer what it left out (CLI.md, second round).
std::unique_ptr<RecordWriter> make_result_writer(std::optional<Format> given, Sink& sink, std::size_t max_rows);

// Writes `text` to stderr (for logs), ignoring failures.
void log_line(const std::string& text);

}  // namespace mfrec::cli
