#pragma once
// The line each rating came from, for the one error that needs it once a file
// is loaded: a duplicate pair, which names both lines. Instead of a line per
// rating it keeps a checkpoint wherever a rating's line is not the expected
// one (after a header, a blank line, a new wide row), so a long file without
// blank lines costs one checkpoint in all.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace mfrec::detail {

class RatingLines {
 public:
  // `line_per_rating`: each rating has a line of its own (long layout), so
  // the expected line of the next rating is the next line; otherwise (wide
  // layout) it is the same line.
  explicit RatingLines(bool line_per_rating) : step_(line_per_rating ? 1 : 0) {}

  // The rating at file-order `position` came from `line`; positions ascend.
  void add(std::uint64_t position, std::uint64_t line) {
    if (checkpoints_.empty() || expected(checkpoints_.back(), position) != line)
      checkpoints_.push_back({position, line});
  }

  // The line of the rating at `position`, which must have been added.
  std::uint64_t line_of(std::uint64_t position) const {
    auto after = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), position,
                                  [](std::uint64_t p, const Checkpoint& c) { return p < c.position; });
    return expected(*(after - 1), position);
  }

  // Adds the lines of `other`, whose positions and lines count from
  // `position` and `line` here.
  void append(const RatingLines& other, std::uint64_t position, std::uint64_t line) {
    for (const Checkpoint& c : other.checkpoints_) add(position + c.position, line + c.line);
  }

  std::size_t checkpoints() const { return checkpoints_.size(); }

  // Where a rating's line is not the expected one. add()ing these, in order,
  // to an empty RatingLines rebuilds this one (a parsed piece sent to
  // another rank, dist/reader_wire.cpp).
  struct Checkpoint {
    std::uint64_t position;
    std::uint64_t line;
  };
  const std::vector<Checkpoint>& checkpoint_list() const { return checkpoints_; }

 private:
  std::uint64_t expected(const Checkpoint& c, std::uint64_t position) const {
    return c.line + step_ * (position - c.position);
  }

  std::uint64_t step_;
  std::vector<Checkpoint> checkpoints_;
};

}  // namespace mfrec::detail
