#include "mfrec/model/scaler.hpp"

#include <string>

#include "mfrec/error.hpp"

namespace mfrec {

Scaler Scaler::fit(const RatingRange& range) {
  if (!(range.max > range.min))
    throw Error(ErrorKind::Data, "cannot --normalize: every rating is " + std::to_string(range.min) +
                                     ", so there is no range to scale");
  return Scaler{true, range.min, range.max};
}

}  // namespace mfrec
