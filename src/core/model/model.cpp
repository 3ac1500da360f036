#include "mfrec/model/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

#include "mfrec/error.hpp"
#include "util/huge_pages.hpp"

namespace mfrec {

FactorMatrix::FactorMatrix(std::size_t rows, std::size_t k)
    : rows_(rows), k_(k), stride_((k + kLanes - 1) / kLanes * kLanes) {
  const std::size_t bytes = std::max<std::size_t>(rows_ * stride_ * sizeof(float), 64);
  // A matrix of megabytes starts on a huge page and asks for them: its
  // fresh pages then cost a fault per 2 MiB, not per 4 KiB (a model load
  // or a training start faults every page in once).
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  const std::size_t align = bytes >= 2 * kHuge ? kHuge : 64;
  void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
  if (!p) throw std::bad_alloc();
  detail::advise_huge_pages(p, bytes);
  std::memset(p, 0, bytes);
  data_.reset(static_cast<float*>(p));
}

FactorMatrix::FactorMatrix(const FactorMatrix& other) : FactorMatrix(other.rows_, other.k_) {
  if (rows_) std::memcpy(data_.get(), other.data_.get(), rows_ * stride_ * sizeof(float));
}

FactorMatrix& FactorMatrix::operator=(const FactorMatrix& other) {
  if (this != &other) {
    if (rows_ == other.rows_ && k_ == other.k_) {
      if (rows_) std::memcpy(data_.get(), other.data_.get(), rows_ * stride_ * sizeof(float));
    } else {
      *this = FactorMatrix(other);
    }
  }
  return *this;
}

bool FactorMatrix::operator==(const FactorMatrix& other) const {
  if (rows_ != other.rows_ || k_ != other.k_) return false;
  return rows_ == 0 || std::memcmp(data_.get(), other.data_.get(), rows_ * stride_ * sizeof(float)) == 0;
}

double Model::raw_score(std::uint32_t user, std::uint32_t item) const {
  const float* u = user_factors.row(user);
  const float* v = item_factors.row(item);
  double dot = 0.0;
  for (std::size_t f = 0; f < user_factors.k(); ++f) dot += static_cast<double>(u[f]) * v[f];
  if (options.bias) dot += static_cast<double>(mean) + user_bias[user] + item_bias[item];
  return dot;
}

double Model::predict_unknown(std::optional<std::uint32_t> user, std::optional<std::uint32_t> item) const {
  double s = mean;
  if (options.bias) {
    if (user) s += user_bias[*user];
    if (item) s += item_bias[*item];
  }
  return scaler.inverse(s);
}

std::vector<std::uint32_t> Model::popularity() const {
  if (item_counts.size() == items.size()) return item_counts;
  std::vector<std::uint32_t> counts(items.size(), 0);
  for (std::uint32_t i : rated_items)
    if (i < counts.size()) ++counts[i];
  return counts;
}

double Model::clip(double rating) const {
  if (implicit()) return rating;
  return std::clamp(rating, static_cast<double>(rating_min), static_cast<double>(rating_max));
}

bool Model::has_rated(std::uint32_t user, std::uint32_t item) const {
  const auto first = rated_items.begin() + static_cast<std::ptrdiff_t>(rated_offsets[user]);
  const auto last = rated_items.begin() + static_cast<std::ptrdiff_t>(rated_offsets[user + 1]);
  return std::binary_search(first, last, item);
}

}  // namespace mfrec
