#pragma once
// The binary model file. Layout (little-endian):
//   header: magic "MFRECMDL", u32 format version, u32 endianness marker,
//           u64 payload size, u64 checksum of the payload
//   payload: options, training summary, data statistics, scaler, user and
//            item names, rated items per user, mean, biases, U, V, and
//            (from version 4) the item titles.
// save_model writes atomically (Error(Create|Io)); load_model checks every
// size against the bytes left before allocating, and throws Error(Open) when
// the file cannot be opened and Error(Format) when it is not a model, is
// truncated or corrupt, or comes from a newer mfrec.
#include <cstdint>
#include <string>
#include <string_view>

#include "mfrec/model/model.hpp"

namespace mfrec {

// 2: the objective and --confidence, and per-item training counts.
// 3: the optimizer, --tol and --lambda-row.
// 4: item titles (train --item-names).
// Versions 1 to 3 are still read, without titles (versions 1 and 2 as SGD
// models without a stopping rule; version 1 as rating models, the counts
// taken from which items each user rated).
inline constexpr std::uint32_t kModelFormatVersion = 4;

class AtomicFile;

std::string serialize_model(const Model& model);
// Streams the model into `out` (not committed); returns the bytes written.
std::uint64_t write_model(const Model& model, AtomicFile& out);
Model deserialize_model(std::string_view bytes, const std::string& name);

void save_model(const Model& model, const std::string& path);
Model load_model(const std::string& path);

}  // namespace mfrec
