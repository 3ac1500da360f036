#pragma once
// A trained model: global mean, user and item biases, factor matrices U and V,
// the id maps, which items each user rated, and how it was trained.
// Immutable after training or loading; safe to read from many threads.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mfrec/model/id_map.hpp"
#include "mfrec/model/scaler.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {

// Rows of k floats, each padded to a multiple of kLanes and 64-byte aligned,
// so the SGD kernel runs whole vectors with no tail. Padding stays zero.
class FactorMatrix {
 public:
  static constexpr std::size_t kLanes = 16;

  FactorMatrix() = default;
  FactorMatrix(std::size_t rows, std::size_t k);
  FactorMatrix(const FactorMatrix& other);
  FactorMatrix& operator=(const FactorMatrix& other);
  // A moved-from matrix is empty (0 x 0), never a shape without storage.
  FactorMatrix(FactorMatrix&& other) noexcept { swap(other); }
  FactorMatrix& operator=(FactorMatrix&& other) noexcept {
    FactorMatrix(std::move(other)).swap(*this);
    return *this;
  }
  void swap(FactorMatrix& other) noexcept {
    std::swap(rows_, other.rows_);
    std::swap(k_, other.k_);
    std::swap(stride_, other.stride_);
    std::swap(data_, other.data_);
  }

  std::size_t rows() const { return rows_; }
  std::size_t k() const { return k_; }
  std::size_t stride() const { return stride_; }
  float* row(std::size_t i) { return data_.get() + i * stride_; }
  const float* row(std::size_t i) const { return data_.get() + i * stride_; }
  bool operator==(const FactorMatrix& other) const;

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::size_t rows_ = 0, k_ = 0, stride_ = 0;
  std::unique_ptr<float[], Free> data_;
};

// What training did, recorded in the model and shown by `info`.
struct TrainSummary {
  std::uint32_t epochs_run = 0;
  std::uint32_t best_epoch = 0;      // the epoch whose parameters were kept
  double train_objective = 0.0;      // training scale
  double train_rmse = 0.0;           // input scale
  double validation_rmse = -1.0;     // input scale; < 0 when there was none
  double validation_mae = -1.0;
  std::uint64_t validation_count = 0;
  bool converged = false;            // --tol stopped training before -e epochs
};

struct Model {
  TrainOptions options;
  TrainSummary summary;
  std::string source;             // the ratings file it was trained on
  IdMap users;
  IdMap items;
  std::uint64_t ratings = 0;       // ratings read
  std::uint64_t train_ratings = 0; // of which used for training
  float rating_min = 0.0f;         // input scale, for clipping
  float rating_max = 0.0f;
  Scaler scaler;
  // Items each user rated, as CSR: items of user u are
  // rated_items[rated_offsets[u] .. rated_offsets[u+1]), ascending.
  std::vector<std::uint64_t> rated_offsets;
  std::vector<std::uint32_t> rated_items;
  // The user's own rating of each rated item, as rating_levels[rated_codes[p]]
  // for rated_items[p] (training scale). Both empty when the ratings take
  // too many distinct values to code in a byte, for implicit models, and in
  // models from before format version 4.
  std::vector<float> rating_levels;
  std::vector<std::uint8_t> rated_codes;
  // Training ratings (interactions) per item, held-out ones not counted:
  // the popularity the most-popular baseline ranks by. Empty in a model
  // built by hand: popularity() then counts the rated items.
  std::vector<std::uint32_t> item_counts;
  // Item titles (train --item-names), one per item, "" for an item the
  // titles file did not name; empty when the model has none.
  std::vector<std::string> item_titles;
  // The model file's format version it was read from (0: trained, not read).
  std::uint32_t file_version = 0;
  // Mean training rating (training scale). Part of every prediction with
  // biases; with or without, the base guess for users or items never seen.
  float mean = 0.0f;
  std::vector<float> user_bias;
  std::vector<float> item_bias;
  FactorMatrix user_factors;  // U, users x k
  FactorMatrix item_factors;  // V, items x k

  std::uint32_t k() const { return options.factors; }
  // Implicit models score preferences (larger = more likely to interact),
  // not ratings: no clipping, no rating range.
  bool implicit() const { return options.objective == Objective::Implicit; }
  // Prediction on the training scale, as the SGD rule sees it.
  double raw_score(std::uint32_t user, std::uint32_t item) const;
  // Prediction on the input's scale, not clipped.
  double predict(std::uint32_t user, std::uint32_t item) const { return scaler.inverse(raw_score(user, item)); }
  // Prediction on the input's scale, not clipped, when the user or the item
  // (or both) is unknown: the mean plus whatever bias is known.
  double predict_unknown(std::optional<std::uint32_t> user, std::optional<std::uint32_t> item) const;
  double clip(double rating) const;
  // item_counts, or when it is missing, how many users rated each item.
  std::vector<std::uint32_t> popularity() const;
  bool has_rated(std::uint32_t user, std::uint32_t item) const;
  // The rating given to rated_items[position] (training scale), if known.
  std::optional<double> given_rating(std::uint64_t position) const {
    if (rated_codes.empty()) return std::nullopt;
    return rating_levels[rated_codes[position]];
  }
  bool has_titles() const { return !item_titles.empty(); }
};

}  // namespace mfrec
