#pragma once
// Fork-join helpers for the core's parallel loops: the calling thread works
// too, and every call returns only when all the work is done.
#include <cstddef>
#include <cstdint>

namespace mfrec::detail {

// Runs fn(i) for i in [0, n) on `threads` threads (the calling one
// included); returns when all are done. Exceptions must not escape fn. An
// fn taking (i, worker) also gets its worker's number, below `threads`, for
// scratch space reused across the indices one worker runs.
template <class Fn>
void parallel_for(std::uint32_t n, unsigned threads, Fn&& fn);

// Runs fn(first, last, chunk) over [0, n) cut into chunks of kChunk
// indices, on `threads` threads. The chunks do not depend on the thread
// count, so per-chunk results combined in chunk order are the same for any.
inline constexpr std::size_t kChunk = std::size_t{1} << 20;
template <class Fn>
void for_each_chunk(std::size_t n, unsigned threads, Fn&& fn);

}  // namespace mfrec::detail

#include <algorithm>
#include <atomic>
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
  std::atomic<std::uint32_t> next{0};
  auto work = [&](unsigned worker) {
    for (std::uint32_t i; (i = next.fetch_add(1)) < n;) call(i, worker);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
}

template <class Fn>
void for_each_chunk(std::size_t n, unsigned threads, Fn&& fn) {
  const auto chunks = static_cast<std::uint32_t>((n + kChunk - 1) / kChunk);
  parallel_for(chunks, threads, [&](std::uint32_t c) { fn(c * kChunk, std::min(n, (c + 1) * kChunk), c); });
}

}  // namespace mfrec::detail
