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

// An item and a value in one integer, so a run sorts by item with plain
// integer compares (the value only orders duplicates, which are refused).
std::uint64_t key_of(const Rating& r) { return std::uint64_t{r.item} << 32 | std::bit_cast<std::uint32_t>(r.value); }
std::uint32_t item_of(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32); }

// Sorts one user's run at a time by item. A run is usually short (tens of
// ratings) over a catalogue of thousands, so rather than a comparison sort it
// marks the run's items in a bitmap with their values beside, and reads them
// back in order: the cost is the run plus its item span / 64, and is taken
// when that span is small enough; otherwise std::sort.
class RunSorter {
 public:
  explicit RunSorter(std::uint32_t item_count)
      : marks_((std::size_t{item_count} + 63) / 64, 0), values_(item_count) {}

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
    const std::size_t words = hi / 64 - lo / 64 + 1;
    // Skipping an empty word is far cheaper than a comparison, hence 16.
    if (words <= 16 * n && by_bitmap(run, n, lo / 64, words)) return std::nullopt;
    return by_comparison(run, n);
  }

 private:
  // False, with nothing changed, when an item occurs twice.
  bool by_bitmap(Rating* run, std::size_t n, std::size_t first_word, std::size_t words) {
    std::uint64_t* marks = marks_.data() + first_word;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t item = run[i].item;
      const std::uint64_t bit = std::uint64_t{1} << (item % 64);
      std::uint64_t& word = marks_[item / 64];
      if (word & bit) {
        std::fill(marks, marks + words, 0);
        return false;
      }
      word |= bit;
      values_[item] = run[i].value;
    }
    std::size_t out = 0;
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = marks[w]; bits != 0; bits &= bits - 1) {
        const auto item = static_cast<std::uint32_t>((first_word + w) * 64 + static_cast<unsigned>(std::countr_zero(bits)));
        run[out++] = Rating{run[0].user, item, values_[item]};
      }
      marks[w] = 0;
    }
    return true;
  }

  std::optional<std::uint32_t> by_comparison(Rating* run, std::size_t n) {
    scratch_.resize(n);
    for (std::size_t i = 0; i < n; ++i) scratch_[i] = key_of(run[i]);
    std::sort(scratch_.begin(), scratch_.end());
    for (std::size_t i = 1; i < n; ++i)
      if (item_of(scratch_[i - 1]) == item_of(scratch_[i])) return item_of(scratch_[i]);
    for (std::size_t i = 0; i < n; ++i)
      run[i] = Rating{run[i].user, item_of(scratch_[i]), std::bit_cast<float>(static_cast<std::uint32_t>(scratch_[i]))};
    return std::nullopt;
  }

  std::vector<std::uint64_t> marks_;  // all zero between runs
  std::vector<float> values_;         // by item, valid where marked
  std::vector<std::uint64_t> scratch_;
};

}  // namespace

std::optional<DuplicateRating> sort_ratings(std::vector<Rating>& ratings, std::uint32_t user_count,
                                            std::uint32_t item_count) {
  std::vector<Rating> file_order;  // kept only when ratings had to be regrouped
  if (!grouped_by_user(ratings)) {
    file_order = regroup_by_user(ratings, user_count);
    file_order.swap(ratings);
  }
  RunSorter sorter(item_count);
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
