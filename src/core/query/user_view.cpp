#include "mfrec/query/user_view.hpp"

namespace mfrec {

UserView user_view(const Model& m, std::uint32_t user) {
  const std::uint64_t first = m.rated_offsets[user], count = m.rated_offsets[user + 1] - first;
  UserView view{m.user_factors.row(user), m.options.bias ? m.user_bias[user] : 0.0f,
                std::span<const std::uint32_t>(m.rated_items.data() + first, count)};
  if (!m.rated_codes.empty()) {
    view.codes = std::span<const std::uint8_t>(m.rated_codes.data() + first, count);
    view.levels = m.rating_levels;
  }
  return view;
}

double raw_score(const Model& m, const UserView& user, std::uint32_t item) {
  const float* v = m.item_factors.row(item);
  double dot = 0.0;
  for (std::size_t f = 0; f < m.item_factors.k(); ++f) dot += static_cast<double>(user.factors[f]) * v[f];
  if (m.options.bias) dot += static_cast<double>(m.mean) + user.bias + m.item_bias[item];
  return dot;
}

}  // namespace mfrec
