#pragma once
// Fold-in: a user who is not in the model, solved from the ratings they give
// with every item's factors and bias held fixed, so that recommend and
// predict can answer for them without retraining.
//
// Rating models: the bias b and factors u minimise what training minimises
// for one user with the items fixed (the training scale, r' = scaler(r)):
//   Σ_i (r'_i − μ − b − c_i − u·v_i)² + ½ρ‖u‖² + ½ρ_b·b²
// where ρ = λ·n (SGD) or (λ·n + λ_row)·σ (AdaGrad, σ the training ratings'
// spread) and ρ_b = λ_b·n, n the ratings given: the penalty each rating's
// step applies (src/core/train/sgd_kernel.hpp, adagrad.hpp). A ridge
// regression, solved exactly by a Cholesky factorisation of its
// (k+1)×(k+1) normal equations (k×k without biases).
// Implicit models: the ALS user step itself (src/core/train/implicit_als),
// with the given values as interaction strengths, run to convergence.
// A user with no rating gets the model's guess for a stranger: zero factors
// and bias (the mean plus each item's bias, as Model::predict_unknown;
// recommend then ranks by the popularity-shrunk item bias), and without
// biases (implicit models too) the average user's factors (preferences that
// follow what most users chose).
// Deterministic: the same ratings give the same bits. Throws Error(Usage)
// for an item index out of range or a rating that is not finite, and
// Error(Data) when a model with λ = 0 leaves the user undetermined (fewer
// ratings than unknowns).
#include <cstdint>
#include <span>
#include <vector>

#include "mfrec/model/model.hpp"
#include "mfrec/query/user_view.hpp"

namespace mfrec {

struct GivenRating {
  std::uint32_t item;  // model item index
  float rating;        // input scale
};

struct FoldedUser {
  float bias = 0.0f;                     // b_u, training scale
  std::vector<float> factors;            // k floats
  std::vector<std::uint32_t> rated;      // the items given, ascending
  std::vector<float> ratings;            // their ratings, training scale, parallel to `rated`

  UserView view() const { return UserView{factors.data(), bias, rated, ratings}; }
};

// An item given twice counts once, with the rating given last.
FoldedUser fold_in(const Model& model, std::span<const GivenRating> given);

// The training ratings' spread σ around the mean (training scale), which
// AdaGrad's penalties are measured in: from the ratings the model keeps, or
// when it keeps none (models before they did, data with more than 255
// distinct values), estimated from the fitted ratings and the training RMSE.
double training_spread(const Model& model);

}  // namespace mfrec
