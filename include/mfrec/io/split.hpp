#pragma once
// A seeded train/test split of a ratings file, written in the file's own
// layout, delimiter and header (`mfrec split`). The file is read twice: once
// by read_ratings, which checks it as `train` would (a row train rejects is
// rejected with the same error) and says what it decided, then line by line,
// copying each line's bytes to the part its rating belongs to.
//   long: every rating line goes to one part, byte for byte (quotes, extra
//         columns, CRLF), in file order; the header line goes to both.
//   wide: both parts are the whole matrix (header, user names, unrated
//         cells as they are); a rated cell keeps its text in its part and is
//         the first "not rated" value (--missing, default 0) in the other.
// Blank lines, which the reader skips, are left out; a UTF-8 BOM starts both.
// The held-out ratings are drawn from the seed over the ratings in the
// reader's (user, item) order, as `train --validation` draws its own (the
// same seed holds out the same ratings), whatever the thread count.
// Throws what read_ratings throws, Error(Usage) for a fraction outside
// (0, 1), Error(Data) when a part would be empty, Error(Interrupted) when
// `stop` is raised; whatever a sink throws ends the split.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "mfrec/io/ratings_reader.hpp"

namespace mfrec {

struct SplitOptions {
  double test_fraction = 0.2;  // in (0, 1), exclusive
  std::uint64_t seed = 42;     // the CLI passes train's default
  // false: exactly round(test_fraction * n) of the n ratings are held out;
  // true: round(test_fraction * n_u) of each user's n_u ratings, but never
  // all of them (a user with one rating keeps it in training).
  bool by_user = false;
  ReadOptions read;  // how to read the file, as `train` reads it
  // Checked between rows; once true, the split throws Error(Interrupted).
  const std::atomic<bool>* stop = nullptr;
  void validate() const;
};

// What was written: ratings (long: lines; wide: rated cells) in each part.
struct SplitCounts {
  std::uint64_t ratings = 0;
  std::uint64_t train = 0;
  std::uint64_t test = 0;
};

// Receives a part's bytes, in order, in chunks of about a megabyte.
using ByteSink = std::function<void(std::string_view)>;

// `path` "-" reads stdin, held in memory since it cannot be read twice.
SplitCounts split_ratings(const std::string& path, const SplitOptions& options, const ByteSink& train,
                          const ByteSink& test, ReadReport* report = nullptr);
// Splits `text`; `name` is the file name errors give.
SplitCounts split_ratings_text(std::string name, std::string text, const SplitOptions& options, const ByteSink& train,
                               const ByteSink& test, ReadReport* report = nullptr);

}  // namespace mfrec
