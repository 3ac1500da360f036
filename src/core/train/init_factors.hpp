#pragma once
// Seeded initial factors, shared by the SGD and the ALS trainers.
#include <cstdint>
#include <vector>

#include "mfrec/model/model.hpp"
#include "util/random.hpp"

namespace mfrec::detail {

// Draws the initial factors ~ N(0, (1/k)²), standard deviation 1/k as in the
// seed, index i into row row_of[i] of `f`. Indices come in fixed chunks of
// 1024, each with its own seeded stream, so threads can draw chunks in any
// order and the values depend only on the seed and the index.
void init_factors(FactorMatrix& f, const std::vector<std::uint32_t>& row_of, std::uint64_t seed, RngStream stream,
                  unsigned threads);

}  // namespace mfrec::detail
