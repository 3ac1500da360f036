// split_ratings: checks and loads the file with read_ratings, draws the
// held-out ratings from the seed, then copies the file's lines to the parts
// (split_copy.cpp).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numeric>

#include "io/split_copy.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/split.hpp"
#include "util/random.hpp"

namespace mfrec {

void SplitOptions::validate() const {
  if (test_fraction > 0.0 && test_fraction < 1.0) return;
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, test_fraction).ptr;
  throw Error(ErrorKind::Usage, "--test must be between 0 and 1 (exclusive), not " + std::string(text, end));
}

namespace {

// The input, read twice: a file by its path, or text (stdin, held).
struct SplitInput {
  std::string path;  // empty: `text`
  std::string name;
  std::string text;
};

CsvRowReader open_rows(const SplitInput& in, Delimiter delimiter) {
  if (in.path.empty()) return CsvRowReader::from_string(in.name, in.text, delimiter);
  return CsvRowReader::open_file(in.path, delimiter);
}

detail::LineSource open_lines(SplitInput& in) {
  if (in.path.empty()) return detail::LineSource::from_text(std::move(in.text), in.name);
  const int fd = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorKind::Open, "cannot open " + in.path + ": " + std::strerror(errno));
  return detail::LineSource::from_fd(fd, true, in.path);
}

// A signal while waiting for input ends the wait (EINTR): `stop` says
// whether it was one that ends the split.
std::string read_stdin(const std::atomic<bool>* stop) {
  std::string text;
  std::size_t used = 0;
  while (true) {
    if (used == text.size()) text.resize(std::max<std::size_t>(2 * text.size(), std::size_t{1} << 16));
    const ssize_t n = ::read(0, text.data() + used, text.size() - used);
    if (n > 0) {
      used += static_cast<std::size_t>(n);
    } else if (n == 0) {
      break;
    } else if (errno == EINTR && stop && stop->load(std::memory_order_relaxed)) {
      detail::throw_split_interrupted();
    } else if (errno != EINTR) {
      throw Error(ErrorKind::Io, std::string("cannot read: ") + std::strerror(errno), Location{"<stdin>", 0, 0});
    }
  }
  text.resize(used);
  return text;
}

// round(fraction * n_u) of each user's n_u ratings, never all of them, by a
// partial seeded shuffle of the user's ratings.
std::vector<bool> by_user_mask(const std::vector<Rating>& ratings, double fraction, std::uint64_t seed) {
  std::vector<bool> held(ratings.size(), false);
  Rng rng(seed, kStreamHoldout);
  std::vector<std::uint32_t> order;
  std::size_t end = 0;
  for (std::size_t begin = 0; begin < ratings.size(); begin = end) {
    while (end < ratings.size() && ratings[end].user == ratings[begin].user) ++end;
    const std::size_t n = end - begin;
    const auto take =
        std::min<std::size_t>(static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n))), n - 1);
    order.resize(n);
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    for (std::size_t i = 0; i < take; ++i) {
      std::swap(order[i], order[i + rng.below(n - i)]);
      held[begin + order[i]] = true;
    }
  }
  if (std::find(held.begin(), held.end(), true) == held.end())
    throw Error(ErrorKind::Data,
                "--by-user holds out round(FRAC x n) of each user's n ratings, and that is 0 for "
                "every user here: raise --test, or split without --by-user");
  return held;
}

// The ratings of `data` (in its order) that go to the test part.
std::vector<bool> test_mask(const Dataset& data, const SplitOptions& o) {
  if (o.by_user) return by_user_mask(data.ratings, o.test_fraction, o.seed);
  return holdout_mask(data.ratings.size(), o.test_fraction, o.seed);  // train --validation's draw
}

// read.progress, raising Error(Interrupted) once `stop` is.
ReadOptions reading_options(const SplitOptions& o) {
  ReadOptions read = o.read;
  read.interactions = false;
  if (!o.stop) return read;
  read.progress = [stop = o.stop, chained = o.read.progress](const ReadProgress& p) {
    if (chained) chained(p);
    if (stop->load(std::memory_order_relaxed)) detail::throw_split_interrupted();
  };
  return read;
}

// Reads and checks the file as train does; returns the held-out pairs.
detail::HeldOut draw(const SplitInput& in, const SplitOptions& o, const ReadOptions& read, Dataset& data,
                     ReadReport& report) {
  CsvRowReader rows = open_rows(in, read.delimiter);
  data = read_ratings(rows, read, &report);
  detail::HeldOut held(data, test_mask(data, o));
  std::vector<Rating>().swap(data.ratings);  // `held` has what it needs: freed for the copy
  return held;
}

SplitCounts split_input(SplitInput in, const SplitOptions& o, const ByteSink& train, const ByteSink& test,
                        ReadReport* report) {
  o.validate();
  const ReadOptions read = reading_options(o);
  ReadReport decided;
  Dataset data;  // its id maps, for the names of the lines
  const detail::HeldOut held = draw(in, o, read, data, decided);
  detail::LineSource lines = open_lines(in);
  detail::PartWriter train_part(train), test_part(test);
  const detail::CopyRules rules{decided, detail::MissingValues(read.missing), o.stop};
  SplitCounts counts = detail::copy_split(lines, rules, held, train_part, test_part);
  counts.ratings = held.ratings();
  if (counts.train + counts.test != counts.ratings) detail::throw_file_changed(in.name);
  train_part.flush();
  test_part.flush();
  if (report) *report = std::move(decided);
  return counts;
}

}  // namespace

SplitCounts split_ratings(const std::string& path, const SplitOptions& options, const ByteSink& train,
                          const ByteSink& test, ReadReport* report) {
  if (path == "-") return split_ratings_text("<stdin>", read_stdin(options.stop), options, train, test, report);
  return split_input(SplitInput{path, path, {}}, options, train, test, report);
}

SplitCounts split_ratings_text(std::string name, std::string text, const SplitOptions& options, const ByteSink& train,
                               const ByteSink& test, ReadReport* report) {
  return split_input(SplitInput{{}, std::move(name), std::move(text)}, options, train, test, report);
}

}  // namespace mfrec
