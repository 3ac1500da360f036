#pragma once
// Cosine similarity between users (or items) of a model.
//   Centered space (the default): cosine between rows (columns) of the
//   predicted matrix after removing each row's mean and each column's mean.
//   X = A·Bᵀ, so the double-centered matrix is (A − Ā)(B − B̄)ᵀ (Ā, B̄ the
//   mean rows): the same Gram trick on centered factors. The mean, the
//   biases and the scaler's shift vanish; what is left is a·(U − Ū)(V − V̄)ᵀ.
//   Without it every predicted row is dominated by the mean and the item
//   biases, and the plain cosine is ≈ 1 for everybody.
//   Predicted space (the seed's): cosine between rows (columns) of the full
//   predicted matrix X on the input scale, unclipped. X = A·Bᵀ with one
//   (k+2)-vector per user and per item, so with G = BᵀB (a (k+2)² matrix)
//   x_a·x_b = A_a G A_bᵀ: O(k²) to set up per row, O(k) per pair, never O(n).
//   Factors space: cosine between the latent vectors U_u (V_i).
// Immutable after construction; safe to query from many threads.
#include <cstdint>
#include <string_view>
#include <vector>

#include "mfrec/model/model.hpp"

namespace mfrec {

enum class SimilaritySpace { Centered, Predicted, Factors };
SimilaritySpace parse_similarity_space(std::string_view text);

enum class Side { Users, Items };

struct Neighbor {
  std::uint32_t index;
  double similarity;
};

class SimilarityIndex {
 public:
  SimilarityIndex(const Model& model, Side side, SimilaritySpace space);

  std::uint32_t size() const { return size_; }
  // Exactly symmetric; 1 on the diagonal; otherwise 0 when either row is all
  // zeros (cosine is undefined there; in the centered space, a row that was
  // constant).
  double operator()(std::uint32_t a, std::uint32_t b) const;
  // The `count` rows most similar to `a`, `a` excluded, most similar first,
  // ties by index.
  std::vector<Neighbor> nearest(std::uint32_t a, std::size_t count) const;

 private:
  void project(const std::vector<double>& gram);  // projected_ = rows_·G

  std::uint32_t size_ = 0;
  std::size_t dim_ = 0;
  std::vector<double> rows_;       // A, size_ x dim_
  std::vector<double> projected_;  // A·G, size_ x dim_
  std::vector<double> norm_;       // ‖x_a‖
};

// The predicted matrix as A·Bᵀ on the input scale (unclipped):
// user_rows is users x (k+2), item_rows items x (k+2), row-major.
struct PredictedFactorization {
  std::size_t dim = 0;
  std::vector<double> user_rows;
  std::vector<double> item_rows;
};
PredictedFactorization predicted_factorization(const Model& model);
// The same with the mean user row subtracted from every user row and the mean
// item row from every item row: A·Bᵀ is then the double-centered matrix.
PredictedFactorization centered_factorization(const Model& model);

}  // namespace mfrec
