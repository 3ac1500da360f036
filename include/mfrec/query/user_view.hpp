#pragma once
// A user as the queries see one: factors, bias, the items rated and, when
// known, the ratings given. A user of the model (user_view) or one folded in
// from given ratings (fold_in.hpp) answers recommend, predict and --explain
// through the same code. A view borrows: it is valid while what it points
// into (the model, the FoldedUser) lives.
#include <cstdint>
#include <optional>
#include <span>

#include "mfrec/model/model.hpp"

namespace mfrec {

struct UserView {
  const float* factors = nullptr;          // k floats (padded rows are fine)
  float bias = 0.0f;                       // b_u, training scale; 0 without biases
  std::span<const std::uint32_t> rated{};  // item indices, ascending, no repeats
  // The ratings given to `rated` (training scale), when known: one per item
  // (a folded-in user), or coded as the model keeps them, levels[codes[p]].
  std::span<const float> ratings{};
  std::span<const std::uint8_t> codes{};
  std::span<const float> levels{};

  // The rating given to rated[p], training scale, if known.
  std::optional<double> given_rating(std::size_t p) const {
    if (!ratings.empty()) return ratings[p];
    if (!codes.empty()) return levels[codes[p]];
    return std::nullopt;
  }
};

// Model user `user`'s view (its ratings when the model keeps them).
UserView user_view(const Model& model, std::uint32_t user);

// The prediction on the training scale, as Model::raw_score computes it for
// a user of the model (same operations, same bits).
double raw_score(const Model& model, const UserView& user, std::uint32_t item);

// On the input's scale, not clipped, as Model::predict.
inline double predict(const Model& model, const UserView& user, std::uint32_t item) {
  return model.scaler.inverse(raw_score(model, user, item));
}

}  // namespace mfrec
