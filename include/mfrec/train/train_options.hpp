#pragma once
// Every training option, defined once with its default. The CLI binds to
// these fields; the model file records them.
#include <cstdint>
#include <string>
#include <string_view>

namespace mfrec {

enum class Order : std::uint8_t { Shuffled = 0, Sequential = 1 };
Order parse_order(std::string_view text);
std::string order_name(Order order);

struct TrainOptions {
  // Defaults chosen on a seeded 80/20 split of MovieLens latest-small; see
  // README "Choosing the defaults".
  std::uint32_t factors = 128;  // k
  double lr = 0.003;            // α
  double lambda = 0.075;        // λ
  std::uint32_t epochs = 60;
  double lr_decay = 1.0;      // α for epoch t is α·lr_decay^(t−1)
  double lambda_bias = -1.0;  // λ for the biases; < 0: the same as lambda
  bool bias = true;  // false: the seed's plain U·Vᵀ
  bool normalize = false;
  Order order = Order::Shuffled;
  std::uint64_t seed = 42;
  unsigned threads = 0;  // 0 = all cores; never changes the model
  double validation_fraction = 0.0;  // 0 = none (or a file, held by the caller)
  std::uint32_t early_stop = 0;      // 0 = off

  double bias_lambda() const { return lambda_bias < 0.0 ? lambda : lambda_bias; }

  // Throws Error(Usage) naming the first bad field.
  void validate() const;
};

}  // namespace mfrec
