// parallel_for and for_each_chunk: every index once, a worker's exception
// carried back to the caller (the lowest index's, when several throw), chunks
// fixed by n alone, and no std::terminate when threads cannot be started.
// Then the same through recommend_users, whose workers allocate.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/query/recommend.hpp"
#include "mfrec/train/trainer.hpp"
#include "util/parallel.hpp"
#include "util/synthetic.hpp"

namespace mfrec {
namespace {

constexpr unsigned kThreadCounts[] = {1, 2, 3, 8, 17};

TEST(ParallelFor, EveryIndexRunsExactlyOnceOnAWorkerBelowTheThreadCount) {
  for (std::uint32_t n : {0u, 1u, 2u, 7u, 64u, 1000u, 100003u}) {
    for (unsigned threads : kThreadCounts) {
      SCOPED_TRACE(std::to_string(n) + " indices, " + std::to_string(threads) + " threads");
      std::vector<std::atomic<int>> runs(n);
      std::atomic<bool> worker_in_range{true};
      detail::parallel_for(n, threads, [&](std::uint32_t i, unsigned worker) {
        runs[i].fetch_add(1, std::memory_order_relaxed);
        if (worker >= threads) worker_in_range = false;
      });
      for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << "index " << i;
      EXPECT_TRUE(worker_in_range.load());
    }
  }
}

// The calling thread (worker 0) waits until another thread has thrown, so
// the exception surely comes from a worker thread.
TEST(ParallelFor, AWorkerThreadsExceptionReachesTheCallerWithItsTypeAndMessage) {
  const std::thread::id caller = std::this_thread::get_id();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::atomic<bool> thrown{false}, thrown_on_caller{false};
  try {
    detail::parallel_for(1000, 4, [&](std::uint32_t i, unsigned worker) {
      if (worker == 0) {
        while (!thrown.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        return;
      }
      if (std::this_thread::get_id() == caller) thrown_on_caller = true;
      thrown = true;
      throw std::out_of_range("index " + std::to_string(i) + " is out of range");
    });
    FAIL() << "nothing was thrown";
  } catch (const std::out_of_range& e) {
    EXPECT_TRUE(thrown.load());
    EXPECT_FALSE(thrown_on_caller.load());
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("index ", 0), 0u) << what;
    EXPECT_NE(what.find(" is out of range"), std::string::npos) << what;
  }
}

// The caller throws while the workers are still busy: they are joined (no
// std::terminate from a joinable std::thread) before the exception comes back.
TEST(ParallelFor, TheCallingThreadsExceptionComesBackAfterTheWorkersFinish) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::atomic<bool> thrown{false};
  std::atomic<int> started{0}, finished{0};
  EXPECT_THROW(detail::parallel_for(200, 4,
                                    [&](std::uint32_t, unsigned worker) {
                                      if (worker == 0) {
                                        thrown = true;
                                        throw std::invalid_argument("the caller's");
                                      }
                                      ++started;
                                      while (!thrown.load() && std::chrono::steady_clock::now() < deadline)
                                        std::this_thread::yield();
                                      std::this_thread::sleep_for(std::chrono::milliseconds(1));
                                      ++finished;
                                    }),
               std::invalid_argument);
  EXPECT_EQ(started.load(), finished.load());
}

// Index 40 throws late, after the higher ones have thrown: still its
// exception wins, and every index below it ran exactly once.
TEST(ParallelFor, SeveralThrowLowestIndexWins) {
  const std::vector<std::uint32_t> throwing = {40, 41, 100, 500, 999};
  for (unsigned threads : kThreadCounts) {
    for (int trial = 0; trial < 10; ++trial) {
      SCOPED_TRACE(std::to_string(threads) + " threads, trial " + std::to_string(trial));
      std::vector<std::atomic<int>> runs(1000);
      try {
        detail::parallel_for(1000, threads, [&](std::uint32_t i) {
          runs[i].fetch_add(1, std::memory_order_relaxed);
          for (std::uint32_t t : throwing) {
            if (i != t) continue;
            if (i == 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            throw std::runtime_error(std::to_string(i));
          }
        });
        FAIL() << "nothing was thrown";
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "40");
      }
      for (std::uint32_t i = 0; i <= 40; ++i) ASSERT_EQ(runs[i].load(), 1) << "index " << i;
      for (std::uint32_t i = 41; i < 1000; ++i) ASSERT_LE(runs[i].load(), 1) << "index " << i;
    }
  }
}

TEST(ForEachChunk, ChunksDependOnlyOnTheSize) {
  constexpr std::size_t kPer = detail::kRatingsPerChunk;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, kPer - 1, kPer, kPer + 1, 3 * kPer + 5}) {
    const std::size_t chunks = (n + kPer - 1) / kPer;
    std::vector<std::tuple<std::size_t, std::size_t, std::uint32_t>> reference;
    for (unsigned threads : kThreadCounts) {
      SCOPED_TRACE(std::to_string(n) + " indices, " + std::to_string(threads) + " threads");
      std::vector<std::tuple<std::size_t, std::size_t, std::uint32_t>> seen(chunks);
      std::vector<std::atomic<int>> calls(chunks);
      detail::for_each_chunk(n, threads, [&](std::size_t first, std::size_t last, std::uint32_t c) {
        ++calls[c];
        seen[c] = {first, last, c};
      });
      std::size_t covered = 0;
      for (std::size_t c = 0; c < chunks; ++c) {
        ASSERT_EQ(calls[c].load(), 1) << "chunk " << c;
        EXPECT_EQ(std::get<0>(seen[c]), covered);
        EXPECT_GT(std::get<1>(seen[c]), std::get<0>(seen[c]));
        covered = std::get<1>(seen[c]);
      }
      EXPECT_EQ(covered, n);
      if (reference.empty()) reference = seen;
      EXPECT_EQ(seen, reference);
    }
  }
}

// Without the address space for a second thread's stack, std::thread throws
// std::system_error: the work must still be done, on the threads there are.
// In a child process, since the limit cannot be lifted again.
#if defined(__SANITIZE_ADDRESS__)
#define MFREC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MFREC_ASAN 1
#endif
#endif
// The child's side: exits 0 when every index ran exactly once.
[[noreturn]] void run_without_room_for_threads() {
  std::vector<std::atomic<int>> runs(10000);
  long pages = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  if (pages == 0) _exit(2);
  // Room for a little heap, not for 64 thread stacks.
  const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (rlim_t{24} << 20);
  const rlimit as{limit, limit};
  if (::setrlimit(RLIMIT_AS, &as) != 0) _exit(3);
  {  // the limit does stop a thread from starting
    std::vector<std::thread> probe;
    probe.reserve(64);
    try {
      while (probe.size() < 64) probe.emplace_back([] {});
    } catch (const std::system_error&) {
    }
    const bool stopped = probe.size() < 64;
    for (auto& t : probe) t.join();
    if (!stopped) _exit(5);
  }
  detail::parallel_for(10000, 64, [&](std::uint32_t i) { runs[i].fetch_add(1, std::memory_order_relaxed); });
  for (const auto& r : runs)
    if (r.load() != 1) _exit(4);
  _exit(0);
}

TEST(ParallelForDeathTest, ThreadsThatCannotStartLeaveTheirWorkToTheOthers) {
#ifdef MFREC_ASAN
  GTEST_SKIP() << "AddressSanitizer needs more address space than the limit leaves";
#else
  EXPECT_EXIT(run_without_room_for_threads(), ::testing::ExitedWithCode(0), "");
#endif
}

Model small_model() {
  const Dataset d = make_synthetic({.users = 300, .items = 120, .rank = 3, .ratings = 6000, .seed = 5});
  TrainOptions o;
  o.factors = 8;
  o.epochs = 3;
  o.threads = 2;
  return train(TrainInput{&d, nullptr}, o);
}

std::vector<std::uint32_t> all_users(const Model& m) {
  std::vector<std::uint32_t> users(m.users.size());
  for (std::uint32_t u = 0; u < users.size(); ++u) users[u] = u;
  return users;
}

TEST(RecommendUsers, SameListsInTheSameOrderForAnyThreadCount) {
  const Model m = small_model();
  const std::vector<std::uint32_t> users = all_users(m);
  ASSERT_GT(users.size(), 4u * 64u);  // several tiles of users to share out
  for (RecommendMethod method : {RecommendMethod::Predicted, RecommendMethod::Neighbors}) {
    std::vector<std::uint32_t> reference_order;
    std::vector<std::vector<Recommendation>> reference;
    for (unsigned threads : kThreadCounts) {
      SCOPED_TRACE(std::to_string(threads) + " threads");
      RecommendOptions o;
      o.top = 5;
      o.method = method;
      o.threads = threads;
      std::vector<std::uint32_t> order;
      std::vector<std::vector<Recommendation>> lists;
      recommend_users(m, users, o, [&](std::uint32_t user, const std::vector<Recommendation>& list) {
        order.push_back(user);
        lists.push_back(list);
      });
      EXPECT_EQ(order, users);
      if (reference.empty()) {
        reference_order = order;
        reference = lists;
        continue;
      }
      ASSERT_EQ(lists.size(), reference.size());
      for (std::size_t u = 0; u < lists.size(); ++u) {
        ASSERT_EQ(lists[u].size(), reference[u].size()) << "user " << u;
        for (std::size_t k = 0; k < lists[u].size(); ++k) {
          EXPECT_EQ(lists[u][k].item, reference[u][k].item) << "user " << u;
          EXPECT_EQ(lists[u][k].score, reference[u][k].score) << "user " << u;
        }
      }
    }
  }
}

// Each worker's scans reserve room for `top` candidates: beyond what a vector
// can hold, that throws std::length_error on the worker threads, as running
// out of memory would throw std::bad_alloc. It must reach the caller (which
// main maps to exit code 70), not std::terminate.
TEST(RecommendUsers, AWorkersExceptionReachesTheCaller) {
  const Model m = small_model();
  const std::vector<std::uint32_t> users = all_users(m);
  RecommendOptions o;
  o.top = std::numeric_limits<std::size_t>::max();
  for (unsigned threads : kThreadCounts) {
    o.threads = threads;
    bool emitted = false;
    EXPECT_THROW(recommend_users(m, users, o, [&](std::uint32_t, const std::vector<Recommendation>&) { emitted = true; }),
                 std::length_error)
        << threads << " threads";
    EXPECT_FALSE(emitted);
  }
}

}  // namespace
}  // namespace mfrec
