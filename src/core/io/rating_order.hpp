#pragma once
// Puts ratings read in file order into the Dataset's order, sorted by (user,
// item), and finds the duplicate pair the reader must report. Files are
// usually grouped by user (then user indices, given in order of first
// appearance, already ascend), so the common case sorts each user's short run
// in place; otherwise ratings are first regrouped by user with a stable
// counting sort, at the cost of a second copy. Interactions add up their
// repeated pairs instead (sort_adding_up).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "mfrec/model/dataset.hpp"

namespace mfrec::detail {

// A (user, item) pair rated more than once: the first two of its ratings, as
// positions in file order.
struct DuplicateRating {
  std::uint32_t user;
  std::uint32_t item;
  std::uint64_t first;
  std::uint64_t second;
};

// Below this many ratings per thread, sorting more runs on one thread beats
// starting another: sort_ratings uses at most ratings.size() / this threads.
inline constexpr std::size_t kMinRatingsPerThread = 50000;

// Sorts `ratings`, given in file order with user indices below `user_count`,
// by (user, item). If some pair occurs twice, returns the smallest such pair
// instead, and leaves `ratings` in an unspecified order. Sorts the users' runs
// on up to `threads` threads (0 counts as 1; 1 starts none), in contiguous
// ranges of users: the sorted ratings and the duplicate reported are the same
// for any number of threads.
std::optional<DuplicateRating> sort_ratings(std::vector<Rating>& ratings, std::uint32_t user_count,
                                            unsigned threads);

// The pairs rated more than once, once sort_adding_up has added them up.
struct AddedUp {
  std::uint64_t repeated_rows = 0;   // the ratings of those pairs
  std::uint64_t repeated_pairs = 0;  // the pairs
  // The smallest (user, item) whose sum is beyond float range, if any; its
  // rating in `ratings` is then 0.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> overflow;
};

// Sorts `ratings` as sort_ratings does, but a pair rated more than once
// becomes one rating holding the sum of its values, added in file order in
// double and rounded once to float: the same for any number of threads, as
// each pair is summed whole by one thread.
AddedUp sort_adding_up(std::vector<Rating>& ratings, std::uint32_t user_count, unsigned threads);

}  // namespace mfrec::detail
