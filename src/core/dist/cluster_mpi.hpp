#pragma once
// The ranks of an MPI run (mpirun, srun) as a dist::Cluster over
// MPI_COMM_WORLD. Built only with MFREC_MPI (library mfrec_dist); everything
// else codes against Cluster and never includes <mpi.h>.
#include <cstddef>
#include <string>

#include "mfrec/dist/cluster.hpp"

namespace mfrec::dist {

// This process's membership of the run: MPI_Init_thread on construction,
// MPI_Finalize on destruction (a barrier in Open MPI 4.1: it returns once
// every rank has reached it). One per process, and never a second one: MPI
// cannot be initialised again after MPI_Finalize.
class MpiRun {
 public:
  MpiRun();
  ~MpiRun();
  MpiRun(const MpiRun&) = delete;
  MpiRun& operator=(const MpiRun&) = delete;
};

// Needs a live MpiRun. MPI_THREAD_FUNNELED: only the thread that made the
// MpiRun may call these.
class MpiCluster final : public Cluster {
 public:
  // The most bytes one MPI call moves: MPI counts and displacements are
  // int, so larger transfers go in pieces of this size (tests shrink it).
  static constexpr std::size_t kMaxMessage = std::size_t{1} << 30;

  explicit MpiCluster(std::size_t max_message = kMaxMessage);

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // bytes_sent() counts what this rank hands to others: its part once per
  // other rank in allgather, once in gather (none at the root), the bytes
  // once per other rank at broadcast's root, and every exchange send.
  void allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                 std::vector<std::size_t>& offsets) const override;
  void gather(int root, std::span<const std::byte> mine, std::vector<std::byte>& all,
              std::vector<std::size_t>& offsets) const override;
  void broadcast(int root, std::span<std::byte> bytes) const override;
  std::uint64_t max(std::uint64_t value) const override;
  void exchange(std::span<const Message> sends, std::span<const Message> receives) const override;
  [[noreturn]] void abort(int exit_code) const override;

  // How many ranks share this machine's memory, this one included. Collective.
  int ranks_on_this_node() const;

 private:
  std::vector<std::size_t> gather_offsets(std::size_t mine) const;
  void broadcast_pieces(int root, std::span<std::byte> bytes) const;

  int rank_ = 0;
  int size_ = 1;
  std::size_t max_message_;
};

// The MPI library this binary was built with, from its header ("Open MPI
// 4.1.4"); makes no MPI call.
std::string mpi_library_name();

}  // namespace mfrec::dist
