// Ranks agreeing on how a step ended (dist/agreement.hpp), the ranks being
// threads: when some fail, every rank throws the lowest failing rank's
// failure, rebuilt from bytes on the others as it was.
#include "dist/agreement.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "thread_cluster.hpp"

namespace mfrec {
namespace {

using namespace testing;

// What each rank threw after agreeing on `step` (null: nothing).
std::vector<std::exception_ptr> agreed_on(int n, const std::function<void(int rank)>& step) {
  std::vector<std::exception_ptr> thrown(static_cast<std::size_t>(n));
  run_ranks(n, [&](const dist::Cluster& ranks) {
    try {
      dist::agreed(ranks, [&] { step(ranks.rank()); });
    } catch (...) {
      thrown[static_cast<std::size_t>(ranks.rank())] = std::current_exception();
    }
  });
  return thrown;
}

TEST(Agreement, NoFailureThrowsNothing) {
  for (const auto& thrown : agreed_on(3, [](int) {})) EXPECT_FALSE(thrown);
}

TEST(Agreement, TheLowestFailingRankWinsEverywhere) {
  const auto thrown = agreed_on(4, [](int rank) {
    if (rank == 2) throw Error(ErrorKind::Data, "bad row", Location{"r.csv", 12, 5});
    if (rank == 3) throw Error(ErrorKind::Open, "cannot open r.csv");
  });
  for (const auto& failure : thrown) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Data);
      EXPECT_EQ(e.message(), "bad row");
      ASSERT_TRUE(e.where());
      EXPECT_EQ(e.where()->file, "r.csv");
      EXPECT_EQ(e.where()->line, 12u);
      EXPECT_EQ(e.where()->column, 5u);
    }
  }
}

TEST(Agreement, AnErrorWithoutLocationStaysWithout) {
  for (const auto& failure : agreed_on(2, [](int rank) {
         if (rank == 1) throw Error(ErrorKind::Usage, "no");
       })) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Usage);
      EXPECT_FALSE(e.where());
    }
  }
}

TEST(Agreement, OutOfMemoryAndOtherExceptionsTravelToo) {
  for (const auto& failure : agreed_on(3, [](int rank) {
         if (rank == 1) throw std::bad_alloc();
       }))
    EXPECT_THROW(std::rethrow_exception(failure), std::bad_alloc);
  for (const auto& failure : agreed_on(3, [](int rank) {
         if (rank == 0) throw std::logic_error("oops");
       })) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      EXPECT_EQ(std::string(e.what()), "oops");
    }
  }
}

// The failing rank rethrows its own exception, type and all.
TEST(Agreement, TheFailingRankRethrowsItsOwn) {
  struct Special {};
  const auto thrown = agreed_on(2, [](int rank) {
    if (rank == 1) throw Special{};
  });
  EXPECT_THROW(std::rethrow_exception(thrown[1]), Special);
  EXPECT_THROW(std::rethrow_exception(thrown[0]), std::runtime_error);
}

}  // namespace
}  // namespace mfrec
