#pragma once
// Values as bytes for messages between ranks. Every rank runs the same binary
// on the same kind of machine, so numbers travel in memory order, byte for
// byte (a double arrives bit for bit: printed, it is the same text).
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mfrec/error.hpp"

namespace mfrec::cli {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::byte>& out) : out_(out) {}
  template <class T>
    requires std::is_arithmetic_v<T>
  void put(T value) {
    const std::size_t at = out_.size();
    out_.resize(at + sizeof value);
    std::memcpy(out_.data() + at, &value, sizeof value);
  }
  void put(std::string_view text) {
    put<std::uint64_t>(text.size());
    const auto* bytes = reinterpret_cast<const std::byte*>(text.data());
    out_.insert(out_.end(), bytes, bytes + text.size());
  }

 private:
  std::vector<std::byte>& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> in) : in_(in) {}
  bool done() const { return at_ == in_.size(); }
  template <class T>
  T get() {
    static_assert(std::is_arithmetic_v<T>);
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  std::string get_string() {
    const auto size = get<std::uint64_t>();
    return std::string(reinterpret_cast<const char*>(take(size)), size);
  }

 private:
  const std::byte* take(std::size_t size) {
    if (size > in_.size() - at_) throw Error(ErrorKind::Internal, "a message between ranks ended early");
    const std::byte* p = in_.data() + at_;
    at_ += size;
    return p;
  }
  std::span<const std::byte> in_;
  std::size_t at_ = 0;
};

}  // namespace mfrec::cli
