// The last step of reading: ratings from file order into the Dataset's
// (user, item) order, and the errors only the whole file can show: no
// ratings at all, or a pair rated twice, named by both its lines.
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

}  // namespace

void finish_ratings(RatingsLoad& load) {
  const ReadOptions& options = load.options;
  Dataset& data = load.data;
  if (data.ratings.empty())
    throw Error(ErrorKind::Data,
                std::string("no ratings: every cell is empty or equal to ") +
                    (load.missing_texts.size() > 1 ? "one of the \"not rated\" values '" : "the \"not rated\" value '") +
                    options.missing + "'",
                Location{load.rows.name(), 0, 0});
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (const auto dup = sort_ratings(data.ratings, data.users.size(), threads)) {
    const std::uint32_t first = line32(load.lines.line_of(dup->first)), second = line32(load.lines.line_of(dup->second));
    throw Error(ErrorKind::Data,
                "duplicate rating for user '" + data.users.name(dup->user) + "' and item '" +
                    data.items.name(dup->item) + "' (lines " + std::to_string(first) + " and " +
                    std::to_string(second) + ")",
                Location{load.rows.name(), second, 0});
  }
}

}  // namespace mfrec::detail
