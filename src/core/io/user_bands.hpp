#pragma once
// Ratings put into bands of users as they are merged, so that a file in any
// order is put in user order without ever holding its ratings twice: each
// band is filled at its own cursor, in pages mapped as they are written, and
// then sorted by user into the Dataset one band at a time, each band's pages
// returned as soon as it is copied. The file order of a user's ratings is
// kept (interactions add up a pair's values in that order), but their place
// in the file is lost: a duplicate pair's lines must be found by reading the
// file again.
#include <cstdint>
#include <vector>

#include "mfrec/model/dataset.hpp"

namespace mfrec::detail {

// A growable array of ratings in its own anonymous mapping: it grows by
// mremap, without copying (and without the brief second copy a vector's
// growth holds), and its pages go back to the system when it is released.
class MappedRatings {
 public:
  MappedRatings() = default;
  MappedRatings(MappedRatings&& other) noexcept;
  MappedRatings& operator=(MappedRatings&& other) noexcept;
  ~MappedRatings() { release(); }

  void push_back(const Rating& r) {
    if (size_ == capacity_) grow();
    data_[size_++] = r;
  }
  const Rating* data() const { return data_; }
  std::size_t size() const { return size_; }
  void release();

 private:
  void grow();

  Rating* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // ratings; the mapping is capacity_ × 12 bytes, whole pages
};

class UserBands {
 public:
  static constexpr unsigned kUserBits = 12;  // 4,096 users a band

  void add(const Rating& r) {
    const std::size_t band = r.user >> kUserBits;
    if (band >= bands_.size()) bands_.resize(band + 1);
    bands_[band].push_back(r);
    ++size_;
  }
  std::uint64_t size() const { return size_; }

  // Appends every rating to `out`, grouped by ascending user, each user's in
  // the order added; empties the bands as it goes.
  void move_grouped_by_user(std::vector<Rating>& out);

 private:
  std::vector<MappedRatings> bands_;
  std::uint64_t size_ = 0;
};

}  // namespace mfrec::detail
