#pragma once
// The block grid behind parallel, deterministic SGD (as in LIBMF and the
// DSGD papers). Users and items are dealt into B bands each (B from the
// data size, never from the thread count), which cuts the rating matrix into
// B×B blocks. A stratum is B blocks sharing no user band and no item band,
// so its blocks touch disjoint rows of U, V and the biases: they can run in
// any order, on any number of threads, and give the same result as one by
// one. An epoch runs every stratum once, in a seeded order.
#include <cstdint>
#include <vector>

#include "mfrec/dataset.hpp"

namespace mfrec::detail {

// B for a data set of `ratings` ratings: about 32k ratings a block, at most
// 32 bands.
std::uint32_t choose_bands(std::uint64_t ratings);

struct BlockGrid {
  std::uint32_t bands = 1;
  std::vector<std::uint32_t> user_band;  // per user
  std::vector<std::uint32_t> item_band;  // per item
  // Ratings grouped by block (block = user_band * bands + item_band); within
  // a block they keep their input order (users, then items, ascending).
  std::vector<Rating> ratings;
  std::vector<std::uint64_t> block_begin;  // bands² + 1 offsets into ratings

  std::uint32_t block_of(std::uint32_t user, std::uint32_t item) const {
    return user_band[user] * bands + item_band[item];
  }
};

// Deals users and items into bands by a seeded shuffle (so bands are
// balanced whatever the id order) and groups `ratings` by block.
BlockGrid make_grid(const std::vector<Rating>& ratings, std::uint32_t users, std::uint32_t items,
                    std::uint32_t bands, std::uint64_t seed);

// The strata of one epoch, each a list of block ids: stratum s holds blocks
// (b, π(b + s mod B)) for a seeded permutation π of the item bands; the
// strata come in a seeded order. Every block appears exactly once.
std::vector<std::vector<std::uint32_t>> epoch_schedule(std::uint32_t bands, std::uint64_t seed, std::uint32_t epoch);

// Runs fn(i) for i in [0, n) on `threads` threads (the calling one
// included); returns when all are done. Exceptions must not escape fn.
template <class Fn>
void parallel_for(std::uint32_t n, unsigned threads, Fn&& fn);

}  // namespace mfrec::detail

#include <algorithm>
#include <atomic>
#include <thread>

namespace mfrec::detail {

template <class Fn>
void parallel_for(std::uint32_t n, unsigned threads, Fn&& fn) {
  threads = std::max(1u, std::min<unsigned>(threads, n));
  if (threads == 1) {
    for (std::uint32_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::uint32_t> next{0};
  auto work = [&] {
    for (std::uint32_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace mfrec::detail
