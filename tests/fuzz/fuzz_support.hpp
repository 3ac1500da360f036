#pragma once
// Shared by the libFuzzer targets: reading options chosen by one input byte,
// a small hand-made model, the model file's header and checksum (restated, as
// the model_io tests do), and a check that aborts so a broken invariant is a
// finding like a crash.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../model_file_format.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::fuzz {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

// The first input byte b picks the reading options:
//   b % 3        layout: auto, wide, long
//   b / 3 % 5    delimiter: sniff, ',', tab, ';', space
//   b / 15 % 2   0: a header row if the first row reads as one, 1: --no-header
//   b / 30 % 4   0: default columns; 1: columns by index (2, 1, 3);
//                2: columns by name (user, item, rating); 3: --missing "?"
// (tests/fuzz/README.md has a table of the seed files' bytes).
inline ReadOptions read_options(std::uint8_t b) {
  ReadOptions o;
  o.layout = static_cast<Layout>(b % 3);  // Auto, Wide, Long in declaration order
  static constexpr Delimiter kDelimiters[] = {kSniffDelimiter, ',', '\t', ';', kWhitespaceDelimiter};
  o.delimiter = kDelimiters[b / 3 % 5];
  o.header = b / 15 % 2 == 0;
  switch (b / 30 % 4) {
    case 1:
      o.user_col = "2";
      o.item_col = "1";
      o.rating_col = "3";
      break;
    case 2:
      o.user_col = "user";
      o.item_col = "item";
      o.rating_col = "rating";
      break;
    case 3: o.missing = "?"; break;
    default: break;
  }
  return o;
}

// Two users, three items, k = 2, biases and a scaler: every field set.
inline Model small_model() {
  Model m;
  m.options.factors = 2;
  m.options.epochs = 3;
  m.options.normalize = true;
  m.summary.epochs_run = 3;
  m.summary.best_epoch = 3;
  m.source = "fuzz.csv";
  m.users.intern("ann");
  m.users.intern("Zoë");
  m.items.intern("x");
  m.items.intern("y");
  m.items.intern("Don't \"Stop\", live");
  m.ratings = 4;
  m.train_ratings = 4;
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.scaler = Scaler{true, 1.0, 5.0};
  m.rated_offsets = {0, 2, 4};
  m.rated_items = {0, 2, 1, 2};
  m.mean = 2.5f;
  m.user_bias = {0.25f, -0.5f};
  m.item_bias = {0.125f, 0.0f, -0.25f};
  m.user_factors = FactorMatrix(2, 2);
  m.item_factors = FactorMatrix(3, 2);
  float x = 0.3f;
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t f = 0; f < 2; ++f) m.user_factors.row(r)[f] = (x *= -1.1f);
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t f = 0; f < 2; ++f) m.item_factors.row(r)[f] = (x *= -0.9f);
  return m;
}

using mfrec::testing::kHeaderSize;

// A file of the current format around `payload`, with the right size and
// checksum, so that only the payload's own checks can refuse it.
inline std::string with_header(const std::string& payload) {
  std::string out("MFRECMDL", 8);
  auto put = [&out](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(std::uint32_t{kModelFormatVersion});
  put(std::uint32_t{0x01020304u});
  put(std::uint64_t{payload.size()});
  put(mfrec::testing::format_checksum(payload.data(), payload.size()));
  return out + payload;
}

// What every loaded model must satisfy before queries index into it.
inline void check_model(const Model& m) {
  require(m.k() >= 1 && m.k() <= 4096, "k in range");
  require(m.user_bias.size() == m.users.size() && m.item_bias.size() == m.items.size(), "bias sizes");
  require(m.user_factors.rows() == m.users.size() && m.item_factors.rows() == m.items.size(), "factor rows");
  require(m.user_factors.k() == m.k() && m.item_factors.k() == m.k(), "factor k");
  require(m.rated_offsets.size() == std::size_t{m.users.size()} + 1, "offsets size");
  require(m.rated_offsets.front() == 0 && m.rated_offsets.back() == m.rated_items.size(), "offsets span");
  for (std::uint32_t u = 0; u < m.users.size(); ++u) {
    require(m.rated_offsets[u] <= m.rated_offsets[u + 1], "offsets ascend");
    require(m.users.find(m.users.name(u)) == u, "user names unique");
  }
  for (std::uint32_t i = 0; i < m.items.size(); ++i) require(m.items.find(m.items.name(i)) == i, "item names unique");
  for (std::uint32_t item : m.rated_items) require(item < m.items.size(), "rated item in range");
  require(std::isfinite(m.rating_min) && std::isfinite(m.rating_max) && m.rating_min <= m.rating_max, "rating range");
}

}  // namespace mfrec::fuzz
