#pragma once
// The block grid behind parallel, deterministic SGD (as in LIBMF and the
// DSGD papers). Users and items are dealt into B bands each (B from the
// data size, never from the thread count), which cuts the rating matrix into
// B×B blocks. A stratum is B blocks sharing no user band and no item band,
// so its blocks touch disjoint rows of U, V and the biases: they can run in
// any order, on any number of threads, and give the same result as one by
// one. An epoch runs every stratum once, in a seeded order.
//
// Training renumbers users and items into "rows" so that every band is one
// contiguous run of rows, in a seeded order within the band: a block's
// working set is then one slice of U and one of V (a few MB at most), which
// caches and the TLB hold, and the seeded renumbering is what randomizes the
// order of updates, as LIBMF does.
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "util/parallel.hpp"

namespace mfrec::detail {

// B for a data set of `ratings` ratings: about 32k ratings a block, at most
// 32 bands.
std::uint32_t choose_bands(std::uint64_t ratings);

// One side of the grid (users or items): its band and row for every index.
struct BandLayout {
  std::vector<std::uint32_t> band;        // per index
  std::vector<std::uint32_t> row;         // per index: its row in training
  std::vector<std::uint32_t> band_begin;  // bands + 1 row offsets
};

// Measured with the k=32 kernel on a 30k-rating block: 1 run 70 M
// updates/s, 2 runs 84, 3 and 4 runs 88, 8 runs 84.
inline constexpr std::size_t kStreams = 4;

// A rating inside a block, its user and item as offsets from the first rows
// of the block's bands: 8 bytes instead of Rating's 12.
struct BlockRating {
  std::uint16_t user;
  std::uint16_t item;
  float value;
};
inline constexpr std::uint32_t kMaxCompactBand = 65536;

// A rating without its value, as a compact grid keeps it once training is
// over (drop_values): which items each user rated is all that is left to
// take from it.
struct BlockPair {
  std::uint16_t user;
  std::uint16_t item;
};

struct BlockGrid {
  std::uint32_t bands = 1;
  BandLayout users;
  BandLayout items;
  // Ratings with `user` and `item` holding training rows, grouped by block
  // (block = user band * bands + item band). Within a block they are sorted
  // by (user row, item row), cut into kStreams runs of equal length, and the
  // runs interleaved: rating j of run s is at j·kStreams + s. Consecutive
  // updates then touch different users (so the CPU overlaps them instead of
  // waiting for one user's row) while each run still walks U in order.
  //
  // When `compact`, the same order is held as BlockRatings at the front of
  // this vector's storage (its untouched tail is handed back to the OS), so
  // read it through compact_ratings(); rating() reads either form. After
  // drop_values (`pairs_only`) a compact grid holds BlockPairs instead:
  // for_each_pair still reads it, rating() no longer does.
  std::vector<Rating> ratings;
  std::vector<std::uint64_t> block_begin;  // bands² + 1 offsets into ratings
  bool compact = false;
  bool pairs_only = false;

  const BlockRating* compact_ratings() const {
    return std::launder(reinterpret_cast<const BlockRating*>(ratings.data()));
  }
  std::size_t size() const { return block_begin.back(); }
  // Rating `i` in grid order, with training rows; `block` is its block.
  Rating rating(std::size_t i, std::uint32_t block) const {
    if (!compact) return ratings[i];
    const BlockRating& r = compact_ratings()[i];
    return {users.band_begin[block / bands] + r.user, items.band_begin[block % bands] + r.item, r.value};
  }

  std::uint32_t block_of(std::uint32_t user, std::uint32_t item) const {
    return users.band[user] * bands + items.band[item];
  }

  // fn(user row, item row) for every rating of `block`, in grid order, in
  // whichever form the grid holds them.
  template <class Fn>
  void for_each_pair(std::uint32_t block, Fn&& fn) const {
    const std::size_t first = block_begin[block], last = block_begin[block + 1];
    if (!pairs_only) {
      for (std::size_t i = first; i < last; ++i) {
        const Rating r = rating(i, block);
        fn(r.user, r.item);
      }
      return;
    }
    const std::uint32_t user_base = users.band_begin[block / bands], item_base = items.band_begin[block % bands];
    const auto* pairs = std::launder(reinterpret_cast<const BlockPair*>(ratings.data()));
    for (std::size_t i = first; i < last; ++i) fn(user_base + pairs[i].user, item_base + pairs[i].item);
  }
};

// What make_grid builds: the matrix's size and how to deal it into bands.
struct GridShape {
  std::uint32_t users = 0;
  std::uint32_t items = 0;
  std::uint32_t bands = 1;
  std::uint64_t seed = 0;
  // false: the rows are the indices themselves (the sequential order needs
  // that, with one band).
  bool shuffle_rows = true;
  // Store the ratings compact when every band fits (shuffled grids only).
  bool allow_compact = true;
  unsigned threads = 1;
};

// Deals users and items into bands by a seeded shuffle (so bands are
// balanced whatever the id order), renumbers them into rows, and groups
// `ratings` (model indices in, consumed: rearranged in place) by block.
BlockGrid make_grid(std::vector<Rating> ratings, const GridShape& shape);

// Once training is over: keeps only the (user, item) of every rating, 4
// bytes each at the front of a compact grid's storage, and hands the rest
// back to the OS, so that the model's index of rated items can be built
// beside it without raising the peak. Leaves a grid that is not compact as
// it is.
void drop_values(BlockGrid& g);

// Which items each user rated, by model index: user u's are
// items[offsets[u] .. offsets[u + 1]), ascending.
// With each rated item, the rating it was given, as a code into `levels`
// (the distinct rating values, training scale, ascending); both empty when
// the ratings take more than RatingLevels::kMaxLevels values.
struct RatedItems {
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> items;
  std::vector<float> levels;
  std::vector<std::uint8_t> codes;  // parallel to items
};

// Every rating's value as a code into `levels` (the distinct values,
// ascending): the grid's in grid order, then `also_rated`'s in order. All
// empty when there are more than RatingLevels::kMaxLevels values. Needs
// the grid's values: before drop_values.
struct RatingCodes {
  std::vector<float> levels;
  std::vector<std::uint8_t> grid, also;
};
RatingCodes code_values(const BlockGrid& g, const std::vector<Rating>& also_rated, unsigned threads);

// The rated items of the grid's ratings and of `also_rated` (ratings not in
// the grid, with training rows), with their `codes` (code_values of the
// same). The grid's last use: it drops the values (drop_values), so the
// index is built beside 5 bytes a rating (pair and code), not 8, and then
// works in the ratings' storage, which holds no ratings after it (the band
// layouts stay).
RatedItems index_rated_items(BlockGrid& g, const std::vector<Rating>& also_rated, RatingCodes codes,
                             unsigned threads);

// The strata of one epoch, each a list of block ids: stratum s holds blocks
// (b, π(b + s mod B)) for a seeded permutation π of the item bands; the
// strata come in a seeded order. Every block appears exactly once.
std::vector<std::vector<std::uint32_t>> epoch_schedule(std::uint32_t bands, std::uint64_t seed, std::uint32_t epoch);

}  // namespace mfrec::detail
