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

bool items_ascend(const Rating* run, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i)
    if (run[i - 1].item >= run[i].item) return false;
  return true;
}

// An item and a value in one integer, so a run sorts by item with plain
// integer compares (the value only orders duplicates, which are refused).
std::uint64_t key_of(const Rating& r) { return std::uint64_t{r.item} << 32 | std::bit_cast<std::uint32_t>(r.value); }
std::uint32_t item_of(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32); }

// Sorts one user's run (in file order) by item, through `scratch`. On a
// duplicate, returns the smallest item rated twice and leaves the run as it
// was, so that the ranks of its ratings can still be found.
std::optional<std::uint32_t> sort_run(Rating* run, std::size_t n, std::vector<std::uint64_t>& scratch) {
  if (items_ascend(run, n)) return std::nullopt;
  scratch.resize(n);
  for (std::size_t i = 0; i < n; ++i) scratch[i] = key_of(run[i]);
  std::sort(scratch.begin(), scratch.end());
  for (std::size_t i = 1; i < n; ++i)
    if (item_of(scratch[i - 1]) == item_of(scratch[i])) return item_of(scratch[i]);
  for (std::size_t i = 0; i < n; ++i)
    run[i] = Rating{run[i].user, item_of(scratch[i]), std::bit_cast<float>(static_cast<std::uint32_t>(scratch[i]))};
  return std::nullopt;
}

}  // namespace

std::optional<DuplicateRating> sort_ratings(std::vector<Rating>& ratings, std::uint32_t user_count) {
  std::vector<Rating> file_order;  // kept only when ratings had to be regrouped
  if (!grouped_by_user(ratings)) {
    file_order = regroup_by_user(ratings, user_count);
    file_order.swap(ratings);
  }
  std::vector<std::uint64_t> scratch;
  for (std::size_t begin = 0, end = 0; begin < ratings.size(); begin = end) {
    const std::uint32_t user = ratings[begin].user;
    for (end = begin + 1; end < ratings.size() && ratings[end].user == user;) ++end;
    const auto item = sort_run(ratings.data() + begin, end - begin, scratch);
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
