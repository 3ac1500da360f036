// libFuzzer target: the model loader. The first byte picks what the rest is:
//   % 3 == 0  a whole model file, as read from disk;
//   % 3 == 1  a payload, given a header of the current format with the right
//             size and checksum, so the structural checks are what is tested;
//   % 3 == 2  edits to a valid model's payload: each 3-byte group is a 16-bit
//             offset and a byte to XOR there; a final 1 or 2 bytes truncate
//             the payload to that length modulo its size; the header is
//             then made consistent again.
// The only acceptable failure is Error(Format). A model that loads must be
// consistent, answer queries with no UB, and serialize to bytes that load
// back to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"

using namespace mfrec;
using fuzz::require;

namespace {

void exercise(const Model& m) {
  fuzz::check_model(m);
  // Queries as the CLI makes them, on a bounded part of the model.
  const std::uint32_t users = std::min<std::uint32_t>(m.users.size(), 64);
  const std::uint32_t items = std::min<std::uint32_t>(m.items.size(), 64);
  double sink = 0;
  for (std::uint32_t u = 0; u < users; ++u) {
    for (std::uint32_t i = 0; i < items; ++i) {
      sink += m.clip(m.predict(u, i));
      sink += m.has_rated(u, i) ? 1 : 0;
    }
    sink += m.predict_unknown(u, std::nullopt);
  }
  if (items) sink += m.predict_unknown(std::nullopt, 0u);
  sink += m.predict_unknown(std::nullopt, std::nullopt);
  (void)sink;
  const std::string again = serialize_model(m);
  const Model back = deserialize_model(again, "again");
  require(serialize_model(back) == again, "re-serialized model is stable");
}

void load(const std::string& bytes) {
  try {
    exercise(deserialize_model(bytes, "fuzz.model"));
  } catch (const Error& e) {
    require(e.kind() == ErrorKind::Format, "a model that does not load is Error(Format)");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string valid = serialize_model(fuzz::small_model());
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: load(rest); break;
    case 1: load(fuzz::with_header(rest)); break;
    default: {
      std::string payload = valid.substr(fuzz::kHeaderSize);
      std::size_t i = 0;
      for (; i + 3 <= rest.size(); i += 3) {
        const std::size_t offset =
            (static_cast<std::uint8_t>(rest[i]) | static_cast<std::size_t>(static_cast<std::uint8_t>(rest[i + 1])) << 8) %
            payload.size();
        payload[offset] = static_cast<char>(payload[offset] ^ rest[i + 2]);
      }
      if (i < rest.size()) {
        std::size_t cut = 0;
        for (; i < rest.size(); ++i) cut = cut << 8 | static_cast<std::uint8_t>(rest[i]);
        payload.resize(cut % payload.size());
      }
      load(fuzz::with_header(payload));
      break;
    }
  }
  return 0;
}
