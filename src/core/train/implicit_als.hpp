#pragma once
// Weighted matrix factorization of implicit feedback (Hu, Koren, Volinsky
// 2008) by alternating least squares, each row solved approximately by a
// few steps of conjugate gradient warm-started from its current value
// (Takács et al. 2011; as the `implicit` library does). The pieces the
// implicit trainer runs, here so that tests can check each one.
//
// For every user u and item i, preference p = 1 if the user interacted
// (value r > 0), else 0; confidence c = 1 + α·|r| (1 for pairs not in the
// data). Minimized: Σ_ui c(p − x_u·y_i)² + λ(‖X‖² + ‖Y‖²), over ALL pairs.
// A value r < 0 is a confident "no" (p = 0, c = 1 + α·|r|), as in the
// `implicit` library; r = 0 adds nothing to the objective (the pair is still
// known to the model: never recommended, not counted as popularity).
#include <atomic>
#include <cstdint>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/model/model.hpp"

namespace mfrec::detail {

// One interaction of a row: the column and its weight, signed: c·p would
// lose c when p = 0, so `weight` is +c for p = 1 and −c for p = 0 (c ≥ 1).
struct Interaction {
  std::uint32_t col;
  float weight;

  float confidence() const { return weight < 0.0f ? -weight : weight; }
  float target() const { return weight > 0.0f ? weight : 0.0f; }  // c·p
};

// Interactions as CSR: row r's are entries[offsets[r] .. offsets[r + 1]),
// by ascending column.
struct InteractionRows {
  std::vector<std::uint64_t> offsets;
  std::vector<Interaction> entries;

  std::uint32_t rows() const { return static_cast<std::uint32_t>(offsets.size() - 1); }
};

struct Interactions {
  InteractionRows by_user;
  InteractionRows by_item;
};

// From ratings sorted by (user, item) with ids below `users` and `items`;
// values of 0 are left out. Throws Error(Data) when 1 + α·|r| overflows.
Interactions make_interactions(const std::vector<Rating>& ratings, std::uint32_t users, std::uint32_t items,
                               double alpha);

// The λ the solver uses for the λ a user gives: λ·√(Σ c·p), Σ over the
// interactions, so that λ does not depend on the data's size.
// Why: with X and Y free to trade scale, λ(‖X‖² + ‖Y‖²) at the optimum is
// 2λ‖XYᵀ‖_* (Srebro et al. 2005), and a nuclear-norm penalty shrinks every
// singular value of the (confidence-weighted) target by about λ: patterns
// weaker than λ are dropped, all others kept, shrunk. Those singular values
// grow with the data: a pattern holding a share s of the target's energy
// has σ = √s·‖√C∘P‖_F = √(s·Σ c·p). A fixed λ therefore keeps weaker and
// weaker patterns (noise among them) as the data grow, and drops real ones
// in small data: λ = 40, best on MovieLens-small's 80k ratings, ranked
// below popularity on 2.4M clicks. Scaled by ‖√C∘P‖_F, λ is a share of the
// data's energy, whatever its size, density or confidence.
// (Per-row scaling, λ·Σ_i c_ui as in Zhou et al. 2008 and Rendle et al.
// 2021, was measured too: its best λ halved from 20000 x 2000 to 100000 x
// 10000 and from ratings to clicks; see bench/implicit_study.sh.)
double scaled_lambda(double lambda, const InteractionRows& rows);

// The k x k Gram matrix YᵀY of `y`'s rows, as a FactorMatrix (row f =
// column f: it is symmetric). Computed once per half-iteration, it turns
// the sum over all pairs into O(k²) per row. Summed in fixed chunks of
// rows, the chunk sums added in chunk order: the same bytes for any thread
// count.
FactorMatrix gram(const FactorMatrix& y, unsigned threads);

// Per-thread scratch of the row solve: three padded vectors.
class CgScratch {
 public:
  explicit CgScratch(std::size_t stride) : buffer_(3, stride) {}
  float* r() { return buffer_.row(0); }
  float* p() { return buffer_.row(1); }
  float* ap() { return buffer_.row(2); }

 private:
  FactorMatrix buffer_;
};

// What a half-iteration solves against: the fixed side, its Gram matrix,
// the regularization and the number of conjugate gradient steps per row.
struct FixedSide {
  const FactorMatrix& y;
  const FactorMatrix& gram;  // YᵀY
  float lambda;
  unsigned steps;
};

// Moves `x` towards the solution of
//   (YᵀY + Σ_i (c_i − 1) y_i y_iᵀ + λI) x = Σ_i c_i p_i y_i
// over the row's interactions [first, last), by `side.steps` steps of
// conjugate gradient from x itself (exact after k steps, in exact maths).
void solve_row(float* x, const FixedSide& side, const Interaction* first, const Interaction* last,
               CgScratch& scratch);

// One half-iteration: solves every row of `x` (the rows of `rows`, whose
// columns index side.y). Skips the rows not yet started once `stop` is set
// (nullptr: never). Rows below `keep_empty_below` with no interactions keep
// their value: a warm start's rows the new data does not mention, which
// solving would pull to zero as if they had interacted with nothing.
void solve_rows(FactorMatrix& x, const FixedSide& side, const InteractionRows& rows, unsigned threads,
                const std::atomic<bool>* stop = nullptr, std::uint32_t keep_empty_below = 0);

// Σ_ui c(p − x_u·y_i)² + λ(‖X‖² + ‖Y‖²), with the sum over all pairs taken
// as Σ_observed [c(p − s)² − s²] + Σ_u x_uᵀ(YᵀY)x_u; `y_gram` is YᵀY.
double implicit_objective(const FactorMatrix& x, const FactorMatrix& y, const InteractionRows& by_user,
                          const FactorMatrix& y_gram, double lambda, unsigned threads);

}  // namespace mfrec::detail
