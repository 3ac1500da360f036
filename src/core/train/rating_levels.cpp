#include "rating_levels.hpp"

#include <algorithm>
#include <cassert>

namespace mfrec::detail {

bool RatingLevels::add(float value) {
  if (!usable_) return false;
  const auto at = std::lower_bound(levels_.begin(), levels_.end(), value);
  if (at != levels_.end() && *at == value) return true;
  if (levels_.size() == kMaxLevels) {
    usable_ = false;
    levels_.clear();
    return false;
  }
  levels_.insert(at, value);
  return true;
}

std::uint8_t RatingLevels::code(float value) const {
  assert(usable_);
  const auto at = std::lower_bound(levels_.begin(), levels_.end(), value);
  assert(at != levels_.end() && *at == value);
  return static_cast<std::uint8_t>(at - levels_.begin());
}

std::vector<float> RatingLevels::take_levels() { return usable_ ? std::move(levels_) : std::vector<float>(); }

}  // namespace mfrec::detail
