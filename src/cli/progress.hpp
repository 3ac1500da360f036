#pragma once
// Live progress on stderr for a person at a terminal: one status line,
// redrawn in place ("\r", clear to the end of the line), cleared before any
// permanent line. Off (drawing nothing) when stderr is not a terminal or
// with -q; the commands then log as before.
#include <cstdio>
#include <string>

#include "mfrec/dist/cluster.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec::cli {

// stderr is a terminal.
bool stderr_is_terminal();
// Columns of the terminal on stderr; 0 when unknown.
std::size_t stderr_columns();

class StatusLine {
 public:
  // Draws on `out` only when `enabled`, each text cut to `width` columns
  // (0: as is), since "\r" cannot go back over a wrapped line. The default
  // width is stderr's terminal's, less one.
  StatusLine(std::FILE* out, bool enabled, std::size_t width = stderr_columns() - (stderr_columns() > 0))
      : out_(out), enabled_(enabled), width_(width) {}
  ~StatusLine() { clear(); }
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  bool enabled() const { return enabled_; }
  // Replaces the status line with `text`.
  void show(const std::string& text);
  // Removes the status line, if one is shown.
  void clear();

 private:
  std::FILE* out_;
  bool enabled_;
  std::size_t width_;
  bool shown_ = false;
};

// "reading ratings.csv  12.3 MiB of 678.0 MiB (2%)  1,234,567 rows  45.6 MiB/s"
std::string read_progress_text(const std::string& name, const ReadProgress& p, double seconds);
// "epoch 7/20  objective 123.4567  train_rmse 0.8123  validation_rmse 0.9  ETA 3.2 s"
// `seconds`: time since training started.
std::string epoch_progress_text(const EpochReport& r, double seconds);

// read_ratings, showing its progress on `status` (when enabled) and clearing
// it when done. With `ranks` (more than one), every rank reads its share
// and returns the whole Dataset (dist::read_ratings_across).
Dataset read_ratings_showing(const std::string& path, ReadOptions options, ReadReport* report, StatusLine& status,
                             const dist::Cluster* ranks = nullptr);

// "1.5 KiB": a size as a person reads it.
std::string human_bytes(std::uint64_t n);

}  // namespace mfrec::cli
