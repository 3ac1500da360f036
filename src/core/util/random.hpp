#pragma once
// Seeded random numbers whose sequence is fixed by this code alone (not by
// the standard library's distributions, which differ between vendors), so a
// seed names the same model everywhere.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>

namespace mfrec {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna), seeded through splitmix64. `stream`
// gives independent sequences from one user seed (init, shuffle, split…).
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) {
    std::uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (auto& word : state_) word = splitmix64(s);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound), without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t bound) {
    if (bound <= 1) return 0;
    const std::uint64_t threshold = (0 - bound) % bound;
    while (true) {
      const u128 m = static_cast<u128>(next()) * bound;
      if (static_cast<std::uint64_t>(m) >= threshold) return static_cast<std::uint64_t>(m >> 64);
    }
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Standard normal by Box-Muller, one draw per call (no cached second value,
  // so the sequence does not depend on call history beyond the count).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  // n standard normal draws times `scale`, in float: both values of each
  // Box-Muller pair are used, from 24-bit uniforms (tails reach 5.8σ), at
  // half the cost of double math. For initial factors, where the spread
  // matters and the last bits do not.
  void fill_normal(float* out, std::size_t n, double scale) {
    const auto s = static_cast<float>(scale);
    for (std::size_t i = 0; i < n; i += 2) {
      const float u1 = 1.0f - uniform24();  // (0, 1]
      const float angle = 2.0f * std::numbers::pi_v<float> * uniform24();
      const float radius = std::sqrt(-2.0f * std::log(u1)) * s;
      out[i] = radius * std::cos(angle);
      if (i + 1 < n) out[i + 1] = radius * std::sin(angle);
    }
  }

  // Uniform in [0, 1) with 24 random bits: every value exact in float.
  float uniform24() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }

  // Fisher-Yates shuffle of [first, last).
  template <class It>
  void shuffle(It first, It last) {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      const std::uint64_t j = below(i);
      using std::swap;
      swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
    }
  }

 private:
  __extension__ typedef unsigned __int128 u128;
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

// Stream numbers, one per use, so that adding a use never shifts another.
enum RngStream : std::uint64_t {
  kStreamInit = 1,
  // 2 was the per-epoch block reshuffle, no longer done.
  kStreamHoldout = 3,
  kStreamSynthetic = 4,
  kStreamFolds = 5,
  kStreamBands = 6,
  kStreamSchedule = 7,
  kStreamInitItems = 8,  // kStreamInit is the users'
  kStreamTune = 9,       // mfrec tune's trial settings
};

}  // namespace mfrec
