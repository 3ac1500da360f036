#pragma once
// The steps of a warm start (mfrec/train/warm_start.hpp), in the order
// train() takes them: the scale, the ids, the starting factors, and after
// training what the model knew beside its factors.
#include <cstdint>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"

namespace mfrec::detail {

// Before the ratings are scaled: `init`'s scaler, since its factors and
// mean were learned on that scale, and a rating range (for clipping) that
// holds both init's ratings and the data's.
void adopt_scale(const Model& init, Model& m);

// Renumbers `ratings` and `held` from the data's ids (m.users, m.items) to
// the merged ones (merged_ids), which become m's, and sorts `ratings` by
// (user, item) again; with `replay`, adds the ratings init kept of pairs
// neither holds. m.item_counts becomes init's popularity plus the training
// ratings of pairs init had not seen (a rating again is not a new rater).
void merge_ids(const Model& init, Model& m, std::vector<Rating>& ratings, std::vector<Rating>& held, bool replay);

// Row i of `from` (index i of the model warm-started from) into row
// row_of[i] of `to`, for every index `from` has; the others keep their
// cold start.
void copy_known_rows(const FactorMatrix& from, FactorMatrix& to, const std::vector<std::uint32_t>& row_of);
void copy_known_rows(const std::vector<float>& from, std::vector<float>& to, const std::vector<std::uint32_t>& row_of);

// After training: the items each user rated in `init` or in the data, with
// the rating given where both models keep them (the data's for a pair in
// both), and init's item titles ("" for new items).
void add_known(const Model& init, Model& m);

}  // namespace mfrec::detail
