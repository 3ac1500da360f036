#include "thread_cluster.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "mfrec/error.hpp"

namespace mfrec::testing {

RankAborted::RankAborted(int rank_, int exit_code_)
    : std::runtime_error("rank " + std::to_string(rank_) + " aborted with exit code " +
                         std::to_string(exit_code_)),
      rank(rank_),
      exit_code(exit_code_) {}

namespace {

enum class Op { Allgather, Gather, Broadcast, Max };

const char* name_of(Op op) {
  switch (op) {
    case Op::Allgather: return "allgather";
    case Op::Gather: return "gather";
    case Op::Broadcast: return "broadcast";
    case Op::Max: return "max";
  }
  return "?";
}

// One rank's part of the collective under way. The bytes stay the caller's:
// it waits at the closing barrier until every peer has read them.
struct Part {
  Op op = Op::Max;
  int root = 0;
  std::span<const std::byte> bytes;
  std::uint64_t value = 0;
};

}  // namespace

class ThreadClusterState {
 public:
  explicit ThreadClusterState(int size) : size_(size), parts_(static_cast<std::size_t>(size)) {}

  int size() const { return size_; }

  // Puts `mine` on the table, waits for every rank's, hands the whole table
  // to `read` (outside the lock: nobody writes until all have read), and
  // waits until every rank has read.
  template <class Read>
  void collective(int rank, const Part& mine, Read read) {
    std::unique_lock lock(mutex_);
    parts_[static_cast<std::size_t>(rank)] = mine;
    wait_for_all(lock);
    check_same_call();
    lock.unlock();
    read(std::as_const(parts_));
    lock.lock();
    wait_for_all(lock);
  }

  void post(int from, const dist::Message& m) {
    std::scoped_lock lock(mutex_);
    throw_if_broken();
    mailboxes_[{from, m.peer, m.tag}].emplace_back(m.bytes.begin(), m.bytes.end());
    wakeup_.notify_all();
  }

  std::vector<std::byte> take(int to, const dist::Message& m) {
    std::unique_lock lock(mutex_);
    auto& box = mailboxes_[{m.peer, to, m.tag}];
    wakeup_.wait(lock, [&] { return !box.empty() || broken_ || left_[m.peer]; });
    if (box.empty()) {
      throw_if_broken();
      throw RanksBroken("rank " + std::to_string(to) + " waits for a message from rank " +
                        std::to_string(m.peer) + ", which has returned");
    }
    std::vector<std::byte> bytes = std::move(box.front());
    box.pop_front();
    return bytes;
  }

  // A rank failed: every rank waiting now or later gives up.
  void break_all() {
    std::scoped_lock lock(mutex_);
    broken_ = true;
    wakeup_.notify_all();
  }

  // A rank returned: whoever waits for it at a barrier or for its message
  // would wait forever.
  void leave(int rank) {
    std::scoped_lock lock(mutex_);
    left_[rank] = true;
    ++ranks_left_;
    wakeup_.notify_all();
  }

 private:
  void wait_for_all(std::unique_lock<std::mutex>& lock) {
    throw_if_broken();
    const std::uint64_t generation = generation_;
    if (++arrived_ == size_) {
      arrived_ = 0;
      ++generation_;
      wakeup_.notify_all();
      return;
    }
    wakeup_.wait(lock, [&] { return generation_ != generation || broken_ || ranks_left_ > 0; });
    if (generation_ != generation) return;
    throw_if_broken();
    throw RanksBroken("a rank returned while its peers wait for it in a collective");
  }

  void throw_if_broken() const {
    if (broken_) throw RanksBroken("a peer rank failed");
  }

  // Every rank sees the same table, so every rank throws alike.
  void check_same_call() const {
    for (std::size_t r = 1; r < parts_.size(); ++r) {
      if (parts_[r].op != parts_[0].op || parts_[r].root != parts_[0].root)
        throw Error(ErrorKind::Internal, "ranks disagree on the collective: rank 0 in " +
                                             std::string(name_of(parts_[0].op)) + ", rank " +
                                             std::to_string(r) + " in " + name_of(parts_[r].op));
    }
  }

  const int size_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::vector<Part> parts_;
  int arrived_ = 0;
  std::uint64_t generation_ = 0;
  bool broken_ = false;
  std::map<int, bool> left_;
  int ranks_left_ = 0;
  std::map<std::tuple<int, int, int>, std::deque<std::vector<std::byte>>> mailboxes_;
};

namespace {

void concatenate(const std::vector<Part>& parts, std::vector<std::byte>& all,
                 std::vector<std::size_t>& offsets) {
  offsets.assign(1, 0);
  for (const Part& p : parts) offsets.push_back(offsets.back() + p.bytes.size());
  all.resize(offsets.back());
  for (std::size_t r = 0; r < parts.size(); ++r)
    if (!parts[r].bytes.empty())
      std::memcpy(all.data() + offsets[r], parts[r].bytes.data(), parts[r].bytes.size());
}

void check_peer(int peer, int rank, int size) {
  if (peer < 0 || peer >= size || peer == rank)
    throw Error(ErrorKind::Internal, "rank " + std::to_string(rank) +
                                         " exchanges with no such peer: " + std::to_string(peer));
}

// Each (peer, tag) once per exchange(), as the interface promises.
void check_unique(std::span<const dist::Message> messages) {
  std::vector<std::pair<int, int>> keys;
  for (const auto& m : messages) keys.emplace_back(m.peer, m.tag);
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end())
    throw Error(ErrorKind::Internal, "one exchange with the same (peer, tag) twice");
}

}  // namespace

// Bytes sent are counted as if each rank sent its part straight to every
// peer that needs it.
int ThreadCluster::size() const { return shared_.size(); }

void ThreadCluster::allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                              std::vector<std::size_t>& offsets) const {
  shared_.collective(rank_, {Op::Allgather, 0, mine, 0},
                     [&](const std::vector<Part>& parts) { concatenate(parts, all, offsets); });
  count_sent(mine.size() * static_cast<std::uint64_t>(size() - 1));
}

void ThreadCluster::gather(int root, std::span<const std::byte> mine, std::vector<std::byte>& all,
                           std::vector<std::size_t>& offsets) const {
  all.clear();
  offsets.clear();
  shared_.collective(rank_, {Op::Gather, root, mine, 0}, [&](const std::vector<Part>& parts) {
    if (rank_ == root) concatenate(parts, all, offsets);
  });
  if (rank_ != root) count_sent(mine.size());
}

void ThreadCluster::broadcast(int root, std::span<std::byte> bytes) const {
  shared_.collective(rank_, {Op::Broadcast, root, bytes, 0}, [&](const std::vector<Part>& parts) {
    const auto& from = parts[static_cast<std::size_t>(root)].bytes;
    if (from.size() != bytes.size())
      throw Error(ErrorKind::Internal, "broadcast of " + std::to_string(from.size()) +
                                           " bytes into " + std::to_string(bytes.size()) +
                                           " on rank " + std::to_string(rank_));
    if (rank_ != root && !bytes.empty()) std::memcpy(bytes.data(), from.data(), bytes.size());
  });
  if (rank_ == root) count_sent(bytes.size() * static_cast<std::uint64_t>(size() - 1));
}

std::uint64_t ThreadCluster::max(std::uint64_t value) const {
  std::uint64_t largest = 0;
  shared_.collective(rank_, {Op::Max, 0, {}, value}, [&](const std::vector<Part>& parts) {
    for (const Part& p : parts) largest = std::max(largest, p.value);
  });
  count_sent(sizeof value * static_cast<std::uint64_t>(size() - 1));
  return largest;
}

void ThreadCluster::exchange(std::span<const dist::Message> sends,
                             std::span<const dist::Message> receives) const {
  for (const auto& m : sends) check_peer(m.peer, rank_, size());
  for (const auto& m : receives) check_peer(m.peer, rank_, size());
  check_unique(sends);
  check_unique(receives);
  for (const auto& m : sends) {
    shared_.post(rank_, m);
    count_sent(m.bytes.size());
  }
  for (const auto& m : receives) {
    const std::vector<std::byte> bytes = shared_.take(rank_, m);
    if (bytes.size() != m.bytes.size())
      throw Error(ErrorKind::Internal, "rank " + std::to_string(rank_) + " expected " +
                                           std::to_string(m.bytes.size()) + " bytes from rank " +
                                           std::to_string(m.peer) + ", got " +
                                           std::to_string(bytes.size()));
    std::copy(bytes.begin(), bytes.end(), m.bytes.begin());
  }
}

void ThreadCluster::abort(int exit_code) const { throw RankAborted(rank_, exit_code); }

std::vector<std::exception_ptr> run_ranks_each(
    int ranks, const std::function<void(const dist::Cluster&)>& fn) {
  ThreadClusterState shared(ranks);
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(ranks));
  {
    std::vector<std::jthread> threads;
    for (int r = 0; r < ranks; ++r) {
      threads.emplace_back([&, r] {
        try {
          fn(ThreadCluster(shared, r));
        } catch (...) {
          failures[static_cast<std::size_t>(r)] = std::current_exception();
          shared.break_all();
        }
        shared.leave(r);
      });
    }
  }
  return failures;
}

void rethrow_first(const std::vector<std::exception_ptr>& failures) {
  std::exception_ptr broken;
  for (const auto& failure : failures) {
    if (!failure) continue;
    try {
      std::rethrow_exception(failure);
    } catch (const RanksBroken&) {
      if (!broken) broken = failure;
    } catch (...) {
      throw;
    }
  }
  if (broken) std::rethrow_exception(broken);
}

}  // namespace mfrec::testing
