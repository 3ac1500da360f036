// The bare parse loop of issue 14: reads a long-layout ratings file with
// fast-cpp-csv-parser alone (no interning, no checks beyond the library's)
// and prints how fast, the floor the ratings reader is measured against.
//   fccp_parse FILE [--space] [--no-header] [--exact] [--pieces N [--threads T] [--own-lines | --intern | --numeric-ids]]
//     --space      fields separated by one space (LIBMF's input), not commas
//     --no-header  the first line is a rating, not user,item,rating
//     --exact      the rating read as text and parsed by mfrec's parse_number
//                  (correctly rounded, as the reader must) instead of fccp's
//                  own parse_float, which accumulates digit by digit and can
//                  be one ulp off
//     --pieces N   the file cut at line boundaries into N pieces parsed on N
//                  threads, each by its own CSVReader over a byte source that
//                  preads its byte range (the parallel reader's shape)
//     --threads T  with --pieces: T threads take the pieces in file order
//                  (default N); each piece's LineReader allocates 48 MiB and
//                  touches as much of it as the piece is long
//     --own-lines  with --pieces: no LineReader; each thread preads a piece
//                  into one buffer it keeps, cuts lines itself and splits
//                  each with fccp's io::detail::parse_line (implies --exact)
//     --intern     as --own-lines, and names interned in one IdMap per thread,
//                  each piece noting the names it uses first, then merged in
//                  file order on one thread (the merge's time is printed
//                  apart; it is part of the total)
//     --numeric-ids as --intern, with ids that are decimal numbers interned
//                  through an array indexed by their value, not hashed
// Built twice: fccp_parse reads ahead on fccp's own thread, as the library
// does by default; fccp_parse_nothread defines CSV_IO_NO_THREAD and reads
// on the calling thread.
#include <fcntl.h>
#include <libfccp/csv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "io/parse_number.hpp"
#include "mfrec/model/dataset.hpp"
#include "mfrec/model/id_map.hpp"

namespace {

constexpr const char* kUsage =
    "usage: fccp_parse FILE [--space] [--no-header] [--exact] [--pieces N [--threads T] [--own-lines | --intern | --numeric-ids]]\n";

struct Options {
  const char* path = nullptr;
  bool space = false;
  bool header = true;
  bool exact = false;
  unsigned pieces = 0;  // 0: fccp opens the file itself
  unsigned threads = 0;  // 0: one per piece
  bool own_lines = false;
  bool intern = false;
  bool numeric_ids = false;
};

// Up to `size` bytes of `fd` from offset `at`; fewer only at the end of the file.
std::size_t pread_full(int fd, char* buffer, std::size_t size, off_t at) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd, buffer + done, size - done, at + static_cast<off_t>(done));
    if (got < 0) throw std::runtime_error("cannot read");
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

// Bytes [begin, end) of an open file, for one piece's LineReader. A read
// fills the buffer unless the range ends: LineReader takes a short first
// read for the end of its input.
class FileRangeSource : public io::ByteSourceBase {
 public:
  FileRangeSource(int fd, off_t begin, off_t end) : fd_(fd), next_(begin), end_(end) {}
  int read(char* buffer, int size) override {
    const auto wanted = static_cast<std::size_t>(std::min<off_t>(size, end_ - next_));
    const std::size_t got = pread_full(fd_, buffer, wanted, next_);
    next_ += static_cast<off_t>(got);
    return static_cast<int>(got);
  }

 private:
  int fd_;
  off_t next_, end_;
};

// The offset just past the first '\n' at or after `from` (the file's size if none).
off_t next_line_start(int fd, off_t from, off_t size) {
  char chunk[4096];
  for (off_t at = from; at < size;) {
    const ssize_t got = ::pread(fd, chunk, sizeof chunk, at);
    if (got <= 0) break;
    if (const void* nl = std::memchr(chunk, '\n', static_cast<std::size_t>(got)))
      return at + (static_cast<const char*>(nl) - chunk) + 1;
    at += got;
  }
  return size;
}

// Piece p covers [cuts[p], cuts[p + 1]); every cut but the ends starts a line.
std::vector<off_t> cut_at_lines(int fd, off_t size, unsigned pieces) {
  std::vector<off_t> cuts{0};
  for (unsigned p = 1; p < pieces; ++p)
    cuts.push_back(std::max(cuts.back(), next_line_start(fd, size * p / pieces, size)));
  cuts.push_back(size);
  return cuts;
}

struct Totals {
  long long rows = 0;
  double rating_sum = 0;     // printed, so that the parse is not optimised away
  std::size_t name_bytes = 0;  // likewise for the two names
};

template <char Separator>
using Reader = io::CSVReader<3, io::trim_chars<'\t'>, io::no_quote_escape<Separator>>;

template <char Separator>
Totals parse_rows(Reader<Separator>& reader, const Options& options, bool header) {
  if (header) reader.read_header(io::ignore_extra_column, "user", "item", "rating");
  Totals totals;
  char* user = nullptr;
  char* item = nullptr;
  if (options.exact) {
    char* rating_text = nullptr;
    while (reader.read_row(user, item, rating_text)) {
      const auto rating = mfrec::detail::parse_finite_number(rating_text);
      if (!rating) throw std::runtime_error("bad rating at line " + std::to_string(reader.get_file_line()));
      totals.rating_sum += *rating;
      totals.name_bytes += std::strlen(user) + std::strlen(item);
      ++totals.rows;
    }
  } else {
    double rating = 0;
    while (reader.read_row(user, item, rating)) {
      totals.rating_sum += rating;
      totals.name_bytes += std::strlen(user) + std::strlen(item);
      ++totals.rows;
    }
  }
  return totals;
}

// One line of a piece, split in place by fccp's tokenizer into user, item
// and rating; the rating parsed as the reader does.
struct SplitRow {
  char* user;
  char* item;
  double rating;
};

template <char Separator>
SplitRow split_row(char* line) {
  static const std::vector<int> kColumnOrder{0, 1, 2};
  char* row[3] = {};
  io::detail::parse_line<io::trim_chars<'\t'>, io::no_quote_escape<Separator>>(line, row, kColumnOrder);
  const auto rating = mfrec::detail::parse_finite_number(row[2]);
  if (!rating) throw std::runtime_error("bad rating");
  return {row[0], row[1], *rating};
}

template <char Separator>
void add_row(char* line, Totals& totals) {
  const SplitRow row = split_row<Separator>(line);
  totals.rating_sum += row.rating;
  totals.name_bytes += std::strlen(row.user) + std::strlen(row.item);
  ++totals.rows;
}

// Calls on_row(line) for each line of bytes [begin, end) of `fd` but a
// header, read into `buffer` (kept by the caller, so its pages are touched
// once per thread) and cut into lines as LineReader does.
template <class OnRow>
void for_each_own_line(int fd, off_t begin, off_t end, bool header, std::vector<char>& buffer, OnRow on_row) {
  buffer.resize(static_cast<std::size_t>(end - begin) + 1);
  if (pread_full(fd, buffer.data(), buffer.size() - 1, begin) != buffer.size() - 1)
    throw std::runtime_error("the file shrank");
  char* const stop = buffer.data() + buffer.size() - 1;
  *stop = '\n';  // a last line without its newline
  for (char* line = buffer.data(); line < stop;) {
    char* eol = static_cast<char*>(std::memchr(line, '\n', static_cast<std::size_t>(stop + 1 - line)));
    *eol = '\0';
    if (eol != line && eol[-1] == '\r') eol[-1] = '\0';
    if (!header) on_row(line);
    header = false;
    line = eol + 1;
  }
}

// Names that are canonical decimal numbers below 2^32, interned through an
// array indexed by their value instead of a hash table (--numeric-ids).
class NumericIds {
 public:
  std::uint32_t intern(std::string_view name) {
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
    if (ec != std::errc() || end != name.data() + name.size() || name.empty() || (name[0] == '0' && name.size() > 1))
      throw std::runtime_error("not a numeric id: " + std::string(name));
    if (value >= id_of_.size()) id_of_.resize(std::max<std::size_t>(value + 1, 2 * id_of_.size()), kUnset);
    std::uint32_t& id = id_of_[value];
    if (id == kUnset) {
      id = static_cast<std::uint32_t>(values_.size());
      values_.push_back(value);
    }
    return id;
  }
  std::string name(std::uint32_t id) const { return std::to_string(values_[id]); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(values_.size()); }

 private:
  static constexpr std::uint32_t kUnset = ~std::uint32_t{0};
  std::vector<std::uint32_t> id_of_, values_;
};

// The names one worker thread has seen, over all its pieces: one table per
// thread, kept warm and never rebuilt, so a row costs one probe of it. A
// name's stamp is the last piece (+1) of this worker that used it.
template <class Names>
struct WorkerNames {
  Names users, items;
  std::vector<std::uint32_t> user_stamp, item_stamp;
  std::vector<std::uint32_t> user_global, item_global;  // filled by the merge
};

// A piece's ratings in its worker's ids, and the worker ids of the names in
// the order they first appear in this piece.
struct InternedPiece {
  unsigned worker = 0;
  std::vector<std::uint32_t> first_users, first_items;
  std::vector<mfrec::Rating> ratings;
};

// The worker id of `name`, noted in `first` at its first use in piece `stamp`.
template <class Names>
std::uint32_t intern_noting_first(Names& names, std::vector<std::uint32_t>& stamps, std::uint32_t stamp,
                                  std::string_view name, std::vector<std::uint32_t>& first) {
  const std::uint32_t id = names.intern(name);
  if (id == stamps.size()) stamps.push_back(0);
  if (stamps[id] != stamp) {
    stamps[id] = stamp;
    first.push_back(id);
  }
  return id;
}

// The global ids of a piece's first-used names, in that order: a name new
// to the file first appears in the earliest piece that uses it, at its rank
// there, so ids follow first appearance in the file. A worker's name is
// hashed into the global table once, whichever of its pieces use it.
template <class Names>
void merge_names(const std::vector<std::uint32_t>& first, const Names& worker_names,
                 std::vector<std::uint32_t>& worker_global, Names& global) {
  constexpr std::uint32_t kUnset = ~std::uint32_t{0};
  for (std::uint32_t id : first) {
    if (id >= worker_global.size()) worker_global.resize(worker_names.size(), kUnset);
    if (worker_global[id] == kUnset) worker_global[id] = global.intern(worker_names.name(id));
  }
}

// Merges the pieces in file order and renumbers their ratings in place.
template <class Names>
Totals merge_in_file_order(std::vector<InternedPiece>& pieces, std::vector<WorkerNames<Names>>& workers) {
  Names users, items;
  Totals totals;
  for (InternedPiece& piece : pieces) {
    WorkerNames<Names>& w = workers[piece.worker];
    merge_names(piece.first_users, w.users, w.user_global, users);
    merge_names(piece.first_items, w.items, w.item_global, items);
    for (mfrec::Rating& r : piece.ratings) {
      r = {w.user_global[r.user], w.item_global[r.item], r.value};
      totals.rating_sum += r.value;
    }
    totals.rows += static_cast<long long>(piece.ratings.size());
  }
  for (std::uint32_t u = 0; u < users.size(); ++u) totals.name_bytes += users.name(u).size();
  for (std::uint32_t i = 0; i < items.size(); ++i) totals.name_bytes += items.name(i).size();
  return totals;
}

template <char Separator, class Names>
void intern_piece(int fd, off_t begin, off_t end, bool header, std::vector<char>& buffer, WorkerNames<Names>& w,
                  std::uint32_t stamp, InternedPiece& piece) {
  for_each_own_line(fd, begin, end, header, buffer, [&](char* line) {
    const SplitRow row = split_row<Separator>(line);
    piece.ratings.push_back({intern_noting_first(w.users, w.user_stamp, stamp, row.user, piece.first_users),
                             intern_noting_first(w.items, w.item_stamp, stamp, row.item, piece.first_items),
                             static_cast<float>(row.rating)});
  });
}

// One piece as --own-lines or by a CSVReader.
template <char Separator>
Totals parse_piece(const Options& options, int fd, off_t begin, off_t end, bool header, std::vector<char>& buffer) {
  Totals totals;
  if (options.own_lines) {
    for_each_own_line(fd, begin, end, header, buffer, [&](char* line) { add_row<Separator>(line, totals); });
  } else {
    Reader<Separator> reader(options.path, std::make_unique<FileRangeSource>(fd, begin, end));
    totals = parse_rows(reader, options, header);
  }
  return totals;
}

Totals add_up(const std::vector<Totals>& pieces) {
  Totals sum;
  for (const Totals& piece : pieces) {
    sum.rows += piece.rows;
    sum.rating_sum += piece.rating_sum;
    sum.name_bytes += piece.name_bytes;
  }
  return sum;
}

// merge_in_file_order, its time printed apart.
template <class Names>
Totals merge_timed(std::vector<InternedPiece>& pieces, std::vector<WorkerNames<Names>>& workers) {
  const auto start = std::chrono::steady_clock::now();
  const Totals totals = merge_in_file_order(pieces, workers);
  std::printf("merge seconds %.3f  ", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return totals;
}

template <char Separator, class Names>
Totals parse_pieces(const Options& options) {
  const int fd = ::open(options.path, O_RDONLY);
  struct stat st{};
  if (fd < 0 || ::fstat(fd, &st) != 0) throw std::runtime_error(std::string("cannot open ") + options.path);
  const std::vector<off_t> cuts = cut_at_lines(fd, st.st_size, options.pieces);
  std::vector<Totals> totals(options.pieces);
  std::vector<InternedPiece> interned(options.pieces);
  const unsigned thread_count = options.threads ? options.threads : options.pieces;
  std::vector<WorkerNames<Names>> workers(thread_count);
  std::vector<std::exception_ptr> errors(options.pieces);
  std::atomic<unsigned> next_piece{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < thread_count; ++t)
    threads.emplace_back([&, t] {
      std::vector<char> buffer;
      for (unsigned p; (p = next_piece++) < options.pieces;) {
        try {
          const bool header = options.header && p == 0;
          if (options.intern) {
            interned[p].worker = t;
            intern_piece<Separator>(fd, cuts[p], cuts[p + 1], header, buffer, workers[t], p + 1, interned[p]);
          } else {
            totals[p] = parse_piece<Separator>(options, fd, cuts[p], cuts[p + 1], header, buffer);
          }
        } catch (...) {
          errors[p] = std::current_exception();
        }
      }
    });
  for (auto& t : threads) t.join();
  ::close(fd);
  for (unsigned p = 0; p < options.pieces; ++p)
    if (errors[p]) std::rethrow_exception(errors[p]);
  return options.intern ? merge_timed(interned, workers) : add_up(totals);
}

template <char Separator>
Totals parse_file(const Options& options) {
  if (options.pieces > 0 && options.numeric_ids) return parse_pieces<Separator, NumericIds>(options);
  if (options.pieces > 0) return parse_pieces<Separator, mfrec::IdMap>(options);
  Reader<Separator> reader(options.path);
  return parse_rows(reader, options, options.header);
}

bool parse_arguments(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--space") options.space = true;
    else if (arg == "--no-header") options.header = false;
    else if (arg == "--exact") options.exact = true;
    else if (arg == "--own-lines") options.own_lines = true;
    else if (arg == "--intern") options.intern = true;
    else if (arg == "--numeric-ids") options.intern = options.numeric_ids = true;
    else if (arg == "--threads" && i + 1 < argc) options.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (arg == "--pieces" && i + 1 < argc) options.pieces = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (!arg.starts_with("--") && !options.path) options.path = argv[i];
    else return false;
  }
  return options.path != nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_arguments(argc, argv, options)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const Totals totals = options.space ? parse_file<' '>(options) : parse_file<','>(options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("rows %lld  seconds %.3f  rows/s %.3g  (rating sum %.6g, name bytes %zu)\n", totals.rows, seconds,
                static_cast<double>(totals.rows) / seconds, totals.rating_sum, totals.name_bytes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fccp_parse: %s\n", e.what());
    return 1;
  }
  return 0;
}
