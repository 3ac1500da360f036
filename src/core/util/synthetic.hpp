#pragma once
// Seeded synthetic ratings with a known low-rank structure, for tests and
// benchmarks: r = μ + b_u + c_i + P_u·Q_i + noise, over distinct (user, item)
// pairs drawn with Zipf-like item popularity.
#include <cstdint>

#include "mfrec/model/dataset.hpp"

namespace mfrec {

struct SyntheticSpec {
  std::uint32_t users = 1000;
  std::uint32_t items = 500;
  std::uint32_t rank = 4;
  std::uint64_t ratings = 20000;
  double mean = 3.5;
  double bias_sd = 0.3;    // of user and item biases
  double factor_sd = 0.5;  // of each truth factor entry
  double noise_sd = 0.1;
  double zipf = 0.8;       // item popularity exponent; 0 = uniform
  std::uint64_t seed = 1;
};

// Users are named "u<index>", items "i<index>". The noise-free value of
// every generated pair is available through `truth` when given.
Dataset make_synthetic(const SyntheticSpec& spec, std::vector<double>* truth = nullptr);

}  // namespace mfrec
