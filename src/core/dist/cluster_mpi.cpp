#include "cluster_mpi.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>

namespace mfrec::dist {

namespace {

// Calls `post(piece)` for each piece of at most `max` bytes, in order. Two
// ranks' messages with the same tag are matched in the order they were
// posted, so the receiver's piece i meets the sender's piece i.
template <class Post>
void for_each_piece(std::span<std::byte> bytes, std::size_t max, Post post) {
  for (std::size_t at = 0; at < bytes.size(); at += max) post(bytes.subspan(at, std::min(max, bytes.size() - at)));
}

int count_of(std::span<std::byte> piece) { return static_cast<int>(piece.size()); }

// MPI's send buffers are const; Message holds writable bytes for receives.
std::span<std::byte> sendable(std::span<const std::byte> bytes) {
  return {const_cast<std::byte*>(bytes.data()), bytes.size()};
}

}  // namespace

MpiRun::MpiRun() {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
}

MpiRun::~MpiRun() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

MpiCluster::MpiCluster(std::size_t max_message) : max_message_(std::max<std::size_t>(1, max_message)) {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

// Every rank's part size, as offsets into the concatenation (size() + 1).
std::vector<std::size_t> MpiCluster::gather_offsets(std::size_t mine) const {
  const std::uint64_t my_size = mine;
  std::vector<std::uint64_t> sizes(size_);
  MPI_Allgather(&my_size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
  std::vector<std::size_t> offsets(size_ + 1, 0);
  for (int r = 0; r < size_; ++r) offsets[r + 1] = offsets[r] + sizes[r];
  return offsets;
}

void MpiCluster::broadcast_pieces(int root, std::span<std::byte> bytes) const {
  for_each_piece(bytes, max_message_,
                 [&](std::span<std::byte> piece) { MPI_Bcast(piece.data(), count_of(piece), MPI_BYTE, root, MPI_COMM_WORLD); });
}

void MpiCluster::allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                           std::vector<std::size_t>& offsets) const {
  offsets = gather_offsets(mine.size());
  all.resize(offsets.back());
  if (offsets.back() <= max_message_) {  // every count and displacement fits an int
    std::vector<int> counts(size_), displacements(size_);
    for (int r = 0; r < size_; ++r) {
      counts[r] = static_cast<int>(offsets[r + 1] - offsets[r]);
      displacements[r] = static_cast<int>(offsets[r]);
    }
    MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, all.data(), counts.data(),
                   displacements.data(), MPI_BYTE, MPI_COMM_WORLD);
  } else {  // each rank's part broadcast from it, in pieces
    std::copy(mine.begin(), mine.end(), all.begin() + static_cast<std::ptrdiff_t>(offsets[rank_]));
    for (int r = 0; r < size_; ++r)
      broadcast_pieces(r, std::span(all).subspan(offsets[r], offsets[r + 1] - offsets[r]));
  }
  count_sent(std::uint64_t{mine.size()} * static_cast<std::uint64_t>(size_ - 1));
}

void MpiCluster::gather(int root, std::span<const std::byte> mine, std::vector<std::byte>& all,
                        std::vector<std::size_t>& offsets) const {
  offsets = gather_offsets(mine.size());
  const std::size_t total = offsets.back();
  all.assign(rank_ == root ? total : 0, std::byte{0});
  if (total <= max_message_) {
    std::vector<int> counts(size_), displacements(size_);
    for (int r = 0; r < size_; ++r) {
      counts[r] = static_cast<int>(offsets[r + 1] - offsets[r]);
      displacements[r] = static_cast<int>(offsets[r]);
    }
    MPI_Gatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, all.data(), counts.data(),
                displacements.data(), MPI_BYTE, root, MPI_COMM_WORLD);
    if (rank_ != root) count_sent(mine.size());
  } else if (rank_ != root) {  // in pieces, point to point (exchange counts them)
    const Message part{root, 0, sendable(mine)};
    exchange(std::span<const Message>(&part, 1), {});
  } else {
    std::copy(mine.begin(), mine.end(), all.begin() + static_cast<std::ptrdiff_t>(offsets[rank_]));
    std::vector<Message> parts;
    for (int r = 0; r < size_; ++r)
      if (r != root) parts.push_back({r, 0, std::span(all).subspan(offsets[r], offsets[r + 1] - offsets[r])});
    exchange({}, parts);
  }
  if (rank_ != root) offsets.clear();
}

void MpiCluster::broadcast(int root, std::span<std::byte> bytes) const {
  broadcast_pieces(root, bytes);
  if (rank_ == root) count_sent(std::uint64_t{bytes.size()} * static_cast<std::uint64_t>(size_ - 1));
}

std::uint64_t MpiCluster::max(std::uint64_t value) const {
  std::uint64_t largest = 0;
  MPI_Allreduce(&value, &largest, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  count_sent(sizeof value * static_cast<std::uint64_t>(size_ - 1));
  return largest;
}

// Every receive is posted before any send, so no send waits on a receiver
// that is itself still sending.
void MpiCluster::exchange(std::span<const Message> sends, std::span<const Message> receives) const {
  std::vector<MPI_Request> requests;
  for (const Message& m : receives)
    for_each_piece(m.bytes, max_message_, [&](std::span<std::byte> piece) {
      MPI_Irecv(piece.data(), count_of(piece), MPI_BYTE, m.peer, m.tag, MPI_COMM_WORLD, &requests.emplace_back());
    });
  std::uint64_t sent = 0;
  for (const Message& m : sends) {
    for_each_piece(m.bytes, max_message_, [&](std::span<std::byte> piece) {
      MPI_Isend(piece.data(), count_of(piece), MPI_BYTE, m.peer, m.tag, MPI_COMM_WORLD, &requests.emplace_back());
    });
    sent += m.bytes.size();
  }
  MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  count_sent(sent);
}

void MpiCluster::abort(int exit_code) const {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return; this says so to the compiler
}

int MpiCluster::ranks_on_this_node() const {
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int ranks = 1;
  MPI_Comm_size(node, &ranks);
  MPI_Comm_free(&node);
  return ranks;
}

std::string mpi_library_name() {
#ifdef OMPI_MAJOR_VERSION
  return "Open MPI " + std::to_string(OMPI_MAJOR_VERSION) + "." + std::to_string(OMPI_MINOR_VERSION) + "." +
         std::to_string(OMPI_RELEASE_VERSION);
#else
  return "MPI " + std::to_string(MPI_VERSION) + "." + std::to_string(MPI_SUBVERSION);
#endif
}

}  // namespace mfrec::dist
