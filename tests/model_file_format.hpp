#pragma once
// The model file's header layout and payload checksum, restated for the
// tests and fuzzers on purpose: a change to either would make every existing
// model file unreadable, so it must show up as a failing test, not follow
// silently from the code under test.
#include <cstdint>
#include <cstring>
#include <string>

namespace mfrec::testing {

inline constexpr std::size_t kHeaderSize = 32;  // magic 8, version 4, byte order 4, payload size 8, checksum 8

inline std::uint64_t format_checksum(const char* p, std::size_t n) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001B3ull;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p + i, n - i);
  h = (h ^ tail) * 0x100000001B3ull;
  h ^= h >> 32;
  return h;
}

template <class T>
void write_at(std::string& bytes, std::size_t offset, T v) {
  std::memcpy(bytes.data() + offset, &v, sizeof v);
}

// `payload` behind `model_bytes`' header, with the size and checksum made to
// match, so that only the payload's own checks can refuse it.
inline std::string with_valid_header(const std::string& model_bytes, const std::string& payload) {
  std::string out = model_bytes.substr(0, kHeaderSize) + payload;
  write_at<std::uint64_t>(out, 16, payload.size());
  write_at<std::uint64_t>(out, 24, format_checksum(payload.data(), payload.size()));
  return out;
}

}  // namespace mfrec::testing
