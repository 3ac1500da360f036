#pragma once
// Ratings in coordinate form with their id maps. Memory is proportional to
// the number of ratings: a dense users x items matrix is never built.
#include <cstdint>
#include <string>
#include <vector>

#include "mfrec/model/id_map.hpp"

namespace mfrec {

struct Rating {
  std::uint32_t user;
  std::uint32_t item;
  float value;
};

struct Dataset {
  IdMap users;
  IdMap items;
  // Sorted by (user, item): the seed's row-major order. No duplicates.
  std::vector<Rating> ratings;
  std::string source;  // file name, or "<stdin>"
};

// Smallest and largest rating; throws Error(Data) when `ratings` is empty.
struct RatingRange {
  float min;
  float max;
};
// `threads` share the work (0: all cores).
RatingRange rating_range(const std::vector<Rating>& ratings, unsigned threads = 1);

// Splits `data` into a training part and a held-out part of about `fraction`
// of the ratings, chosen by `seed`. Both keep `data`'s id maps and order.
struct Split {
  Dataset train;
  Dataset holdout;
};
Split split_holdout(const Dataset& data, double fraction, std::uint64_t seed);
// Which of `n` ratings split_holdout holds out (true: held out), for
// splitting in place. Throws as split_holdout does.
std::vector<bool> holdout_mask(std::size_t n, double fraction, std::uint64_t seed);

}  // namespace mfrec
