#include "io/rating_order.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>

#include "util/parallel.hpp"

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
// whose items crowd into few buckets goes to std::stable_sort instead. Every
// step is stable, so the ratings of an item rated twice stay in file order,
// the order in which add_up adds them.
class RunSorter {
 public:
  // Sorts `run[0..n)` (one user's ratings, in file order). On a duplicate,
  // returns the smallest item rated twice and leaves the run as it was, so
  // that the ranks of its ratings can still be found.
  std::optional<std::uint32_t> sort(Rating* run, std::size_t n) {
    const Rating* sorted = order(run, n);
    if (!sorted) return std::nullopt;
    for (std::size_t i = 1; i < n; ++i)
      if (sorted[i - 1].item == sorted[i].item) return sorted[i].item;
    std::copy(sorted, sorted + n, run);
    return std::nullopt;
  }

  // A run once its repeated items are added up.
  struct AddedRun {
    std::size_t kept = 0;              // ratings written
    std::uint64_t repeated_rows = 0;   // ratings of the items rated more than once
    std::uint64_t repeated_pairs = 0;  // those items
    std::optional<std::uint32_t> overflow;  // the first item whose sum is beyond float range
  };
  // Writes `run[0..n)` sorted by item to `out` (at or before `run`), each item
  // rated more than once as one rating: the sum of its values in file order,
  // added in double and rounded once.
  AddedRun add_up(const Rating* run, std::size_t n, Rating* out) {
    const Rating* sorted = order(run, n);
    if (!sorted) {
      if (out != run) std::copy(run, run + n, out);
      return AddedRun{n, 0, 0, std::nullopt};
    }
    AddedRun added;
    for (std::size_t i = 0, next = 0; i < n; i = next) {
      double sum = sorted[i].value;
      for (next = i + 1; next < n && sorted[next].item == sorted[i].item; ++next) sum += sorted[next].value;
      if (next - i > 1) {
        added.repeated_rows += next - i;
        ++added.repeated_pairs;
      }
      const bool finite = std::fabs(sum) <= std::numeric_limits<float>::max();
      if (!finite && !added.overflow) added.overflow = sorted[i].item;
      out[added.kept++] = Rating{sorted[i].user, sorted[i].item, finite ? static_cast<float>(sum) : 0.0f};
    }
    return added;
  }

 private:
  // The run sorted by item (stably), in placed_; nullptr when it already
  // ascends strictly, as files grouped by user and item do.
  const Rating* order(const Rating* run, std::size_t n) {
    std::uint32_t lo = run[0].item, hi = run[0].item;
    bool ascending = true;
    for (std::size_t i = 1; i < n; ++i) {
      ascending &= run[i - 1].item < run[i].item;
      lo = std::min(lo, run[i].item);
      hi = std::max(hi, run[i].item);
    }
    if (ascending) return nullptr;
    if (!by_buckets(run, n, lo, hi)) by_comparison(run, n);
    return placed_.data();
  }

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
    std::stable_sort(placed_.begin(), placed_.end(), [](const Rating& a, const Rating& b) { return a.item < b.item; });
  }

  std::vector<std::size_t> starts_;  // where each bucket's next rating goes
  std::vector<Rating> placed_;         // the run being sorted
};

// The first run of a range holding a duplicate: where it lies in the
// ratings, and the smallest item rated twice in it (the run is as it was).
struct RunDuplicate {
  std::size_t begin;
  std::size_t end;
  std::uint32_t item;
};

// Calls visit(run_begin, run_end) for each user's run of ratings[begin, end),
// a range grouped by user and cut at user boundaries, in order, until it
// returns true.
template <class Visit>
void for_each_run(const Rating* ratings, std::size_t begin, std::size_t end, Visit visit) {
  for (std::size_t run_end = begin; begin < end; begin = run_end) {
    const std::uint32_t user = ratings[begin].user;
    for (run_end = begin + 1; run_end < end && ratings[run_end].user == user;) ++run_end;
    if (visit(begin, run_end)) return;
  }
}

// Sorts the runs of ratings[begin, end), a range grouped by user and cut at
// user boundaries, by ascending user, and stops at the first run with a
// duplicate. Also stops, returning nothing, once `stop()` says that the
// range's result is no longer needed.
template <class Stop>
std::optional<RunDuplicate> sort_runs(Rating* ratings, std::size_t begin, std::size_t end, Stop stop) {
  RunSorter sorter;
  std::optional<RunDuplicate> duplicate;
  for_each_run(ratings, begin, end, [&](std::size_t run_begin, std::size_t run_end) {
    if (const auto item = sorter.sort(ratings + run_begin, run_end - run_begin))
      duplicate = RunDuplicate{run_begin, run_end, *item};
    return duplicate || stop();
  });
  return duplicate;
}

// The runs of a range, their repeated items added up (RunSorter::add_up) and
// moved down to close the gaps: ratings[begin, begin + kept) holds them.
struct RangeAddedUp {
  std::size_t kept = 0;
  std::uint64_t repeated_rows = 0;
  std::uint64_t repeated_pairs = 0;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> overflow;  // the range's first (user, item)
};

RangeAddedUp add_up_runs(Rating* ratings, std::size_t begin, std::size_t end) {
  RunSorter sorter;
  RangeAddedUp range;
  for_each_run(ratings, begin, end, [&](std::size_t run_begin, std::size_t run_end) {
    const std::uint32_t user = ratings[run_begin].user;
    const auto run = sorter.add_up(ratings + run_begin, run_end - run_begin, ratings + begin + range.kept);
    if (run.overflow && !range.overflow) range.overflow = {{user, *run.overflow}};
    range.kept += run.kept;
    range.repeated_rows += run.repeated_rows;
    range.repeated_pairs += run.repeated_pairs;
    return false;
  });
  return range;
}

// Cuts ratings (grouped by user) into at most `parts` ranges of about equal
// numbers of ratings, at user boundaries: the ranges' starts, then the end.
std::vector<std::size_t> cut_at_users(const std::vector<Rating>& ratings, std::size_t parts) {
  const std::size_t n = ratings.size();
  std::vector<std::size_t> cuts{0};
  for (std::size_t k = 1; k < parts; ++k) {
    const std::size_t cut = n / parts * k + n % parts * k / parts;  // n * k / parts, without overflow
    if (cut <= cuts.back()) continue;  // inside the previous range's last user
    // Past the last rating of the user the cut falls in (users ascend).
    const auto next = std::upper_bound(ratings.begin() + static_cast<std::ptrdiff_t>(cut), ratings.end(),
                                       ratings[cut - 1].user,
                                       [](std::uint32_t user, const Rating& r) { return user < r.user; });
    if (next == ratings.end()) break;
    cuts.push_back(static_cast<std::size_t>(next - ratings.begin()));
  }
  cuts.push_back(n);
  return cuts;
}

// The ranges (cut_at_users) for `threads` threads, at least
// kMinRatingsPerThread ratings each: one range, {0, n}, for a small input.
std::vector<std::size_t> thread_ranges(const std::vector<Rating>& ratings, unsigned threads) {
  const std::size_t parts = std::min<std::size_t>(threads, ratings.size() / kMinRatingsPerThread);
  return parts <= 1 ? std::vector<std::size_t>{0, ratings.size()} : cut_at_users(ratings, parts);
}

// Sorts every run of `ratings` (grouped by user) as sort_runs does over the
// whole vector, and returns the same duplicate: ranges of users go to up to
// `threads` threads, and the duplicate is the one of the lowest range that
// has one. Ranges above it may have sorted more runs than sort_runs would
// have; all ranges below it are sorted, as they would have been. An
// exception in a range below it is thrown instead, as the sequential sort
// would have met it first.
std::optional<RunDuplicate> sort_all_runs(std::vector<Rating>& ratings, unsigned threads) {
  const std::vector<std::size_t> cuts = thread_ranges(ratings, threads);
  const std::size_t ranges = cuts.size() - 1;
  if (ranges == 1) return sort_runs(ratings.data(), 0, ratings.size(), [] { return false; });

  std::vector<std::optional<RunDuplicate>> found(ranges);
  // The lowest range known to end in a duplicate or an exception: the ranges
  // above it need not finish.
  std::atomic<std::size_t> lowest_done{ranges};
  const auto done = [&](std::size_t r) {
    std::size_t lowest = lowest_done.load(std::memory_order_relaxed);
    while (r < lowest && !lowest_done.compare_exchange_weak(lowest, r, std::memory_order_relaxed)) {
    }
  };
  try {
    // One range per thread (ranges <= threads); parallel_for hands out the
    // ranges in order, so every range below one that throws runs too.
    parallel_for(static_cast<std::uint32_t>(ranges), threads, [&](std::uint32_t r) {
      try {
        found[r] = sort_runs(ratings.data(), cuts[r], cuts[r + 1],
                             [&] { return lowest_done.load(std::memory_order_relaxed) < r; });
      } catch (...) {
        done(r);
        throw;
      }
      if (found[r]) done(r);
    });
  } catch (...) {
    // parallel_for rethrows the lowest range's exception, which set
    // lowest_done unless a range below it has a duplicate: that comes first.
    const std::size_t r = lowest_done.load();
    if (found[r]) return found[r];
    throw;
  }
  // The lowest range with a duplicate always finishes (only a range below it
  // could stop it), so it is the one lowest_done names.
  const std::size_t r = lowest_done.load();
  if (r < ranges) return found[r];
  return std::nullopt;
}

}  // namespace

std::optional<DuplicateRating> sort_ratings(std::vector<Rating>& ratings, std::uint32_t user_count, unsigned threads) {
  std::vector<Rating> file_order;  // kept only when ratings had to be regrouped
  if (!grouped_by_user(ratings)) {
    file_order = regroup_by_user(ratings, user_count);
    file_order.swap(ratings);
  }
  const auto run = sort_all_runs(ratings, std::max(1u, threads));
  if (!run) return std::nullopt;
  // Runs are sorted by ascending user, so this is the smallest pair; its
  // first two ratings, by rank in the run, which is in file order.
  const std::uint32_t user = ratings[run->begin].user;
  std::uint64_t ranks[2] = {0, 0};
  for (std::size_t i = run->begin, found = 0; found < 2; ++i)
    if (ratings[i].item == run->item) ranks[found++] = i - run->begin;
  auto position = [&](std::uint64_t rank) {
    return file_order.empty() ? run->begin + rank : position_of(file_order, user, rank);
  };
  return DuplicateRating{user, run->item, position(ranks[0]), position(ranks[1])};
}

AddedUp sort_adding_up(std::vector<Rating>& ratings, std::uint32_t user_count, unsigned threads) {
  if (!grouped_by_user(ratings)) ratings = regroup_by_user(ratings, user_count);
  threads = std::max(1u, threads);
  const std::vector<std::size_t> cuts = thread_ranges(ratings, threads);
  std::vector<RangeAddedUp> ranges(cuts.size() - 1);
  parallel_for(static_cast<std::uint32_t>(ranges.size()), threads,
               [&](std::uint32_t r) { ranges[r] = add_up_runs(ratings.data(), cuts[r], cuts[r + 1]); });
  // Each range kept its sums at its start: close the gaps between them.
  AddedUp total;
  std::size_t end = 0;
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    if (end != cuts[r]) std::copy_n(ratings.data() + cuts[r], ranges[r].kept, ratings.data() + end);
    end += ranges[r].kept;
    total.repeated_rows += ranges[r].repeated_rows;
    total.repeated_pairs += ranges[r].repeated_pairs;
    if (!total.overflow) total.overflow = ranges[r].overflow;
  }
  ratings.resize(end);
  return total;
}

}  // namespace mfrec::detail
