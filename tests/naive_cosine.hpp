#pragma once
// The cosine of two vectors the slow obvious way, in double: what the
// similarity tests compare mfrec's Gram-trick tables against. A zero vector
// is similar to nothing (0), as in mfrec.
#include <cmath>
#include <vector>

namespace mfrec::test_support {

inline double naive_cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double dot = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa == 0 || bb == 0 ? 0.0 : dot / std::sqrt(aa * bb);
}

}  // namespace mfrec::test_support
