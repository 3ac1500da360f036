#include "mfrec/query/recommend.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

#include "mfrec/error.hpp"
#include "mfrec/query/similarity.hpp"
#include "mfrec/query/user_view.hpp"
#include "util/parallel.hpp"

namespace mfrec {

RecommendMethod parse_recommend_method(std::string_view t) {
  if (t == "predicted") return RecommendMethod::Predicted;
  if (t == "neighbors" || t == "neighbours") return RecommendMethod::Neighbors;
  throw Error(ErrorKind::Usage, "unknown method '" + std::string(t) + "' (use predicted or neighbors)");
}


double default_shrink(const Model& model) { return model.implicit() ? 0.0 : kDefaultShrink; }

namespace {

struct Candidate {
  float score;
  std::uint32_t item;
};

// Better = higher score, then earlier item.
inline bool better(const Candidate& a, const Candidate& b) {
  return a.score != b.score ? a.score > b.score : a.item < b.item;
}

// Keeps the best `capacity` candidates in a heap whose top is the worst kept.
class TopN {
 public:
  explicit TopN(std::size_t capacity) : capacity_(capacity) { heap_.reserve(capacity); }
  // Items arrive in ascending order, so a later item that only ties the
  // worst kept one never displaces it: reject on <=.
  void offer(Candidate c) {
    if (heap_.size() == capacity_ && c.score <= heap_.front().score) return;
    if (heap_.size() < capacity_) {
      heap_.push_back(c);
      std::push_heap(heap_.begin(), heap_.end(), better);
    } else if (better(c, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = c;
      std::push_heap(heap_.begin(), heap_.end(), better);
    }
  }
  // Scores at or below this cannot enter (later items lose ties).
  float threshold() const {
    return heap_.size() < capacity_ ? -std::numeric_limits<float>::infinity() : heap_.front().score;
  }
  std::vector<Candidate> sorted() {
    std::vector<Candidate> out = heap_;
    std::sort(out.begin(), out.end(), better);
    return out;
  }
  void clear() { heap_.clear(); }

 private:
  std::size_t capacity_;
  std::vector<Candidate> heap_;
};

// One user's pass over the items: the best candidates so far and a cursor
// into the user's rated items (a sorted list), which are skipped unless
// include_rated.
struct UserScan {
  UserScan(const UserView& user, bool include_rated, std::size_t top)
      : top(top), rated(user.rated.data()), rated_end(include_rated ? rated : rated + user.rated.size()) {}

  // Offers items [first, first + count) with scores[0..count). The scan runs
  // between rated items with the worst kept score in a register, so most
  // items cost one comparison.
  void offer(const float* scores, std::uint32_t first, std::uint32_t count) {
    const std::uint32_t end = first + count;
    std::uint32_t from = first;
    while (from < end) {
      while (rated != rated_end && *rated < from) ++rated;
      const std::uint32_t to = rated != rated_end ? std::min(*rated, end) : end;
      float threshold = top.threshold();
      for (std::uint32_t i = from; i < to; ++i) {
        if (scores[i - first] > threshold) {
          top.offer({scores[i - first], i});
          threshold = top.threshold();
        }
      }
      from = to + 1;  // past the rated item (or the end)
    }
  }

  TopN top;
  const std::uint32_t* rated;
  const std::uint32_t* rated_end;
};

// Whether each item may be recommended at all (min_ratings, exclude,
// candidates); empty when every item may.
std::vector<char> eligible_items(const Model& m, const RecommendOptions& o) {
  if (o.min_ratings <= 1 && o.exclude.empty() && !o.candidates) return {};
  const std::uint32_t n = m.items.size();
  auto in_range = [n](std::uint32_t item) {
    if (item >= n) throw Error(ErrorKind::Internal, "recommend: filtered item index out of range");
    return item;
  };
  std::vector<char> eligible(n, o.candidates ? 0 : 1);
  if (o.candidates)
    for (std::uint32_t i : *o.candidates) eligible[in_range(i)] = 1;
  for (std::uint32_t i : o.exclude) eligible[in_range(i)] = 0;
  if (o.min_ratings > 1) {
    const std::vector<std::uint32_t> counts = m.popularity();
    for (std::uint32_t i = 0; i < n; ++i)
      if (counts[i] < o.min_ratings) eligible[i] = 0;
  }
  return eligible;
}

// What one call ranks by, per item, computed once: whether the item may be
// recommended at all and the weight of its own part of the prediction
// (shrink; 1 when off).
class ItemRule {
 public:
  ItemRule(const Model& m, const RecommendOptions& o) : m_(m), eligible_(eligible_items(m, o)) {
    const double shrink = o.shrink.value_or(default_shrink(m));
    if (shrink > 0.0) weight_ = shrink_weights(m.popularity(), shrink);
  }
  bool eligible(std::uint32_t item) const { return eligible_.empty() || eligible_[item]; }
  bool shrinks() const { return !weight_.empty(); }
  double weight(std::uint32_t item) const { return weight_.empty() ? 1.0 : weight_[item]; }

  // The score ranked and printed, on the input scale: the prediction, or
  // with shrink base + w·(prediction − base), base the model's guess for
  // this user and an item it knows nothing about (mean + user bias).
  double score(const UserView& user, std::uint32_t item) const {
    if (weight_.empty()) return predict(m_, user, item);
    const double base = m_.mean + (m_.options.bias ? user.bias : 0.0f);
    return m_.scaler.inverse(base + weight_[item] * (raw_score(m_, user, item) - base));
  }

 private:
  // n/(n + m) with m = shrink × the mean count, so that one setting means
  // the same on data sets of any size; divided by the most-rated item's
  // weight, which changes no order but leaves that item its prediction, so
  // the printed scores stay ratings.
  static std::vector<double> shrink_weights(const std::vector<std::uint32_t>& counts, double shrink) {
    double total = 0.0;
    std::uint32_t most = 0;
    for (std::uint32_t n : counts) {
      total += n;
      most = std::max(most, n);
    }
    const double m = shrink * total / static_cast<double>(counts.size());
    std::vector<double> weights(counts.size(), 0.0);
    if (most == 0) return weights;
    // n/(n + m) ÷ most/(most + m), written so that a large m cannot make it 0/0.
    for (std::size_t i = 0; i < counts.size(); ++i)
      weights[i] = counts[i] / (counts[i] + m) * ((most + m) / most);
    return weights;
  }

  const Model& m_;
  std::vector<char> eligible_;  // empty: every item
  std::vector<double> weight_;  // empty: no shrink
};

// Best first on the exact scores; ties (and float-equal neighbours) by item.
void sort_best_first(std::vector<Recommendation>& recs) {
  std::stable_sort(recs.begin(), recs.end(), [](const Recommendation& a, const Recommendation& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  });
}

// Exact scores (double, as `predict` prints them) for the chosen items.
std::vector<Recommendation> finish_predicted(const ItemRule& rule, const UserView& user,
                                             const std::vector<Candidate>& chosen) {
  std::vector<Recommendation> out;
  out.reserve(chosen.size());
  for (const auto& c : chosen) out.push_back({c.item, rule.score(user, c.item)});
  sort_best_first(out);
  return out;
}

// Items transposed per block (k x block) so that scoring a user against a
// block is a broadcast-and-add over contiguous items, which vectorizes
// without horizontal sums. Scores are training-scale w·(U·V + c) (the terms
// that vary by item; w = 1 without shrink; see fill_block without biases); the scaler is increasing, so the
// order is the same. An item that may not be recommended gets base −inf:
// its score stays −inf, which no threshold lets in, so the scan pays nothing
// for the filter.
constexpr std::uint32_t kItemBlock = 512;
constexpr std::uint32_t kUserBlock = 4;

// Block b's panel (k rows of kItemBlock floats) and base (kItemBlock
// floats), zero past the last item. Factor by factor, so that the panel is
// written in order (item by item, each write went to another cache line).
void fill_block(const Model& m, const ItemRule& rule, std::uint32_t b, float* panel, float* base) {
  const std::size_t k = m.k();
  const std::uint32_t first = b * kItemBlock, count = std::min<std::uint32_t>(kItemBlock, m.items.size() - first);
  for (std::size_t f = 0; f < k; ++f) {
    for (std::uint32_t o = 0; o < count; ++o)
      panel[f * kItemBlock + o] = static_cast<float>(rule.weight(first + o) * m.item_factors.row(first + o)[f]);
    std::fill(panel + f * kItemBlock + count, panel + (f + 1) * kItemBlock, 0.0f);
  }
  std::fill(base, base + kItemBlock, 0.0f);
  for (std::uint32_t o = 0; o < count; ++o) {
    const std::uint32_t i = first + o;
    const double w = rule.weight(i);
    // What an item adds to the user's base: its bias; shrunk without
    // biases, u·v − mean (the base is the mean).
    if (m.options.bias) base[o] = static_cast<float>(w * m.item_bias[i]);
    else if (rule.shrinks()) base[o] = static_cast<float>(-w * m.mean);
    if (!rule.eligible(i)) base[o] = -std::numeric_limits<float>::infinity();
  }
}

std::uint32_t item_blocks(const Model& m) { return (m.items.size() + kItemBlock - 1) / kItemBlock; }

struct PanelBlock {
  const float* panel;
  const float* base;
};

// Every block built up front: what the threads of recommend_users share.
class AllPanels {
 public:
  AllPanels(const Model& m, const ItemRule& rule)
      : k_(m.k()), panels_(item_blocks(m) * k_ * kItemBlock), base_(item_blocks(m) * kItemBlock) {
    for (std::uint32_t b = 0; b < item_blocks(m); ++b)
      fill_block(m, rule, b, &panels_[b * k_ * kItemBlock], &base_[std::size_t{b} * kItemBlock]);
  }
  PanelBlock block(std::uint32_t b) const { return {&panels_[b * k_ * kItemBlock], &base_[std::size_t{b} * kItemBlock]}; }

 private:
  std::size_t k_;
  std::vector<float> panels_, base_;
};

// One block at a time, built as it is scored, for one user: the same
// numbers without k × items floats of fresh memory, whose page faults cost
// more than the scoring (1,280 of them for 10,000 items at k = 128).
class PanelPerBlock {
 public:
  PanelPerBlock(const Model& m, const ItemRule& rule) : m_(m), rule_(rule), panel_(m.k() * kItemBlock), base_(kItemBlock) {}
  PanelBlock block(std::uint32_t b) {
    fill_block(m_, rule_, b, panel_.data(), base_.data());
    return {panel_.data(), base_.data()};
  }

 private:
  const Model& m_;
  const ItemRule& rule_;
  std::vector<float> panel_, base_;
};

// Scores one panel (kItemBlock items) for kUserBlock users whose weights are
// given transposed (k rows of kUserBlock). Sixteen items by four users stay
// in registers across the k loop, so each loaded item value serves four
// users. Compiled for AVX2+FMA and baseline x86-64; the CPU picks.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
void score_panel(const float* __restrict panel, const float* __restrict base, std::size_t k,
                 const float* __restrict weights, std::uint32_t users, float* __restrict out, std::size_t out_stride) {
  // GCC/Clang vector extension: eight floats, one AVX register or two SSE
  // ones. Two vectors of items by four users make eight independent
  // accumulator chains, enough to hide the latency of the multiply-adds.
  typedef float v8 __attribute__((vector_size(32)));
  constexpr std::uint32_t kItemsPerStep = 16;
  static_assert(kUserBlock == 4, "the kernel names its accumulators");
  for (std::uint32_t i0 = 0; i0 < kItemBlock; i0 += kItemsPerStep) {
    v8 lo, hi;
    std::memcpy(&lo, base + i0, sizeof lo);
    std::memcpy(&hi, base + i0 + 8, sizeof hi);
    // Named, not an array: GCC keeps these in registers.
    v8 a0 = lo, a1 = lo, a2 = lo, a3 = lo, b0 = hi, b1 = hi, b2 = hi, b3 = hi;
    for (std::size_t f = 0; f < k; ++f) {
      v8 x, y;
      std::memcpy(&x, panel + f * kItemBlock + i0, sizeof x);
      std::memcpy(&y, panel + f * kItemBlock + i0 + 8, sizeof y);
      const float* w = weights + f * kUserBlock;
      a0 += w[0] * x;
      b0 += w[0] * y;
      a1 += w[1] * x;
      b1 += w[1] * y;
      a2 += w[2] * x;
      b2 += w[2] * y;
      a3 += w[3] * x;
      b3 += w[3] * y;
    }
    const v8 lows[kUserBlock] = {a0, a1, a2, a3};
    const v8 highs[kUserBlock] = {b0, b1, b2, b3};
    for (std::uint32_t u = 0; u < users; ++u) {
      std::memcpy(out + u * out_stride + i0, &lows[u], sizeof lows[u]);
      std::memcpy(out + u * out_stride + i0 + 8, &highs[u], sizeof highs[u]);
    }
  }
}

// Ranks users[0..count) against every item. The item panels
// are the outer loop, so each panel (k x 512 floats) stays in cache while up
// to kTileUsers users are scored against it, four at a time.
constexpr std::uint32_t kTileUsers = 64;

template <class Panels>
void rank_users(const Model& m, const ItemRule& rule, Panels& panels, const UserView* users, std::uint32_t count,
                const RecommendOptions& o, std::vector<Recommendation>* results) {
  const std::size_t k = m.k();
  const std::uint32_t groups = (count + kUserBlock - 1) / kUserBlock;
  std::vector<float> weights(std::size_t{groups} * k * kUserBlock, 0.0f);
  for (std::uint32_t u = 0; u < count; ++u) {
    float* w = &weights[std::size_t{u / kUserBlock} * k * kUserBlock];
    for (std::size_t f = 0; f < k; ++f) w[f * kUserBlock + u % kUserBlock] = users[u].factors[f];
  }
  std::vector<UserScan> scans;
  scans.reserve(count);
  for (std::uint32_t u = 0; u < count; ++u) scans.emplace_back(users[u], o.include_rated, o.top);

  std::vector<float> scores(std::size_t{kUserBlock} * kItemBlock);
  for (std::uint32_t b = 0; b < item_blocks(m); ++b) {
    const PanelBlock block = panels.block(b);
    const std::uint32_t first_item = b * kItemBlock;
    const std::uint32_t items = std::min<std::uint32_t>(kItemBlock, m.items.size() - first_item);
    for (std::uint32_t g = 0; g < groups; ++g) {
      const std::uint32_t in_group = std::min(kUserBlock, count - g * kUserBlock);
      score_panel(block.panel, block.base, k, &weights[std::size_t{g} * k * kUserBlock], in_group, scores.data(),
                  kItemBlock);
      for (std::uint32_t u = 0; u < in_group; ++u)
        scans[g * kUserBlock + u].offer(&scores[std::size_t{u} * kItemBlock], first_item, items);
    }
  }
  for (std::uint32_t u = 0; u < count; ++u) results[u] = finish_predicted(rule, users[u], scans[u].top.sorted());
}

// Each neighbour's share of the average, summing to 1: its similarity when
// positive (a dissimilar user's taste says nothing in favour of an item), and
// equal shares when no neighbour is similar at all.
std::vector<double> neighbor_weights(const std::vector<Neighbor>& near) {
  std::vector<double> weight(near.size(), 0.0);
  double sum = 0.0;
  for (std::size_t n = 0; n < near.size(); ++n) sum += weight[n] = std::max(near[n].similarity, 0.0);
  for (double& w : weight) w = sum > 0.0 ? w / sum : 1.0 / static_cast<double>(near.size());
  return weight;
}

std::vector<Recommendation> recommend_neighbors(const Model& m, std::uint32_t user, const RecommendOptions& o,
                                                const SimilarityIndex& sims, const ItemRule& rule) {
  const std::vector<Neighbor> near = sims.nearest(user, o.neighbors);
  const std::vector<double> weight = neighbor_weights(near);
  std::vector<double> total(m.items.size(), 0.0);
  for (std::size_t n = 0; n < near.size(); ++n) {
    const UserView neighbor = user_view(m, near[n].index);
    for (std::uint32_t i = 0; i < m.items.size(); ++i) total[i] += weight[n] * rule.score(neighbor, i);
  }
  std::vector<float> as_float(total.begin(), total.end());
  for (std::uint32_t i = 0; i < m.items.size(); ++i)
    if (!rule.eligible(i)) as_float[i] = -std::numeric_limits<float>::infinity();  // as in fill_block
  UserScan scan(user_view(m, user), o.include_rated, o.top);
  scan.offer(as_float.data(), 0, m.items.size());
  std::vector<Recommendation> out;
  for (const auto& c : scan.top.sorted()) out.push_back({c.item, total[c.item]});
  sort_best_first(out);
  return out;
}

// Up to one tile of users, on the calling thread, each panel built as it is
// scored (PanelPerBlock).
void rank_few(const Model& m, const ItemRule& rule, const UserView* users, std::uint32_t count,
              const RecommendOptions& o, std::vector<Recommendation>* results) {
  PanelPerBlock panels(m, rule);
  rank_users(m, rule, panels, users, count, o, results);
}

void check(const Model& m, const RecommendOptions& o) {
  if (o.top == 0) throw Error(ErrorKind::Usage, "--top must be at least 1");
  if (o.method == RecommendMethod::Neighbors && o.neighbors == 0)
    throw Error(ErrorKind::Usage, "--neighbors must be at least 1");
  if (o.shrink && !(*o.shrink >= 0.0 && *o.shrink <= kMaxShrink))
    throw Error(ErrorKind::Usage, "--shrink must be between 0 and 1000000");
  if (m.items.size() == 0) throw Error(ErrorKind::Data, "the model has no items");
}

}  // namespace

std::vector<Recommendation> recommend(const Model& m, std::uint32_t user, const RecommendOptions& o) {
  if (o.method == RecommendMethod::Predicted) return recommend(m, user_view(m, user), o);
  check(m, o);
  const SimilarityIndex sims(m, Side::Users, o.space);
  return recommend_neighbors(m, user, o, sims, ItemRule(m, o));
}

std::vector<Recommendation> recommend(const Model& m, const UserView& user, const RecommendOptions& o) {
  check(m, o);
  if (o.method == RecommendMethod::Neighbors)
    throw Error(ErrorKind::Usage, "--method neighbors ranks by the users most similar to a user of the model; "
                                  "a user given by their ratings is ranked by --method predicted");
  std::vector<Recommendation> result;
  rank_few(m, ItemRule(m, o), &user, 1, o, &result);
  return result;
}

void recommend_all(const Model& m, const RecommendOptions& o, const RecommendationSink& emit) {
  std::vector<std::uint32_t> users(m.users.size());
  for (std::uint32_t u = 0; u < users.size(); ++u) users[u] = u;
  recommend_users(m, users, o, emit);
}

void recommend_users(const Model& m, const std::vector<std::uint32_t>& users, const RecommendOptions& o,
                     const RecommendationSink& emit) {
  check(m, o);
  for (std::uint32_t u : users)
    if (u >= m.users.size()) throw Error(ErrorKind::Internal, "recommend_users: user index out of range");
  const auto n = static_cast<std::uint32_t>(users.size());
  if (o.method == RecommendMethod::Predicted && n <= kTileUsers) {
    std::vector<UserView> views;
    for (std::uint32_t u : users) views.push_back(user_view(m, u));
    std::vector<std::vector<Recommendation>> results(n);
    rank_few(m, ItemRule(m, o), views.data(), n, o, results.data());
    for (std::uint32_t p = 0; p < n; ++p) emit(users[p], results[p]);
    return;
  }
  const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  // Users are done in batches so memory stays bounded for any user count.
  constexpr std::uint32_t kUsersPerBatch = 4096;
  std::vector<std::vector<Recommendation>> results(std::min(kUsersPerBatch, n));

  const ItemRule rule(m, o);
  std::optional<SimilarityIndex> sims;
  std::optional<const AllPanels> panels;
  if (o.method == RecommendMethod::Neighbors) sims.emplace(m, Side::Users, o.space);
  else panels.emplace(m, rule);

  for (std::uint32_t batch = 0; batch < n; batch += kUsersPerBatch) {
    const std::uint32_t end = std::min(n, batch + kUsersPerBatch);
    const std::uint32_t tiles = (end - batch + kTileUsers - 1) / kTileUsers;
    detail::parallel_for(tiles, threads, [&](std::uint32_t tile) {
      const std::uint32_t first = batch + tile * kTileUsers;
      const std::uint32_t count = std::min(kTileUsers, end - first);
      if (sims) {
        for (std::uint32_t p = first; p < first + count; ++p)
          results[p - batch] = recommend_neighbors(m, users[p], o, *sims, rule);
      } else {
        std::vector<UserView> views;
        for (std::uint32_t p = first; p < first + count; ++p) views.push_back(user_view(m, users[p]));
        rank_users(m, rule, *panels, views.data(), count, o, &results[first - batch]);
      }
    });
    for (std::uint32_t p = batch; p < end; ++p) emit(users[p], results[p - batch]);
  }
}

}  // namespace mfrec
