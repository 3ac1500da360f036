#pragma once
// The ranks one run works on: `mpirun -np N mfrec train` (README "Many
// machines"). The core speaks to its peers through this interface only, so
// it builds and runs without MPI: LocalCluster is one process alone, and the
// MPI implementation (cluster_mpi.cpp, library mfrec_dist) is built only
// with MFREC_MPI.
//
// Every call but exchange() is collective: every rank makes it, at the same
// point of the same code, or the run hangs. Byte identity with one process
// is the design rule (the same model bytes for any N): nothing here reduces
// floating-point numbers in an order of its own; callers gather the parts
// and add them in the order one process would.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mfrec::dist {

// One message of a point-to-point exchange: bytes to or from `peer`. Tags
// tell apart messages between the same two ranks in one exchange.
struct Message {
  int peer = 0;
  int tag = 0;
  std::span<std::byte> bytes;  // sent from, or received into (its size is the message's)
};

class Cluster {
 public:
  virtual ~Cluster() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Every rank's `mine`, concatenated in rank order into `all`; `offsets`
  // gets size() + 1 offsets into it (rank r's bytes are [offsets[r],
  // offsets[r + 1])).
  virtual void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                         std::vector<std::size_t>& offsets) const = 0;
  // The same, to `root` alone; the other ranks' `all` and `offsets` are left empty.
  virtual void gather(int root, std::span<const std::byte> mine, std::vector<std::byte>& all,
                      std::vector<std::size_t>& offsets) const = 0;
  // `root`'s `bytes` into every rank's `bytes` (the same size on every rank).
  virtual void broadcast(int root, std::span<std::byte> bytes) const = 0;
  // The largest of every rank's `value`, on every rank.
  virtual std::uint64_t max(std::uint64_t value) const = 0;

  // Point to point, not collective: posts every receive and every send, and
  // returns once all have completed. Each (peer, tag) pair must be unique
  // within a call. The bytes must stay valid until then.
  virtual void exchange(std::span<const Message> sends, std::span<const Message> receives) const = 0;

  // Ends every rank now with `exit_code`: for a failure the peers cannot
  // learn of through a collective (they may be waiting for this rank).
  [[noreturn]] virtual void abort(int exit_code) const = 0;

  // Bytes this rank has sent so far, by every call above (for the epoch log
  // and bench/mpi_scale.sh).
  std::uint64_t bytes_sent() const { return bytes_sent_; }

 protected:
  void count_sent(std::uint64_t bytes) const { bytes_sent_ += bytes; }

 private:
  mutable std::uint64_t bytes_sent_ = 0;
};

// One process alone: every collective is a copy, exchange() has nothing to
// send (a rank never exchanges with itself).
class LocalCluster final : public Cluster {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                 std::vector<std::size_t>& offsets) const override;
  void gather(int root, std::span<const std::byte> mine, std::vector<std::byte>& all,
              std::vector<std::size_t>& offsets) const override;
  void broadcast(int, std::span<std::byte>) const override {}
  std::uint64_t max(std::uint64_t value) const override { return value; }
  void exchange(std::span<const Message> sends, std::span<const Message> receives) const override;
  [[noreturn]] void abort(int exit_code) const override;
};

// A vector's elements as bytes, to send or to receive into.
template <class T>
std::span<std::byte> bytes_of(std::vector<T>& v) {
  return std::as_writable_bytes(std::span<T>(v));
}
template <class T>
std::span<const std::byte> bytes_of(const std::vector<T>& v) {
  return std::as_bytes(std::span<const T>(v));
}

}  // namespace mfrec::dist
