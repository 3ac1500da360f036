#pragma once
// The second reading of `split` (mfrec/io/split.hpp): the file's lines
// copied to the part their ratings were drawn for. Private to split.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/line_source.hpp"
#include "io/missing_values.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/io/split.hpp"

namespace mfrec::detail {

// Error(Interrupted) once the caller's stop flag is raised.
[[noreturn]] void throw_split_interrupted();
// Error(Io): read_ratings accepted the file, so every line of it parses and
// names known ids; one that does not means the file changed in between.
[[noreturn]] void throw_file_changed(const std::string& file);

// A set of (user, item) index pairs: open addressing over 64-bit keys, at
// most half full, so that a lookup is one hash and nearly always one cache
// line (the copying pass looks up every line of the file, in file order).
class PairSet {
 public:
  explicit PairSet(std::size_t count);
  void insert(std::uint32_t user, std::uint32_t item);
  bool contains(std::uint32_t user, std::uint32_t item) const;

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // no pair: indices stop below 2^32-1
  std::size_t slot_of(std::uint64_t key) const;
  std::vector<std::uint64_t> slots_;
  unsigned shift_ = 63;
};

// Which ratings go to the test part, by ids; the id maps for the names.
class HeldOut {
 public:
  // `held` by rating, in data.ratings' (user, item) order. Keeps the pairs
  // of the smaller part only: at most half the ratings, 16 to 32 bytes each
  // (8-byte keys in a table kept at most half full).
  HeldOut(const Dataset& data, const std::vector<bool>& held);
  const IdMap& users() const { return users_; }
  const IdMap& items() const { return items_; }
  std::uint64_t ratings() const { return ratings_; }
  bool test(std::uint32_t user, std::uint32_t item) const { return pairs_.contains(user, item) == pairs_are_test_; }

 private:
  const IdMap& users_;
  const IdMap& items_;
  std::uint64_t ratings_;
  bool pairs_are_test_;
  PairSet pairs_;
};

// Buffers a part's bytes for its sink.
class PartWriter {
 public:
  explicit PartWriter(const ByteSink& sink) : sink_(sink) {}
  void add(std::string_view bytes) {
    buffer_.append(bytes);
    if (buffer_.size() >= kFlushBytes) flush();
  }
  void flush() {
    if (!buffer_.empty()) sink_(buffer_);
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
  const ByteSink& sink_;
  std::string buffer_;
};

// How the lines are to be read: what read_ratings decided.
struct CopyRules {
  const ReadReport& report;
  MissingValues missing;  // wide: the cells that are not ratings
  const std::atomic<bool>* stop = nullptr;
};

// Copies every line of `lines` (BOM and header to both parts, blank lines
// to neither) and returns the ratings written to each part.
SplitCounts copy_split(LineSource& lines, const CopyRules& rules, const HeldOut& held, PartWriter& train,
                       PartWriter& test);

}  // namespace mfrec::detail
