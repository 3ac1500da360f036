#include "interrupt.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "mfrec/error.hpp"

namespace mfrec::cli {

namespace {
std::atomic<bool> requested{false};
std::atomic<int> which{SIGINT};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "signal handlers may only touch lock-free atomics");

extern "C" void on_signal(int sig) {
  which.store(sig, std::memory_order_relaxed);
  requested.store(true, std::memory_order_relaxed);
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal takes the default action
  const auto install = [&action](int sig, const char* name) {
    if (sigaction(sig, &action, nullptr) != 0)
      throw Error(ErrorKind::Internal, std::string("cannot install the handler of ") + name + ": " + std::strerror(errno));
  };
  install(SIGINT, "SIGINT");
  install(SIGTERM, "SIGTERM");
}

const std::atomic<bool>& interrupt_requested() { return requested; }

int interrupt_exit_code() { return 128 + which.load(std::memory_order_relaxed); }

}  // namespace mfrec::cli
