#include "dist/epoch_across.hpp"

#include <algorithm>
#include <cstring>

#include "util/parallel.hpp"

namespace mfrec::dist {

BandOwners::BandOwners(std::uint32_t bands, int ranks)
    : bands_(bands), working_(static_cast<int>(std::min<std::uint32_t>(bands, static_cast<std::uint32_t>(ranks)))) {}

std::uint32_t BandOwners::first(int rank) const {
  if (rank >= working_) return bands_;
  return static_cast<std::uint32_t>(std::uint64_t{bands_} * static_cast<std::uint64_t>(rank) /
                                    static_cast<std::uint64_t>(working_));
}

int BandOwners::owner(std::uint32_t band) const {
  // The last rank whose first band is at or before `band`.
  int r = static_cast<int>(std::uint64_t{band} * static_cast<std::uint64_t>(working_) / bands_);
  while (r + 1 < working_ && first(r + 1) <= band) ++r;
  while (first(r) > band) --r;
  return r;
}

namespace {

using detail::BandLayout;
using detail::BlockGrid;

// Per-row arrays of one side that travel and are shared together (factors
// and biases; or AdaGrad's sums): `row_bytes` bytes a row from `base`.
struct RowArray {
  std::byte* base;
  std::size_t row_bytes;

  std::span<std::byte> rows(std::uint32_t first, std::uint32_t last) const {
    return {base + std::size_t{first} * row_bytes, std::size_t{last - first} * row_bytes};
  }
};

RowArray factor_rows(FactorMatrix& m) {
  return {reinterpret_cast<std::byte*>(m.row(0)), m.stride() * sizeof(float)};
}
template <class T>
RowArray vector_rows(std::vector<T>& v) {
  return {reinterpret_cast<std::byte*>(v.data()), sizeof(T)};
}

// A walk over the grid in steps: in step s, user band visitor[s][J] meets
// item band J. What a rank knows of it: who runs which band when.
struct Walk {
  const Cluster& ranks;
  const BandOwners& owners;
  const BlockGrid& grid;
  std::vector<std::vector<std::uint32_t>> visitor;  // [step][item band] -> user band

  bool mine(std::uint32_t user_band) const { return owners.owner(user_band) == ranks.rank(); }

  std::vector<std::uint32_t> my_blocks(std::size_t step) const {
    std::vector<std::uint32_t> blocks;
    for (std::uint32_t j = 0; j < grid.bands; ++j)
      if (mine(visitor[step][j])) blocks.push_back(visitor[step][j] * grid.bands + j);
    return blocks;
  }

  // After step `s`: each item band this rank ran goes to the rank that runs
  // it in step s + 1, if that is another; the ones this rank runs next come in.
  void hand_on(std::size_t s, const std::vector<RowArray>& arrays) const {
    std::vector<Message> sends, receives;
    const int me = ranks.rank();
    const BandLayout& items = grid.items;
    for (std::uint32_t j = 0; j < grid.bands; ++j) {
      const int from = owners.owner(visitor[s][j]), to = owners.owner(visitor[s + 1][j]);
      if (from == to || (from != me && to != me)) continue;
      auto& list = from == me ? sends : receives;
      for (std::size_t a = 0; a < arrays.size(); ++a)
        list.push_back({from == me ? to : from, static_cast<int>(j * arrays.size() + a),
                        arrays[a].rows(items.band_begin[j], items.band_begin[j + 1])});
    }
    ranks.exchange(sends, receives);
  }
};

// Every rank's rows of `arrays` into every rank: the user side, whose rows
// each rank holds for a contiguous run of bands (so the ranks' runs, in rank
// order, are the whole array).
void share_user_rows(const Cluster& ranks, const BandOwners& owners, const BandLayout& users,
                     const std::vector<RowArray>& arrays) {
  const std::uint32_t first = users.band_begin[owners.first(ranks.rank())];
  const std::uint32_t last = users.band_begin[owners.first(ranks.rank() + 1)];
  const std::uint32_t total = users.band_begin.back();
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  for (const RowArray& a : arrays) {
    ranks.allgather(a.rows(first, last), all, offsets);
    std::memcpy(a.base, all.data(), std::min(all.size(), a.rows(0, total).size()));
  }
}

// Every item band from the rank holding its latest rows (`holder[j]`) into
// every rank.
void share_item_bands(const Cluster& ranks, const BandLayout& items, const std::vector<int>& holder,
                      const std::vector<RowArray>& arrays) {
  std::vector<std::byte> mine, all;
  std::vector<std::size_t> offsets;
  const auto bands = static_cast<std::uint32_t>(holder.size());
  for (const RowArray& a : arrays) {
    mine.clear();
    for (std::uint32_t j = 0; j < bands; ++j) {
      if (holder[j] != ranks.rank()) continue;
      const auto rows = a.rows(items.band_begin[j], items.band_begin[j + 1]);
      mine.insert(mine.end(), rows.begin(), rows.end());
    }
    ranks.allgather(mine, all, offsets);
    // Rank r's bands, in band order, are at offsets[r].
    std::vector<std::size_t> at(offsets.begin(), offsets.end() - 1);
    for (std::uint32_t j = 0; j < bands; ++j) {
      const auto rows = a.rows(items.band_begin[j], items.band_begin[j + 1]);
      if (holder[j] != ranks.rank()) std::memcpy(rows.data(), all.data() + at[holder[j]], rows.size());
      at[holder[j]] += rows.size();
    }
  }
}

// Runs `step(s, blocks)` for s = 0, 1, … with this rank's blocks, item
// bands travelling between steps; stops before a step when keep_going()
// says so. Returns, per item band, the rank holding its latest rows.
template <class Step, class KeepGoing>
std::vector<int> walk_steps(const Walk& walk, const std::vector<RowArray>& item_arrays, Step&& step,
                            KeepGoing&& keep_going) {
  std::size_t s = 0;
  const std::size_t steps = walk.visitor.size();
  for (; s < steps && keep_going(); ++s) {
    step(walk.my_blocks(s));
    if (s + 1 < steps) walk.hand_on(s, item_arrays);
  }
  // Stopped before step s, its bands are where step s would run them.
  const std::size_t at = std::min(s, steps - 1);
  std::vector<int> holder(walk.grid.bands);
  for (std::uint32_t j = 0; j < walk.grid.bands; ++j) holder[j] = walk.owners.owner(walk.visitor[at][j]);
  return holder;
}

}  // namespace

void sgd_pass_across(const Cluster& ranks, const BlockGrid& grid, detail::TrainState& state,
                     const std::vector<std::vector<std::uint32_t>>& strata,
                     const std::function<void(std::vector<std::uint32_t>&)>& run_blocks,
                     const std::atomic<bool>* stop_source, std::atomic<bool>& agreed_stop) {
  const BandOwners owners(grid.bands, ranks.size());
  Walk walk{ranks, owners, grid, std::vector<std::vector<std::uint32_t>>(strata.size(),
                                                                         std::vector<std::uint32_t>(grid.bands))};
  for (std::size_t s = 0; s < strata.size(); ++s)
    for (std::uint32_t block : strata[s]) walk.visitor[s][block % grid.bands] = block / grid.bands;
  const std::vector<RowArray> items{factor_rows(state.v), vector_rows(state.bv)};
  const auto keep_going = [&] {
    const bool here = stop_source && stop_source->load(std::memory_order_relaxed);
    if (ranks.max(here ? 1 : 0) != 0) agreed_stop.store(true, std::memory_order_relaxed);
    return !agreed_stop.load(std::memory_order_relaxed);
  };
  const std::vector<int> holder = walk_steps(
      walk, items, [&](std::vector<std::uint32_t> blocks) { run_blocks(blocks); }, keep_going);
  share_item_bands(ranks, grid.items, holder, items);
}

void share_users(const Cluster& ranks, const BlockGrid& grid, detail::TrainState& state) {
  share_user_rows(ranks, BandOwners(grid.bands, ranks.size()), grid.users,
                  {factor_rows(state.u), vector_rows(state.bu)});
}

UserRows my_user_rows(const Cluster& ranks, const BlockGrid& grid) {
  const BandOwners owners(grid.bands, ranks.size());
  return {grid.users.band_begin[owners.first(ranks.rank())], grid.users.band_begin[owners.first(ranks.rank() + 1)]};
}

double sum_over_user_rows(const Cluster& ranks, const BlockGrid& grid,
                          const std::function<double(std::uint32_t, std::uint32_t, double)>& continue_sum) {
  const UserRows rows = my_user_rows(ranks, grid);
  const int me = ranks.rank(), last = ranks.size() - 1;
  double running = 0.0;
  std::span<std::byte> bytes = std::as_writable_bytes(std::span(&running, 1));
  if (me > 0) ranks.exchange({}, std::vector<Message>{{me - 1, 0, bytes}});
  running = continue_sum(rows.first, rows.last, running);
  if (me < last) ranks.exchange(std::vector<Message>{{me + 1, 0, bytes}}, {});
  ranks.broadcast(last, bytes);
  return running;
}

ErrorStats heldout_across(const Cluster& ranks, const BlockGrid& grid, const std::vector<Rating>& held,
                          std::uint32_t unknown, const std::function<double(std::size_t)>& error_of) {
  std::vector<std::uint32_t> run_start(ranks.size() + 1);  // each rank's first user row
  const BandOwners owners(grid.bands, ranks.size());
  for (int r = 0; r <= ranks.size(); ++r) run_start[r] = grid.users.band_begin[owners.first(r)];
  const auto holder = [&](const Rating& h) {
    if (h.user == unknown) return 0;
    return static_cast<int>(std::upper_bound(run_start.begin(), run_start.end(), h.user) - run_start.begin()) - 1;
  };
  std::vector<double> mine;
  for (std::size_t i = 0; i < held.size(); ++i)
    if (holder(held[i]) == ranks.rank()) mine.push_back(error_of(i));
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  ranks.gather(0, std::as_bytes(std::span(mine)), all, offsets);
  ErrorStats stats;
  if (ranks.rank() == 0) {
    std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
    for (const Rating& h : held) {
      double error;
      std::memcpy(&error, all.data() + next[holder(h)], sizeof error);
      next[holder(h)] += sizeof error;
      stats.add(error);
    }
  }
  ranks.broadcast(0, std::as_writable_bytes(std::span(&stats, 1)));
  return stats;
}

std::vector<detail::FitSums> fit_parts_across(const Cluster& ranks, const BlockGrid& grid,
                                              const detail::GradientPass* gradients, unsigned threads,
                                              const std::function<detail::FitSums(std::uint32_t)>& fit_one) {
  const std::uint32_t bands = grid.bands;
  const BandOwners owners(bands, ranks.size());
  const std::uint32_t first_block = owners.first(ranks.rank()) * bands;
  const std::uint32_t last_block = owners.first(ranks.rank() + 1) * bands;
  std::vector<detail::FitSums> mine(last_block - first_block);
  const auto fit = [&](const std::vector<std::uint32_t>& blocks) {
    detail::parallel_for(static_cast<std::uint32_t>(blocks.size()), threads,
                         [&](std::uint32_t i) { mine[blocks[i] - first_block] = fit_one(blocks[i]); });
  };
  if (gradients) {
    // measure_fit's strata: in step `shift`, user band b meets item band
    // b + shift, so item band j meets user band j − shift.
    Walk walk{ranks, owners, grid, std::vector<std::vector<std::uint32_t>>(bands, std::vector<std::uint32_t>(bands))};
    for (std::uint32_t shift = 0; shift < bands; ++shift)
      for (std::uint32_t j = 0; j < bands; ++j) walk.visitor[shift][j] = (j + bands - shift) % bands;
    const std::vector<RowArray> item_sums{{reinterpret_cast<std::byte*>(gradients->items), sizeof(detail::GradientSums)}};
    const std::vector<int> holder = walk_steps(walk, item_sums, fit, [] { return true; });
    share_item_bands(ranks, grid.items, holder, item_sums);
  } else {
    std::vector<std::uint32_t> blocks(last_block - first_block);
    for (std::uint32_t b = first_block; b < last_block; ++b) blocks[b - first_block] = b;
    fit(blocks);
  }
  // The ranks' blocks, in rank order, are every block in block order.
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  ranks.allgather(std::as_bytes(std::span(mine)), all, offsets);
  std::vector<detail::FitSums> parts(std::size_t{bands} * bands);
  std::memcpy(parts.data(), all.data(), std::min(all.size(), parts.size() * sizeof(detail::FitSums)));
  return parts;
}

}  // namespace mfrec::dist
