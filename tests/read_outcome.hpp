#pragma once
// What one read of a ratings input gave (a Dataset and its report, or an
// Error), written out so that reads split every way can be compared with
// one another and with answers written by hand; and inputs that are not
// files: memory, stdin and FIFOs fed by a writer thread. Shared by the
// parallel reader's tests and the tests of reading across ranks.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::testing {

// --- what one read gave ---------------------------------------------------------------

struct Outcome {
  bool ok = false;
  // When ok: the Dataset and what the report said.
  std::vector<std::string> users, items;
  std::vector<Rating> ratings;
  std::string source;
  std::string report;
  // Else: the error.
  ErrorKind kind = ErrorKind::Internal;
  std::string message;
  Location where;
};

inline std::vector<std::string> names_of(const IdMap& ids) {
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < ids.size(); ++i) out.push_back(ids.name(i));
  return out;
}

inline std::string report_text(const ReadReport& r) {
  std::ostringstream s;
  s << layout_name(r.layout) << ", " << delimiter_name(r.delimiter) << ", " << r.rows << " rows, header "
    << r.header << ", columns " << r.user_column << " '" << r.user_name << "' " << r.item_column << " '"
    << r.item_name << "' " << r.rating_column << " '" << r.rating_name << "', " << r.skipped_cells << " skipped";
  for (const auto& note : r.notes) s << "; note: " << note;
  return s.str();
}

using Reader = std::function<Dataset(const ReadOptions&, ReadReport*)>;

// Any exception but mfrec::Error escapes, and fails the test.
inline Outcome outcome_of(const Reader& read, const ReadOptions& options) {
  Outcome o;
  try {
    ReadReport report;
    const Dataset d = read(options, &report);
    o.ok = true;
    o.users = names_of(d.users);
    o.items = names_of(d.items);
    o.ratings = d.ratings;
    o.source = d.source;
    o.report = report_text(report);
  } catch (const Error& e) {
    o.kind = e.kind();
    o.message = e.message();
    o.where = e.where().value_or(Location{"(no location)", 0, 0});
  }
  return o;
}

inline std::string rating_text(const Outcome& o, const Rating& r) {
  std::ostringstream s;
  s << o.users.at(r.user) << "/" << o.items.at(r.item) << "/" << r.value;
  return s.str();
}

// The outcome as the expectations below write it: "ann/x/4 bob/y/3.5", the
// ratings in the Dataset's order, or "line:column message" (the file is the
// input's; another kind than Data is named).
inline std::string written_out(const Outcome& o) {
  if (!o.ok) {
    const std::string kind = o.kind == ErrorKind::Data ? "" : "kind " + std::to_string(static_cast<int>(o.kind)) + ": ";
    return kind + std::to_string(o.where.line) + ":" + std::to_string(o.where.column) + " " + o.message;
  }
  std::string out;
  for (const Rating& r : o.ratings) out += (out.empty() ? "" : " ") + rating_text(o, r);
  return out;
}

inline std::string summary(const Outcome& o) {
  if (!o.ok) return o.where.file + ":" + written_out(o);
  return std::to_string(o.ratings.size()) + " ratings, " + std::to_string(o.users.size()) + " users, " +
         std::to_string(o.items.size()) + " items from " + o.source + " (" + o.report + ")";
}

inline bool same_rating(const Rating& a, const Rating& b) {
  const auto bits = [](float f) { return std::bit_cast<std::uint32_t>(f); };
  return a.user == b.user && a.item == b.item && bits(a.value) == bits(b.value);
}

// "" when `want` and `got` are the same outcome, else where they part.
inline std::string difference(const Outcome& want, const Outcome& got) {
  const std::string a = summary(want), b = summary(got);
  if (a != b) return "want " + a + "\n got " + b;
  if (!want.ok) return "";
  if (want.users != got.users) return "the users differ (names in index order)";
  if (want.items != got.items) return "the items differ (names in index order)";
  for (std::size_t i = 0; i < want.ratings.size(); ++i)
    if (!same_rating(want.ratings[i], got.ratings[i]))
      return "rating " + std::to_string(i) + ": want " + rating_text(want, want.ratings[i]) + ", got " +
             rating_text(got, got.ratings[i]);
  return "";
}

// --- where the input comes from ------------------------------------------------------

// Memory, named `name` (a file's path, "<stdin>"), so that its outcome can
// stand for the file's or stdin's.
inline Reader from_memory(const std::string& name, const std::string& text) {
  return [name, text](const ReadOptions& o, ReadReport* report) {
    CsvRowReader rows = CsvRowReader::from_string(name, text, o.delimiter);
    return read_ratings(rows, o, report);
  };
}

inline Reader from_path(const std::string& path) {
  return [path](const ReadOptions& o, ReadReport* report) { return read_ratings(path, o, report); };
}

// SIGPIPE ignored while this lives: a reader that stops at an error closes
// its end of a pipe, and the writer's next write must fail, not kill the test.
class SigpipeIgnored {
 public:
  SigpipeIgnored() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &saved_);
  }
  ~SigpipeIgnored() { ::sigaction(SIGPIPE, &saved_, nullptr); }
  SigpipeIgnored(const SigpipeIgnored&) = delete;
  SigpipeIgnored& operator=(const SigpipeIgnored&) = delete;

 private:
  struct sigaction saved_ {};
};

// Writes all of `text` to what `open` returns on a thread of its own, in
// pieces of 4 KiB (so the reader sees short reads), until done or a write
// fails; then closes it.
class Writer {
 public:
  Writer(std::function<int()> open, std::string text)
      : thread_([open = std::move(open), text = std::move(text)] {
          const int fd = open();
          if (fd < 0) return;
          for (std::size_t at = 0; at < text.size();) {
            const ssize_t n = ::write(fd, text.data() + at, std::min<std::size_t>(4096, text.size() - at));
            if (n <= 0) break;
            at += static_cast<std::size_t>(n);
          }
          ::close(fd);
        }) {}
  ~Writer() { thread_.join(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

 private:
  std::thread thread_;
};

// While this lives, fd 0 is a pipe fed with `text`.
class StdinFrom {
 public:
  explicit StdinFrom(std::string text) : saved_(::dup(0)), writer_(pipe_into_stdin(), std::move(text)) {}
  ~StdinFrom() {
    ::dup2(saved_, 0);  // closes the pipe's read end: a writer still writing stops
    ::close(saved_);
  }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;

 private:
  // Puts the pipe's read end on fd 0; its write end is the writer's.
  static std::function<int()> pipe_into_stdin() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    return [fd = fds[1]] { return fd; };
  }

  SigpipeIgnored sigpipe_;
  int saved_;
  Writer writer_;
};

// While this lives, a writer feeds `text` to the FIFO at `path` once a
// reader opens it.
class FifoFrom {
 public:
  FifoFrom(std::string path, std::string text)
      : path_(std::move(path)),
        writer_([p = path_] { return ::open(p.c_str(), O_WRONLY | O_CLOEXEC); }, std::move(text)) {}
  ~FifoFrom() {
    // Releases a writer still waiting in open() (a reader that never opened
    // the FIFO); with no reader left, its writes then fail.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
  FifoFrom(const FifoFrom&) = delete;
  FifoFrom& operator=(const FifoFrom&) = delete;

 private:
  SigpipeIgnored sigpipe_;
  std::string path_;
  Writer writer_;  // joined after the destructor's body has released it
};

}  // namespace mfrec::testing
