#pragma once
// N ranks as N threads of one test process: an in-process dist::Cluster, so
// the code written for `mpirun -np N` runs under GoogleTest with no MPI.
//
//   run_ranks(3, [&](const dist::Cluster& ranks) { ... });
//
// Collectives meet at a barrier over a shared table of each rank's part;
// exchange() goes through mailboxes keyed by (from, to, tag), so a send never
// blocks. A test must never hang: when a rank throws, calls abort(), or
// returns while its peers still wait for it, every waiting rank is woken with
// RanksBroken, and run_ranks rethrows the failure that started it. Ranks that
// call different collectives at the same point throw too (MPI would hang or
// mix the bytes up).
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "mfrec/dist/cluster.hpp"

namespace mfrec::testing {

// Thrown in a rank that waits for a peer which has failed or left.
struct RanksBroken : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by ThreadCluster::abort() instead of ending the process.
struct RankAborted : std::runtime_error {
  RankAborted(int rank, int exit_code);
  int rank;
  int exit_code;
};

class ThreadClusterState;  // what the ranks of one run share

class ThreadCluster final : public dist::Cluster {
 public:
  ThreadCluster(ThreadClusterState& shared, int rank) : shared_(shared), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override;
  void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                 std::vector<std::size_t>& offsets) const override;
  void gather(int root, std::span<const std::byte> mine, std::vector<std::byte>& all,
              std::vector<std::size_t>& offsets) const override;
  void broadcast(int root, std::span<std::byte> bytes) const override;
  std::uint64_t max(std::uint64_t value) const override;
  void exchange(std::span<const dist::Message> sends,
                std::span<const dist::Message> receives) const override;
  [[noreturn]] void abort(int exit_code) const override;

 private:
  ThreadClusterState& shared_;
  int rank_;
};

// Runs fn(cluster) on `ranks` threads, one ThreadCluster each, and returns
// each rank's exception (null where fn returned).
std::vector<std::exception_ptr> run_ranks_each(
    int ranks, const std::function<void(const dist::Cluster&)>& fn);

// Rethrows the lowest rank's own failure; a RanksBroken only when no rank
// failed by itself.
void rethrow_first(const std::vector<std::exception_ptr>& failures);

// Runs fn(const dist::Cluster&) on n threads and rethrows the first failure.
template <class Fn>
void run_ranks(int n, Fn fn) {
  rethrow_first(run_ranks_each(n, std::function<void(const dist::Cluster&)>(std::ref(fn))));
}

}  // namespace mfrec::testing
