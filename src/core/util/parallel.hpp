#pragma once
// Fork-join helpers for the core's parallel loops: the calling thread works
// too, and every call returns only when all the work is done. A worker's
// exception comes back to the caller; a thread that cannot be started leaves
// its share to the others.
#include <cstddef>
#include <cstdint>

namespace mfrec::detail {

// Runs fn(i) for i in [0, n) on up to `threads` threads (the calling one
// included); returns when all are done. An fn taking (i, worker) also gets
// its worker's number, below `threads`, for scratch space reused across the
// indices one worker runs. Indices are handed out in increasing order.
// If fn throws, no further index is handed out, every thread is joined, and
// the exception of the lowest index that threw is rethrown on the calling
// thread. Every index below that one had been handed out and ran, so if
// whether fn(i) throws depends only on i, it is the exception a plain loop
// would meet first; indices above it may or may not have run.
template <class Fn>
void parallel_for(std::uint32_t n, unsigned threads, Fn&& fn);

// Runs fn(first, last, chunk) over [0, n) cut into chunks of
// kRatingsPerChunk indices (every caller passes over ratings), on `threads`
// threads, as parallel_for. The chunks do not depend on the thread count, so
// per-chunk results combined in chunk order are the same for any.
inline constexpr std::size_t kRatingsPerChunk = std::size_t{1} << 20;
template <class Fn>
void for_each_chunk(std::size_t n, unsigned threads, Fn&& fn);

}  // namespace mfrec::detail

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace mfrec::detail {

template <class Fn>
void parallel_for(std::uint32_t n, unsigned threads, Fn&& fn) {
  threads = std::max(1u, std::min<unsigned>(threads, n));
  auto call = [&fn](std::uint32_t i, unsigned worker) {
    if constexpr (std::is_invocable_v<Fn&, std::uint32_t, unsigned>) {
      fn(i, worker);
    } else {
      (void)worker;
      fn(i);
    }
  };
  if (threads == 1) {
    for (std::uint32_t i = 0; i < n; ++i) call(i, 0);
    return;
  }
  // 64 bits: each thread takes one index past n (more after a failure sets
  // it to n), which must not wrap round to a real index.
  std::atomic<std::uint64_t> next{0};
  std::mutex failure_mutex;  // taken only on the way out of a failed worker
  std::exception_ptr failure;
  std::uint64_t failed_at = n;
  auto work = [&](unsigned worker) noexcept {
    std::uint64_t i = 0;
    try {
      while ((i = next.fetch_add(1, std::memory_order_relaxed)) < n) call(static_cast<std::uint32_t>(i), worker);
    } catch (...) {
      next.store(n, std::memory_order_relaxed);  // hand out no more indices
      const std::lock_guard lock(failure_mutex);
      if (i < failed_at) {
        failed_at = i;
        failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  try {
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  } catch (...) {
    // No thread to be had (std::system_error, or no memory for one): the
    // threads already started and this one share the work.
  }
  work(0);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

template <class Fn>
void for_each_chunk(std::size_t n, unsigned threads, Fn&& fn) {
  const auto chunks = static_cast<std::uint32_t>((n + kRatingsPerChunk - 1) / kRatingsPerChunk);
  parallel_for(chunks, threads,
               [&](std::uint32_t c) { fn(c * kRatingsPerChunk, std::min(n, (c + 1) * kRatingsPerChunk), c); });
}

}  // namespace mfrec::detail
