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

// The ratings read_ratings loaded, and which of them go to the test part.
class HeldOut {
 public:
  // `held` by rating, in data.ratings' (user, item) order.
  HeldOut(const Dataset& data, std::vector<bool> held);
  const Dataset& data() const { return data_; }
  // Whether user `user`'s rating of `item` is held out. Throws Error(Io)
  // when there is no such rating: the file changed since it was read.
  bool test(std::uint32_t user, std::uint32_t item) const;

 private:
  const Dataset& data_;
  std::vector<bool> held_;
  std::vector<std::uint64_t> user_begin_;  // where each user's ratings start; one more for the end
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
