#include "train/init_factors.hpp"

#include <algorithm>

#include "util/parallel.hpp"

namespace mfrec::detail {

void init_factors(FactorMatrix& f, const std::vector<std::uint32_t>& row_of, std::uint64_t seed, RngStream stream,
                  unsigned threads) {
  constexpr std::uint32_t kRowsPerInitStream = 1024;
  const auto n = static_cast<std::uint32_t>(row_of.size());
  const double sd = 1.0 / static_cast<double>(f.k());
  parallel_for((n + kRowsPerInitStream - 1) / kRowsPerInitStream, threads, [&](std::uint32_t chunk) {
    Rng rng(seed ^ (std::uint64_t{chunk} * 0x9E3779B97F4A7C15ull), stream);
    for (std::uint32_t i = chunk * kRowsPerInitStream; i < std::min(n, (chunk + 1) * kRowsPerInitStream); ++i)
      rng.fill_normal(f.row(row_of[i]), f.k(), sd);
  });
}

}  // namespace mfrec::detail
