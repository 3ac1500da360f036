#pragma once
// What ranks send each other, written into and read back from bytes: plain
// values as they lie in memory (every rank runs the same binary on the same
// kind of CPU; README "Many machines"), strings and vectors with their
// length first.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mfrec/error.hpp"

namespace mfrec::dist {

class ByteWriter {
 public:
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void put(const T& value) {
    append(&value, sizeof value);
  }
  void put_string(std::string_view text) {
    put<std::uint64_t>(text.size());
    append(text.data(), text.size());
  }
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void put_vector(const std::vector<T>& values) {
    put<std::uint64_t>(values.size());
    append(values.data(), values.size() * sizeof(T));
  }

  std::vector<std::byte>& bytes() { return bytes_; }

 private:
  void append(const void* data, std::size_t size) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + size);
    if (size > 0) std::memcpy(bytes_.data() + at, data, size);
  }

  std::vector<std::byte> bytes_;
};

// Reads what a ByteWriter wrote, in the same order. Reading past the end is
// a bug: Error(Internal).
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  template <class T>
    requires std::is_trivially_copyable_v<T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  std::string get_string() {
    const auto size = static_cast<std::size_t>(get<std::uint64_t>());
    return std::string(reinterpret_cast<const char*>(take(size)), size);
  }
  // Into `values` (its capacity reused).
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void get_vector(std::vector<T>& values) {
    const auto size = static_cast<std::size_t>(get<std::uint64_t>());
    const std::byte* from = take(size * sizeof(T));
    values.resize(size);
    if (size > 0) std::memcpy(values.data(), from, size * sizeof(T));
  }
  bool at_end() const { return at_ == bytes_.size(); }

 private:
  const std::byte* take(std::size_t size) {
    if (size > bytes_.size() - at_)
      throw Error(ErrorKind::Internal, "a message from another rank ends too early");
    const std::byte* from = bytes_.data() + at_;
    at_ += size;
    return from;
  }

  std::span<const std::byte> bytes_;
  std::size_t at_ = 0;
};

}  // namespace mfrec::dist
