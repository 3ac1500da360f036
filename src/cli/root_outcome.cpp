#include "root_outcome.hpp"

#include <cstdint>
#include <exception>
#include <vector>

#include "output.hpp"
#include "wire_bytes.hpp"

namespace mfrec::cli {

namespace {

enum class Outcome : std::uint8_t { Ok, Failed, StdoutClosed, Other };

std::vector<std::byte> encode(const std::exception_ptr& failure) {
  std::vector<std::byte> bytes;
  ByteWriter out(bytes);
  if (!failure) {
    out.put(static_cast<std::uint8_t>(Outcome::Ok));
    return bytes;
  }
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    out.put(static_cast<std::uint8_t>(Outcome::Failed));
    out.put(static_cast<std::uint8_t>(e.kind()));
    out.put(e.message());
    out.put(static_cast<std::uint8_t>(e.where().has_value()));
    if (e.where()) {
      out.put(e.where()->file);
      out.put(e.where()->line);
      out.put(e.where()->column);
    }
  } catch (const StdoutClosed&) {
    out.put(static_cast<std::uint8_t>(Outcome::StdoutClosed));
  } catch (const std::exception& e) {
    out.put(static_cast<std::uint8_t>(Outcome::Other));
    out.put(std::string_view(e.what()));
  } catch (...) {
    out.put(static_cast<std::uint8_t>(Outcome::Other));
    out.put(std::string_view("unknown exception"));
  }
  return bytes;
}

// Rank 0's outcome as the other ranks throw it (nothing when it succeeded).
void rethrow(std::span<const std::byte> bytes) {
  ByteReader in(bytes);
  switch (static_cast<Outcome>(in.get<std::uint8_t>())) {
    case Outcome::Ok: return;
    case Outcome::StdoutClosed: throw StdoutClosed{};
    case Outcome::Other: throw Error(ErrorKind::Internal, in.get_string());
    case Outcome::Failed: break;
  }
  const auto kind = static_cast<ErrorKind>(in.get<std::uint8_t>());
  std::string message = in.get_string();
  if (!in.get<std::uint8_t>()) throw Error(kind, std::move(message));
  Location where;
  where.file = in.get_string();
  where.line = in.get<std::uint64_t>();
  where.column = in.get<std::uint64_t>();
  throw Error(kind, std::move(message), std::move(where));
}

// Rank 0's `bytes` on every rank (the others pass none): its size first.
std::vector<std::byte> from_root(const dist::Cluster& ranks, std::vector<std::byte> bytes) {
  std::uint64_t size = bytes.size();
  ranks.broadcast(0, std::as_writable_bytes(std::span(&size, 1)));
  bytes.resize(size);
  ranks.broadcast(0, dist::bytes_of(bytes));
  return bytes;
}

}  // namespace

void agree_on_root(const dist::Cluster& ranks, const std::function<void()>& step) {
  if (ranks.size() == 1) return step();
  std::exception_ptr failure;
  if (ranks.rank() == 0) {
    try {
      step();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  const std::vector<std::byte> outcome = from_root(ranks, ranks.rank() == 0 ? encode(failure) : std::vector<std::byte>{});
  if (failure) std::rethrow_exception(failure);
  rethrow(outcome);
}

}  // namespace mfrec::cli
