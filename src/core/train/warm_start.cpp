#include "mfrec/train/warm_start.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "mfrec/error.hpp"
#include "train/rating_levels.hpp"
#include "train/warm_start.hpp"

namespace mfrec {

namespace {

std::string with_or_without(bool on, const char* what) { return std::string(on ? "with " : "without ") + what; }

// `known`'s ids, then `data`'s new ones; index_of[i]: the merged index of
// data's id i.
IdMap merge_into(const IdMap& known, const IdMap& data, std::vector<std::uint32_t>& index_of) {
  IdMap merged = known;
  merged.reserve(std::size_t{known.size()} + data.size());
  index_of.resize(data.size());
  for (std::uint32_t i = 0; i < data.size(); ++i) index_of[i] = merged.intern(data.name(i));
  return merged;
}

}  // namespace

void check_warm_start(const Model& init, const TrainOptions& options, bool replay) {
  if (options.objective != init.options.objective)
    throw Error(ErrorKind::Usage, "the --init model learned --objective " + objective_name(init.options.objective) +
                                      ", not " + objective_name(options.objective) +
                                      ": a warm start continues the model's objective");
  if (options.factors != init.k())
    throw Error(ErrorKind::Usage, "the --init model has k = " + std::to_string(init.k()) + " but training asks for k = " +
                                      std::to_string(options.factors) + ": a warm start keeps the model's k");
  if (replay && init.rated_codes.empty() && !init.rated_items.empty())
    throw Error(ErrorKind::Usage, "the --init model kept no ratings to replay (an implicit model, a model from before "
                                  "they were kept, or ratings of more than 255 distinct values)");
  if (init.implicit()) return;  // no biases, no scaling
  if (options.bias != init.options.bias)
    throw Error(ErrorKind::Usage, "the --init model was trained " + with_or_without(init.options.bias, "biases") +
                                      ", this training is " + with_or_without(options.bias, "biases") +
                                      " (--no-bias): a warm start keeps the model's form");
  if (options.normalize != init.options.normalize)
    throw Error(ErrorKind::Usage, "the --init model was trained " + with_or_without(init.options.normalize, "--normalize") +
                                      ": a warm start keeps the scale its factors were learned on");
}

IdMap merged_ids(const IdMap& known, const IdMap& data) {
  std::vector<std::uint32_t> index_of;
  return merge_into(known, data, index_of);
}

}  // namespace mfrec

namespace mfrec::detail {

namespace {

bool rated_before(const Model& init, const Rating& r) {
  return r.user + std::size_t{1} < init.rated_offsets.size() && r.item < init.items.size() &&
         init.has_rated(r.user, r.item);
}

// init's popularity, and one more rater for every training rating of a pair
// init had not seen. As in training, an implicit value of 0 or below is no
// evidence of choice.
std::vector<std::uint32_t> united_counts(const Model& init, const Model& m, const std::vector<Rating>& ratings) {
  std::vector<std::uint32_t> counts = init.popularity();
  counts.resize(m.items.size(), 0);
  for (const Rating& r : ratings)
    if ((!m.implicit() || r.value > 0.0f) && !rated_before(init, r)) ++counts[r.item];
  return counts;
}

// The rating levels of `init` and `m` in one list (both on init's scale),
// and each side's codes renumbered into it. No levels when either side
// rated items without keeping their values (a model from before they were
// kept, too many levels) or the two together have more than a byte codes:
// then the united model keeps no values, as a model of such data would not.
struct UnitedLevels {
  std::vector<float> levels;
  std::vector<std::uint8_t> from_init, from_new;  // a side's code -> the united code
};
UnitedLevels unite_levels(const Model& init, const Model& m) {
  UnitedLevels u;
  const auto coded = [](const Model& model) { return !model.rated_codes.empty() || model.rated_items.empty(); };
  if (!coded(init) || !coded(m)) return u;
  std::set_union(init.rating_levels.begin(), init.rating_levels.end(), m.rating_levels.begin(), m.rating_levels.end(),
                 std::back_inserter(u.levels));
  if (u.levels.size() > RatingLevels::kMaxLevels) return {};
  const auto renumber = [&](const std::vector<float>& levels) {
    std::vector<std::uint8_t> to;
    for (float v : levels)
      to.push_back(static_cast<std::uint8_t>(std::lower_bound(u.levels.begin(), u.levels.end(), v) - u.levels.begin()));
    return to;
  };
  u.from_init = renumber(init.rating_levels);
  u.from_new = renumber(m.rating_levels);
  return u;
}

// User u's positions in a model's rated_items: [first, last).
std::pair<std::uint64_t, std::uint64_t> rated_span(const Model& model, std::uint32_t u) {
  if (u + std::size_t{1} >= model.rated_offsets.size()) return {0, 0};
  return {model.rated_offsets[u], model.rated_offsets[u + 1]};
}

// Builds the united rated-items index and its codes, user by user.
class RatedUnion {
 public:
  RatedUnion(const Model& init, const Model& m) : init_(init), m_(m), levels_(unite_levels(init, m)) {
    offsets_.reserve(std::size_t{m.users.size()} + 1);
    offsets_.push_back(0);
    items_.reserve(m.rated_items.size() + init.rated_items.size());
  }

  // User u's items of both models, ascending; a pair in both takes the new
  // rating.
  void add_user(std::uint32_t u) {
    auto [old_at, old_end] = rated_span(init_, u);
    auto [new_at, new_end] = rated_span(m_, u);
    while (old_at < old_end || new_at < new_end) {
      if (new_at == new_end || (old_at < old_end && init_.rated_items[old_at] < m_.rated_items[new_at])) {
        push(init_, old_at++, levels_.from_init);
        continue;
      }
      if (old_at < old_end && init_.rated_items[old_at] == m_.rated_items[new_at]) ++old_at;  // rated again
      push(m_, new_at++, levels_.from_new);
    }
    offsets_.push_back(items_.size());
  }

  void move_into(Model& m) {
    m.rated_offsets = std::move(offsets_);
    m.rated_items = std::move(items_);
    m.rated_codes = std::move(codes_);
    m.rating_levels = std::move(levels_.levels);
  }

 private:
  void push(const Model& from, std::uint64_t position, const std::vector<std::uint8_t>& code_of) {
    items_.push_back(from.rated_items[position]);
    if (!levels_.levels.empty()) codes_.push_back(code_of[from.rated_codes[position]]);
  }

  const Model& init_;
  const Model& m_;
  UnitedLevels levels_;
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint32_t> items_;
  std::vector<std::uint8_t> codes_;
};

// The rated items of `init` and of `m`, and the ratings given, into m's
// index.
void unite_rated_items(const Model& init, Model& m) {
  RatedUnion united(init, m);
  for (std::uint32_t u = 0; u < m.users.size(); ++u) united.add_user(u);
  united.move_into(m);
}

bool by_pair(const Rating& a, const Rating& b) { return a.user != b.user ? a.user < b.user : a.item < b.item; }

// The ratings init kept (input scale) of pairs neither `ratings` (sorted by
// pair) nor `held` holds, merged into `ratings` in order. Init's pairs keep
// their ids: they come first in the merged maps.
void add_kept_ratings(const Model& init, std::vector<Rating>& ratings, const std::vector<Rating>& held) {
  if (init.rated_codes.empty()) return;  // none (check_warm_start refuses to replay them)
  std::vector<Rating> skip(held);
  std::sort(skip.begin(), skip.end(), by_pair);
  const std::size_t given = ratings.size();
  const auto holds = [](const std::vector<Rating>& v, std::size_t n, const Rating& r) {
    return std::binary_search(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), r, by_pair);
  };
  for (std::uint32_t u = 0; u < init.users.size(); ++u) {
    const auto [first, last] = rated_span(init, u);
    for (std::uint64_t p = first; p < last; ++p) {
      const Rating r{u, init.rated_items[p], static_cast<float>(init.scaler.inverse(*init.given_rating(p)))};
      if (!holds(ratings, given, r) && !holds(skip, skip.size(), r)) ratings.push_back(r);
    }
  }
  std::inplace_merge(ratings.begin(), ratings.begin() + static_cast<std::ptrdiff_t>(given), ratings.end(), by_pair);
}

}  // namespace

void adopt_scale(const Model& init, Model& m) {
  m.scaler = init.scaler;
  m.rating_min = std::min(m.rating_min, init.rating_min);
  m.rating_max = std::max(m.rating_max, init.rating_max);
}

void merge_ids(const Model& init, Model& m, std::vector<Rating>& ratings, std::vector<Rating>& held, bool replay) {
  std::vector<std::uint32_t> user_of, item_of;
  IdMap users = merge_into(init.users, m.users, user_of);
  IdMap items = merge_into(init.items, m.items, item_of);
  const auto renumber = [&](Rating& r) {
    r.user = user_of[r.user];
    r.item = item_of[r.item];
  };
  std::for_each(ratings.begin(), ratings.end(), renumber);
  std::for_each(held.begin(), held.end(), renumber);
  // The renumbering keeps neither order: the grid and the rated-items index
  // want (user, item) order, and pairs are unique, so the sort is total.
  std::sort(ratings.begin(), ratings.end(), by_pair);
  if (replay) add_kept_ratings(init, ratings, held);
  m.users = std::move(users);
  m.items = std::move(items);
  m.item_counts = united_counts(init, m, ratings);
}

void copy_known_rows(const FactorMatrix& from, FactorMatrix& to, const std::vector<std::uint32_t>& row_of) {
  if (from.stride() != to.stride()) throw Error(ErrorKind::Internal, "warm start: factor rows of another width");
  for (std::size_t i = 0; i < from.rows(); ++i) std::copy_n(from.row(i), from.stride(), to.row(row_of[i]));
}

void copy_known_rows(const std::vector<float>& from, std::vector<float>& to, const std::vector<std::uint32_t>& row_of) {
  for (std::size_t i = 0; i < from.size(); ++i) to[row_of[i]] = from[i];
}

void add_known(const Model& init, Model& m) {
  unite_rated_items(init, m);
  if (init.has_titles()) {
    m.item_titles = init.item_titles;
    m.item_titles.resize(m.items.size());
  }
}

}  // namespace mfrec::detail
