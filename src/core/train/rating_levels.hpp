#pragma once
// The distinct values a data set's ratings take (stars, half stars), so
// that the model can remember each user's own rating of each rated item in
// a byte (Model::rated_levels) instead of a float: `recommend --explain`
// shows it. Real rating scales have a handful of levels; a data set with
// more than 255 gets none (the explanation then shows the model's fit).
#include <cstdint>
#include <vector>

namespace mfrec::detail {

class RatingLevels {
 public:
  static constexpr std::size_t kMaxLevels = 255;

  // Adds a value; false (and the levels are lost) once there are too many.
  bool add(float value);
  bool usable() const { return usable_; }
  std::uint8_t code(float value) const;  // of a value that was added
  // The levels, ascending; empty when not usable.
  std::vector<float> take_levels();

 private:
  std::vector<float> levels_;  // ascending: a lookup is a binary search
  bool usable_ = true;
};

}  // namespace mfrec::detail
