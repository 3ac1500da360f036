// recommend --explain: which rated item most supports a recommendation
// (the rule is in mfrec/query/recommend.hpp).
#include <cmath>
#include <fmt/format.h>

#include "mfrec/query/recommend.hpp"

namespace mfrec {

namespace {

double dot(const float* a, const float* b, std::size_t k) {
  double sum = 0.0;
  for (std::size_t f = 0; f < k; ++f) sum += static_cast<double>(a[f]) * b[f];
  return sum;
}

// The user's rating of rated_items[position] when the model knows it (its
// fit otherwise), training scale.
double given_or_fitted(const Model& m, std::uint32_t user, std::uint64_t position) {
  if (const std::optional<double> given = m.given_rating(position)) return *given;
  return m.raw_score(user, m.rated_items[position]);
}

}  // namespace

Explainer::Explainer(const Model& model) : model_(model), inverse_norms_(model.items.size(), 0.0) {
  for (std::uint32_t j = 0; j < model.items.size(); ++j) {
    const float* v = model.item_factors.row(j);
    const double norm = std::sqrt(dot(v, v, model.k()));
    if (norm > 0.0) inverse_norms_[j] = 1.0 / norm;
  }
}

std::optional<Because> Explainer::because(std::uint32_t user, std::uint32_t item) const {
  const Model& m = model_;
  const std::size_t k = m.k();
  const float* v = m.item_factors.row(item);
  // The user's baseline: mean + b_u. Not b_j too: an item rated 2 by a user
  // who rates 4.5 on average would then support whatever resembles it
  // whenever most people rate it even lower (seen on MovieLens).
  const double baseline = m.mean + (m.options.bias ? m.user_bias[user] : 0.0);
  std::optional<std::uint64_t> best;  // a position in rated_items
  double best_support = 0.0;
  for (std::uint64_t p = m.rated_offsets[user]; p < m.rated_offsets[user + 1]; ++p) {
    const std::uint32_t j = m.rated_items[p];
    const float* vj = m.item_factors.row(j);
    const double cosine = dot(v, vj, k) * inverse_norms_[item] * inverse_norms_[j];
    // Only an item liked above the baseline and pointing the same way
    // supports: a disliked item opposite to this one multiplies to a
    // positive number too, but is no reason a person would accept.
    const double liked = given_or_fitted(m, user, p) - baseline;
    if (liked <= 0.0 || cosine <= 0.0) continue;
    const double support = liked * cosine;
    if (!best || support > best_support) {
      best = p;
      best_support = support;
    }
  }
  if (!best) return std::nullopt;
  const std::uint32_t j = m.rated_items[*best];
  const std::optional<double> given = m.given_rating(*best);
  return Because{j, given ? m.scaler.inverse(*given) : m.clip(m.predict(user, j)), given.has_value()};
}

std::string item_label(const Model& model, std::uint32_t item) {
  if (model.has_titles() && !model.item_titles[item].empty()) return model.item_titles[item];
  return model.items.name(item);
}

std::string because_text(const Model& model, const Because& because) {
  // One decimal, trailing zeros dropped: `(5)`, `(4.5)`; a fit is marked
  // as one: `(≈4.6)`.
  return fmt::format("{} ({}{:g})", item_label(model, because.item), because.given ? "" : "≈",
                     std::round(because.rating * 10.0) / 10.0);
}

}  // namespace mfrec
