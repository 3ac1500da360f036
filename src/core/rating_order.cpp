#include "rating_order.hpp"

#include <algorithm>
#include <bit>

namespace mfrec::detail {

namespace {

bool grouped_by_user(const std::vector<Rating>& ratings) {
  return std::is_sorted(ratings.begin(), ratings.end(), [](const Rating& a, const Rating& b) { return a.user < b.user; });
}

// A stable counting sort by user: each user's ratings stay in file order.
std::vector<Rating> regroup_by_user(const std::vector<Rating>& ratings, std::uint32_t user_count) {
  std::vector<std::uint64_t> next(std::size_t{user_count} + 1, 0);
  for (const Rating& r : ratings) ++next[r.user + 1];
  for (std::size_t u = 1; u < next.size(); ++u) next[u] += next[u - 1];
  std::vector<Rating> out(ratings.size());
  for (const Rating& r : ratings) out[next[r.user]++] = r;
  return out;
}

// The file-order position of user `user`'s `rank`-th rating (0-based).
std::uint64_t position_of(const std::vector<Rating>& file_order, std::uint32_t user, std::uint64_t rank) {
  for (std::uint64_t i = 0; i < file_order.size(); ++i) {
    if (file_order[i].user == user && rank-- == 0) return i;
  }
  return file_order.size();  // not reached: the rating exists
}

// Sorts one user's run at a time by item. A run is usually short (tens of
// ratings), so rather than a comparison sort it places each rating in one of
// about n buckets by the high bits of its item's offset in the run's span (a
// counting sort), which leaves only neighbours out of order, and finishes with
// an insertion sort: linear time, whatever the size of the catalogue. A run
// whose items crowd into few buckets goes to std::sort instead.
class RunSorter {
 public:
  // Sorts `run[0..n)` (one user's ratings, in file order). On a duplicate,
  // returns the smallest item rated twice and leaves the run as it was, so
  // that the ranks of its ratings can still be found.
  std::optional<std::uint32_t> sort(Rating* run, std::size_t n) {
    std::uint32_t lo = run[0].item, hi = run[0].item;
    bool ascending = true;
    for (std::size_t i = 1; i < n; ++i) {
      ascending &= run[i - 1].item < run[i].item;
      lo = std::min(lo, run[i].item);
      hi = std::max(hi, run[i].item);
    }
    if (ascending) return std::nullopt;
    if (!by_buckets(run, n, lo, hi)) by_comparison(run, n);
    for (std::size_t i = 1; i < n; ++i)
      if (placed_[i - 1].item == placed_[i].item) return placed_[i].item;
    std::copy(placed_.begin(), placed_.begin() + static_cast<std::ptrdiff_t>(n), run);
    return std::nullopt;
  }

 private:
  // Leaves the run sorted in placed_; false if the insertion sort would take
  // too long (the items crowd into few buckets).
  bool by_buckets(const Rating* run, std::size_t n, std::uint32_t lo, std::uint32_t hi) {
    const int bucket_bits = std::bit_width(n);  // 2^bits > n buckets
    const int span_bits = std::bit_width(hi - lo);
    const int shift = std::max(0, span_bits - bucket_bits);
    starts_.assign((std::size_t{1} << bucket_bits) + 1, 0);
    for (std::size_t i = 0; i < n; ++i) ++starts_[((run[i].item - lo) >> shift) + 1];
    for (std::size_t b = 1; b < starts_.size(); ++b) starts_[b] += starts_[b - 1];
    placed_.resize(n);
    for (std::size_t i = 0; i < n; ++i) placed_[starts_[(run[i].item - lo) >> shift]++] = run[i];
    std::size_t budget = 8 * n;  // moves; a fair spread needs about n / 4
    for (std::size_t i = 1; i < n; ++i) {
      const Rating r = placed_[i];
      std::size_t j = i;
      for (; j > 0 && placed_[j - 1].item > r.item; --j) {
        if (budget-- == 0) return false;
        placed_[j] = placed_[j - 1];
      }
      placed_[j] = r;
    }
    return true;
  }

  void by_comparison(const Rating* run, std::size_t n) {
    placed_.assign(run, run + n);
    std::sort(placed_.begin(), placed_.end(), [](const Rating& a, const Rating& b) { return a.item < b.item; });
  }

  std::vector<std::size_t> starts_;  // where each bucket's next rating goes
  std::vector<Rating> placed_;         // the run being sorted
};

}  // namespace

std::optional<DuplicateRating> sort_ratings(std::vector<Rating>& ratings, std::uint32_t user_count) {
  std::vector<Rating> file_order;  // kept only when ratings had to be regrouped
  if (!grouped_by_user(ratings)) {
    file_order = regroup_by_user(ratings, user_count);
    file_order.swap(ratings);
  }
  RunSorter sorter;
  for (std::size_t begin = 0, end = 0; begin < ratings.size(); begin = end) {
    const std::uint32_t user = ratings[begin].user;
    for (end = begin + 1; end < ratings.size() && ratings[end].user == user;) ++end;
    const auto item = sorter.sort(ratings.data() + begin, end - begin);
    if (!item) continue;
    // Runs are visited by ascending user, so this is the smallest pair; its
    // first two ratings, by rank in the run, which is in file order.
    std::uint64_t ranks[2] = {0, 0};
    for (std::size_t i = begin, found = 0; found < 2; ++i)
      if (ratings[i].item == *item) ranks[found++] = i - begin;
    auto position = [&](std::uint64_t rank) {
      return file_order.empty() ? begin + rank : position_of(file_order, user, rank);
    };
    return DuplicateRating{user, *item, position(ranks[0]), position(ranks[1])};
  }
  return std::nullopt;
}

}  // namespace mfrec::detail
