// The last step of reading: ratings from file order into the Dataset's
// (user, item) order, and the errors only the whole file can show: no
// ratings at all, or a pair rated twice, named by both its lines (which
// interactions add up instead, with a note).
#include <algorithm>
#include <limits>
#include <thread>

#include "io/rating_order.hpp"
#include "io/ratings_load.hpp"

namespace mfrec::detail {

namespace {

std::uint32_t line32(std::uint64_t line) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(line, std::numeric_limits<std::uint32_t>::max()));
}

// 12345 -> "12,345", for notes.
std::string with_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

void sort_refusing_duplicates(RatingsLoad& load, unsigned threads) {
  Dataset& data = load.data;
  if (const auto dup = sort_ratings(data.ratings, data.users.size(), threads)) {
    if (load.file_order_lost) throw FileOrderNeeded{};
    const std::uint32_t first = line32(load.lines.line_of(dup->first)), second = line32(load.lines.line_of(dup->second));
    throw Error(ErrorKind::Data,
                "duplicate rating for user '" + data.users.name(dup->user) + "' and item '" +
                    data.items.name(dup->item) + "' (lines " + std::to_string(first) + " and " +
                    std::to_string(second) + ")",
                Location{load.rows.name(), second, 0});
  }
}

// Interactions: a pair's rows are one interaction of their summed strength.
void sort_adding_up_repeats(RatingsLoad& load, unsigned threads) {
  Dataset& data = load.data;
  const AddedUp added = sort_adding_up(data.ratings, data.users.size(), threads);
  if (added.overflow)
    throw Error(ErrorKind::Data,
                "the values of user '" + data.users.name(added.overflow->first) + "' and item '" +
                    data.items.name(added.overflow->second) + "' add up beyond float range",
                Location{load.rows.name(), 0, 0});
  if (added.repeated_rows > 0)
    load.notes.push_back(with_thousands(added.repeated_rows) + " repeated user,item rows were added up into " +
                         with_thousands(added.repeated_pairs) + (added.repeated_pairs == 1 ? " pair" : " pairs"));
}

}  // namespace

void finish_ratings(RatingsLoad& load) {
  const ReadOptions& options = load.options;
  if (load.data.ratings.empty())
    throw Error(ErrorKind::Data,
                std::string("no ratings: every cell is empty or equal to ") +
                    (load.missing.texts().size() > 1 ? "one of the \"not rated\" values '" : "the \"not rated\" value '") +
                    options.missing + "'",
                Location{load.rows.name(), 0, 0});
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (options.interactions) {
    sort_adding_up_repeats(load, threads);
  } else {
    sort_refusing_duplicates(load, threads);
  }
}

}  // namespace mfrec::detail
