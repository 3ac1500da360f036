#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fmt/format.h>

#include "mfrec/dist/read_across.hpp"
#include "table_writer.hpp"
#include "text_width.hpp"

namespace mfrec::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::size_t stderr_columns() {
  struct winsize ws {};
  if (::isatty(STDERR_FILENO) == 1 && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0) return ws.ws_col;
  return 0;
}

void StatusLine::show(const std::string& text) {
  if (!enabled_) return;
  std::fputs("\r\033[K", out_);  // to the line's start, and clear it
  std::fputs((width_ ? truncate_to_width(text, width_) : text).c_str(), out_);
  std::fflush(out_);
  shown_ = true;
}

void StatusLine::clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  shown_ = false;
}

std::string human_bytes(std::uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", n / 1024.0);
  if (n < std::uint64_t{1} << 30) return fmt::format("{:.1f} MiB", n / (1024.0 * 1024.0));
  return fmt::format("{:.2f} GiB", n / (1024.0 * 1024.0 * 1024.0));
}

std::string read_progress_text(const std::string& name, const ReadProgress& p, double seconds) {
  std::string text = fmt::format("reading {}  {}", name, human_bytes(p.bytes));
  if (p.total_bytes > 0)
    text += fmt::format(" of {} ({:.0f}%)", human_bytes(p.total_bytes),
                        100.0 * static_cast<double>(std::min(p.bytes, p.total_bytes)) / static_cast<double>(p.total_bytes));
  text += fmt::format("  {} rows", group_thousands(p.rows));
  if (seconds > 0) text += fmt::format("  {}/s", human_bytes(static_cast<std::uint64_t>(p.bytes / seconds)));
  return text;
}

std::string epoch_progress_text(const EpochReport& r, double seconds) {
  std::string text =
      fmt::format("epoch {}/{}  objective {:.4f}  train_rmse {:.4f}", r.epoch, r.epochs, r.objective, r.train_rmse);
  if (!std::isnan(r.validation_rmse)) text += fmt::format("  validation_rmse {:.4f}", r.validation_rmse);
  // The epochs left at the mean pace so far (early stopping may end sooner).
  if (r.epoch > 0 && r.epoch < r.epochs)
    text += fmt::format("  ETA {:.1f} s", seconds / r.epoch * (r.epochs - r.epoch));
  return text;
}

Dataset read_ratings_showing(const std::string& path, ReadOptions options, ReadReport* report, StatusLine& status,
                             const dist::Cluster* ranks) {
  if (status.enabled()) {
    const auto start = std::chrono::steady_clock::now();
    options.progress = [&, start](const ReadProgress& p) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      status.show(read_progress_text(path == "-" ? "standard input" : path, p, seconds));
    };
  }
  Dataset data = ranks && ranks->size() > 1 ? dist::read_ratings_across(*ranks, path, options, report)
                                           : read_ratings(path, options, report);
  status.clear();
  return data;
}

}  // namespace mfrec::cli
