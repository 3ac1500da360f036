#include "train/block_grid.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "train/rating_levels.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace mfrec::detail {

std::uint32_t choose_bands(std::uint64_t ratings) {
  const double b = std::ceil(std::sqrt(static_cast<double>(ratings) / 32768.0));
  return static_cast<std::uint32_t>(std::clamp(b, 1.0, 32.0));
}

namespace {

// Hands the whole pages inside [begin, end) back to the OS; reading them
// again would give zeros, and nothing reads them.
void release_pages(unsigned char* begin, unsigned char* end) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
  const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(end) / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

// Deals indices 0..n-1 round-robin, in a seeded order, into `bands` bands;
// the p-th index dealt gets the row band_begin[p mod B] + p div B, so a
// band's rows are contiguous and in dealing order.
BandLayout deal(std::uint32_t n, std::uint32_t bands, Rng* rng) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (rng) rng->shuffle(order.begin(), order.end());
  BandLayout side;
  side.band.resize(n);
  side.row.resize(n);
  side.band_begin.assign(std::size_t{bands} + 1, 0);
  for (std::uint32_t b = 0; b < bands; ++b) side.band_begin[b + 1] = side.band_begin[b] + n / bands + (b < n % bands);
  for (std::uint32_t p = 0; p < n; ++p) {
    side.band[order[p]] = p % bands;
    side.row[order[p]] = side.band_begin[p % bands] + p / bands;
  }
  return side;
}

// Moves every rating from `begin` on into its bucket's range, in place (an
// American flag sort: each misplaced rating is swapped straight to the next
// free slot of its bucket), so grouping needs no second copy of the ratings.
// bucket_begin holds the buckets' offsets from `begin`, and one past the end.
template <class Key>
void flag_sort(Rating* begin, const std::vector<std::uint64_t>& bucket_begin, Key key) {
  const std::size_t buckets = bucket_begin.size() - 1;
  std::vector<std::uint64_t> next(bucket_begin.begin(), bucket_begin.end() - 1);
  for (std::size_t b = 0; b < buckets; ++b) {
    while (next[b] < bucket_begin[b + 1]) {
      Rating r = begin[next[b]];
      std::size_t target = key(r);
      while (target != b) {
        std::swap(r, begin[next[target]++]);
        target = key(r);
      }
      begin[next[b]++] = r;
    }
  }
}

// Offsets of the blocks [first, last) from the start of block `first`.
std::vector<std::uint64_t> block_offsets(const BlockGrid& g, std::uint32_t first, std::uint32_t last) {
  std::vector<std::uint64_t> offsets(g.block_begin.begin() + first, g.block_begin.begin() + last + 1);
  for (auto& o : offsets) o -= g.block_begin[first];
  return offsets;
}

struct SortScratch {
  std::vector<Rating> by_item, by_user;  // one block each
  std::vector<std::uint32_t> counts;
};

// One block's ratings (rows already) sorted by (user row, item row) with two
// stable counting sorts over its band-local rows, then dealt into kStreams
// interleaved runs (see BlockGrid::ratings). The block fits in cache, and so
// does the scratch.
void sort_block(Rating* block, std::size_t n, std::uint32_t user_base, std::uint32_t user_width,
                std::uint32_t item_base, std::uint32_t item_width, SortScratch& scratch) {
  scratch.by_item.resize(std::max(scratch.by_item.size(), n));
  scratch.by_user.resize(std::max(scratch.by_user.size(), n));
  auto counting_sort = [&](const Rating* from, Rating* to, std::uint32_t width, auto key) {
    scratch.counts.assign(std::size_t{width} + 1, 0);
    for (const Rating* r = from; r != from + n; ++r) ++scratch.counts[key(*r) + 1];
    std::partial_sum(scratch.counts.begin(), scratch.counts.end(), scratch.counts.begin());
    for (const Rating* r = from; r != from + n; ++r) to[scratch.counts[key(*r)]++] = *r;
  };
  counting_sort(block, scratch.by_item.data(), item_width, [&](const Rating& r) { return r.item - item_base; });
  counting_sort(scratch.by_item.data(), scratch.by_user.data(), user_width,
                [&](const Rating& r) { return r.user - user_base; });
  const std::size_t run = (n + kStreams - 1) / kStreams;
  for (std::size_t j = 0; j < run; ++j)
    for (std::size_t s = 0; s < kStreams && j + s * run < n; ++s) *block++ = scratch.by_user[j + s * run];
}

// One user band's ratings, renumbered into rows and put in block order: in
// place by item band, then block by block.
void sort_user_band(std::uint32_t user_band, const std::vector<std::uint32_t>& item_band_of_row, BlockGrid& g,
                    SortScratch& scratch) {
  const std::uint32_t first_block = user_band * g.bands;
  Rating* begin = g.ratings.data() + g.block_begin[first_block];
  Rating* end = g.ratings.data() + g.block_begin[first_block + g.bands];
  for (Rating* r = begin; r != end; ++r) {
    r->user = g.users.row[r->user];
    r->item = g.items.row[r->item];
  }
  flag_sort(begin, block_offsets(g, first_block, first_block + g.bands),
            [&](const Rating& r) { return item_band_of_row[r.item]; });
  const std::uint32_t user_base = g.users.band_begin[user_band];
  const std::uint32_t user_width = g.users.band_begin[user_band + 1] - user_base;
  for (std::uint32_t item_band = 0; item_band < g.bands; ++item_band) {
    const std::uint32_t b = first_block + item_band;
    const std::uint32_t item_base = g.items.band_begin[item_band];
    sort_block(g.ratings.data() + g.block_begin[b], g.block_begin[b + 1] - g.block_begin[b], user_base, user_width,
               item_base, g.items.band_begin[item_band + 1] - item_base, scratch);
  }
}

// Rewrites the grid's ratings as BlockRatings at the front of the same
// storage, block by block from the start: rating i's 8 bytes land at 8i,
// never past the 12i where it (and everything after it) still is. Then the
// whole pages of the unused tail go back to the OS, which is what keeps a
// large data set's peak memory at 8 bytes a rating while training.
void compact_in_place(BlockGrid& g) {
  Rating* from = g.ratings.data();
  auto* bytes = reinterpret_cast<unsigned char*>(g.ratings.data());
  const std::uint32_t blocks = g.bands * g.bands;
  for (std::uint32_t b = 0; b < blocks; ++b) {
    const std::uint32_t user_base = g.users.band_begin[b / g.bands];
    const std::uint32_t item_base = g.items.band_begin[b % g.bands];
    for (std::uint64_t i = g.block_begin[b]; i < g.block_begin[b + 1]; ++i) {
      const Rating r = from[i];
      new (bytes + i * sizeof(BlockRating)) BlockRating{static_cast<std::uint16_t>(r.user - user_base),
                                                         static_cast<std::uint16_t>(r.item - item_base), r.value};
    }
  }
  g.compact = true;
  release_pages(bytes + g.size() * sizeof(BlockRating), bytes + g.ratings.capacity() * sizeof(Rating));
}

}  // namespace

BlockGrid make_grid(std::vector<Rating> ratings, const GridShape& shape) {
  const std::uint32_t users = shape.users, items = shape.items;
  const bool shuffle_rows = shape.shuffle_rows;
  const unsigned threads = shape.threads;
  BlockGrid g;
  g.bands = std::max(1u, shape.bands);
  Rng rng(shape.seed, kStreamBands);
  g.users = deal(users, g.bands, shuffle_rows ? &rng : nullptr);
  g.items = deal(items, g.bands, shuffle_rows ? &rng : nullptr);
  const std::uint32_t blocks = g.bands * g.bands;
  g.block_begin.assign(std::size_t{blocks} + 1, 0);
  for (const auto& r : ratings) ++g.block_begin[g.block_of(r.user, r.item) + 1];
  std::partial_sum(g.block_begin.begin(), g.block_begin.end(), g.block_begin.begin());
  g.ratings = std::move(ratings);
  // With one band and the indices as rows, the input's (user, item) order
  // already is the block order.
  if (!shuffle_rows && g.bands == 1) return g;
  // The user band's range of ratings is its blocks' range.
  std::vector<std::uint64_t> user_band_begin(g.bands + 1);
  for (std::uint32_t b = 0; b <= g.bands; ++b) user_band_begin[b] = g.block_begin[b * g.bands];
  flag_sort(g.ratings.data(), user_band_begin, [&](const Rating& r) { return g.users.band[r.user]; });
  std::vector<std::uint32_t> item_band_of_row(items);
  for (std::uint32_t i = 0; i < items; ++i) item_band_of_row[g.items.row[i]] = g.items.band[i];
  // Each user band on its own, so threads share the work; the result does
  // not depend on which thread sorts which band.
  std::vector<SortScratch> scratch(std::max(1u, std::min(threads, g.bands)));
  parallel_for(g.bands, threads, [&](std::uint32_t band, unsigned worker) {
    sort_user_band(band, item_band_of_row, g, scratch[worker]);
  });
  const auto widest = [](const BandLayout& side) {
    std::uint32_t w = 0;
    for (std::size_t b = 0; b + 1 < side.band_begin.size(); ++b) w = std::max(w, side.band_begin[b + 1] - side.band_begin[b]);
    return w;
  };
  if (shape.allow_compact && widest(g.users) <= kMaxCompactBand && widest(g.items) <= kMaxCompactBand) compact_in_place(g);
  return g;
}

void drop_values(BlockGrid& g) {
  if (!g.compact || g.pairs_only) return;
  auto* bytes = reinterpret_cast<unsigned char*>(g.ratings.data());
  // Front to back: pair i lands at 4i, before rating i's 8 bytes at 8i.
  for (std::size_t i = 0; i < g.size(); ++i) {
    const BlockRating r = g.compact_ratings()[i];
    new (bytes + i * sizeof(BlockPair)) BlockPair{r.user, r.item};
  }
  g.pairs_only = true;
  release_pages(bytes + g.size() * sizeof(BlockPair), bytes + g.size() * sizeof(BlockRating));
}

namespace {

// Model indices by training row: the inverse of a BandLayout's `row`.
std::vector<std::uint32_t> index_of_row(const std::vector<std::uint32_t>& row) {
  std::vector<std::uint32_t> index(row.size());
  for (std::uint32_t i = 0; i < row.size(); ++i) index[row[i]] = i;
  return index;
}

// fn(user row, item row) for every rating of user band `band`.
template <class Fn>
void for_each_band_pair(const BlockGrid& g, std::uint32_t band, Fn&& fn) {
  for (std::uint32_t b = band * g.bands; b < (band + 1) * g.bands; ++b) g.for_each_pair(b, fn);
}

// A worker's scratch while it indexes one user band at a time: row
// band_begin + r's ratings are first[r] .. first[r + 1]) in the band's
// order by row, and item i's rows (from the band's first) are
// rows_by_item[item_first[i] .. item_first[i + 1]). A band fits the cache.
struct BandScratch {
  std::vector<std::uint64_t> first;
  std::vector<std::uint64_t> item_first;
  std::vector<std::uint32_t> rows_by_item;
  std::vector<std::uint8_t> codes_by_item;  // with rows_by_item, when the ratings are coded
  std::vector<std::uint8_t> codes;          // the band's codes in the order of its gathered items
};

// Counting sort's first half: `first` from how many of the pairs each key
// holds; for_each_key(add) calls add(key) once a pair.
template <class ForEachKey>
void count_keys(std::vector<std::uint64_t>& first, std::size_t keys, ForEachKey for_each_key) {
  first.assign(keys + 1, 0);
  for_each_key([&](std::size_t key) { ++first[key + 1]; });
  std::partial_sum(first.begin(), first.end(), first.begin());
}

void count_band(const BlockGrid& g, std::uint32_t band, BandScratch& s) {
  const std::uint32_t base = g.users.band_begin[band];
  count_keys(s.first, g.users.band_begin[band + 1] - base, [&](auto add) {
    for_each_band_pair(g, band, [&](std::uint32_t user, std::uint32_t) { add(user - base); });
  });
}

// The band's rated items (model indices) by row, row r's at items +
// s.first[r], ascending with no sort: the pairs are grouped by item first,
// then dealt to the rows item by item. Written over the band's own pairs,
// which are read by then: the band's storage holds at least 4 bytes a pair.
// With `grid_codes` (one a rating, in grid order), the band's codes follow
// the items into s.codes.
const std::uint32_t* gather_band(BlockGrid& g, std::uint32_t band, const std::vector<std::uint32_t>& item_of,
                                 const std::vector<std::uint8_t>& grid_codes, BandScratch& s) {
  const std::uint32_t base = g.users.band_begin[band];
  const bool coded = !grid_codes.empty();
  count_keys(s.item_first, item_of.size(), [&](auto add) {
    for_each_band_pair(g, band, [&](std::uint32_t, std::uint32_t item) { add(item_of[item]); });
  });
  std::vector<std::uint64_t> next(s.item_first.begin(), s.item_first.end() - 1);
  s.rows_by_item.resize(s.item_first.back());
  s.codes_by_item.resize(coded ? s.item_first.back() : 0);
  std::uint64_t at = g.block_begin[band * g.bands];  // the pair's place in grid order
  for_each_band_pair(g, band, [&](std::uint32_t user, std::uint32_t item) {
    const std::uint64_t slot = next[item_of[item]]++;
    s.rows_by_item[slot] = user - base;
    if (coded) s.codes_by_item[slot] = grid_codes[at++];
  });
  count_band(g, band, s);
  next.assign(s.first.begin(), s.first.end() - 1);
  s.codes.resize(coded ? s.first.back() : 0);
  const std::size_t stored = g.pairs_only ? sizeof(BlockPair) : sizeof(Rating);
  auto* items = reinterpret_cast<std::uint32_t*>(reinterpret_cast<unsigned char*>(g.ratings.data()) +
                                                 stored * g.block_begin[band * g.bands]);
  for (std::uint32_t i = 0; i + 1 < s.item_first.size(); ++i)
    for (std::uint64_t k = s.item_first[i]; k < s.item_first[i + 1]; ++k) {
      const std::uint64_t to = next[s.rows_by_item[k]]++;
      items[to] = i;
      if (coded) s.codes[to] = s.codes_by_item[k];
    }
  return items;
}

// Sorts one user's rated items ascending, their codes with them.
void sort_user_range(RatedItems& out, std::uint64_t begin, std::uint64_t end) {
  if (out.codes.empty()) {
    std::sort(out.items.begin() + static_cast<std::ptrdiff_t>(begin), out.items.begin() + static_cast<std::ptrdiff_t>(end));
    return;
  }
  std::vector<std::pair<std::uint32_t, std::uint8_t>> pairs;
  for (std::uint64_t p = begin; p < end; ++p) pairs.emplace_back(out.items[p], out.codes[p]);
  std::sort(pairs.begin(), pairs.end());
  for (std::uint64_t p = begin; p < end; ++p) std::tie(out.items[p], out.codes[p]) = pairs[p - begin];
}

}  // namespace

RatingCodes code_values(const BlockGrid& g, const std::vector<Rating>& also_rated, unsigned threads) {
  RatingLevels found;
  for (std::uint32_t b = 0; b < g.bands * g.bands && found.usable(); ++b)
    for (std::uint64_t i = g.block_begin[b]; i < g.block_begin[b + 1] && found.add(g.rating(i, b).value); ++i) {
    }
  for (const Rating& r : also_rated) found.add(r.value);
  if (!found.usable()) return {};
  RatingCodes out{{}, std::vector<std::uint8_t>(g.size()), {}};
  parallel_for(g.bands * g.bands, threads, [&](std::uint32_t b, unsigned) {
    for (std::uint64_t i = g.block_begin[b]; i < g.block_begin[b + 1]; ++i) out.grid[i] = found.code(g.rating(i, b).value);
  });
  for (const Rating& r : also_rated) out.also.push_back(found.code(r.value));
  out.levels = found.take_levels();
  return out;
}

// How many items each user rated, in the grid and in `also_rated`, as
// offsets.
std::vector<std::uint64_t> count_rated(const BlockGrid& g, const std::vector<std::uint32_t>& user_of,
                                       const std::vector<std::uint32_t>& also_count, std::vector<BandScratch>& scratch,
                                       unsigned threads) {
  std::vector<std::uint64_t> offsets(user_of.size() + 1, 0);
  parallel_for(g.bands, threads, [&](std::uint32_t band, unsigned worker) {
    count_band(g, band, scratch[worker]);
    const std::vector<std::uint64_t>& first = scratch[worker].first;
    for (std::uint32_t r = 0; r + 1 < first.size(); ++r)
      offsets[user_of[g.users.band_begin[band] + r] + 1] = first[r + 1] - first[r];
  });
  for (std::size_t u = 0; u < also_count.size(); ++u) offsets[u + 1] += also_count[u];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  return offsets;
}

// Random writes into the index, one a rating, would each miss the cache:
// instead each user band (whose users are rated in its blocks only, so one
// thread's) is grouped by user in place, then copied one user at a time to
// the front of the user's range; `also_rated` fills its back (and then the
// range is sorted). Temporaries are kept few: the index is built beside the
// grid's pairs and the model's factors, at the peak.
RatedItems index_rated_items(BlockGrid& g, const std::vector<Rating>& also_rated, RatingCodes codes,
                             unsigned threads) {
  drop_values(g);
  const std::vector<std::uint32_t> user_of = index_of_row(g.users.row), item_of = index_of_row(g.items.row);
  std::vector<std::uint32_t> also_count(also_rated.empty() ? 0 : user_of.size(), 0);
  for (const Rating& r : also_rated) ++also_count[user_of[r.user]];
  std::vector<BandScratch> scratch(std::max(1u, std::min(threads, g.bands)));
  RatedItems out{count_rated(g, user_of, also_count, scratch, threads), {}, std::move(codes.levels), {}};
  const bool coded = !out.levels.empty();
  out.items.resize(out.offsets.back());
  out.codes.resize(coded ? out.items.size() : 0);
  for (std::size_t a = 0; a < also_rated.size(); ++a) {
    const std::uint32_t u = user_of[also_rated[a].user];
    const std::uint64_t to = out.offsets[u + 1] - also_count[u]--;
    out.items[to] = item_of[also_rated[a].item];
    if (coded) out.codes[to] = codes.also[a];
  }
  parallel_for(g.bands, threads, [&](std::uint32_t band, unsigned worker) {
    const BandScratch& s = scratch[worker];
    const std::uint32_t* items = gather_band(g, band, item_of, codes.grid, scratch[worker]);
    for (std::uint32_t r = 0; r + 1 < s.first.size(); ++r) {
      const std::uint32_t u = user_of[g.users.band_begin[band] + r];
      std::copy(items + s.first[r], items + s.first[r + 1], out.items.begin() + static_cast<std::ptrdiff_t>(out.offsets[u]));
      if (coded)
        std::copy(s.codes.begin() + static_cast<std::ptrdiff_t>(s.first[r]),
                  s.codes.begin() + static_cast<std::ptrdiff_t>(s.first[r + 1]),
                  out.codes.begin() + static_cast<std::ptrdiff_t>(out.offsets[u]));
      if (!also_rated.empty()) sort_user_range(out, out.offsets[u], out.offsets[u + 1]);
    }
  });
  return out;
}

std::vector<std::vector<std::uint32_t>> epoch_schedule(std::uint32_t bands, std::uint64_t seed, std::uint32_t epoch) {
  Rng rng(seed ^ (std::uint64_t{epoch} * 0x9E3779B97F4A7C15ull), kStreamSchedule);
  std::vector<std::uint32_t> perm(bands), shifts(bands);
  std::iota(perm.begin(), perm.end(), 0u);
  std::iota(shifts.begin(), shifts.end(), 0u);
  rng.shuffle(perm.begin(), perm.end());
  rng.shuffle(shifts.begin(), shifts.end());
  std::vector<std::vector<std::uint32_t>> strata(bands);
  for (std::uint32_t s = 0; s < bands; ++s)
    for (std::uint32_t b = 0; b < bands; ++b) strata[s].push_back(b * bands + perm[(b + shifts[s]) % bands]);
  return strata;
}

}  // namespace mfrec::detail
