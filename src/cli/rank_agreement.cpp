#include "rank_agreement.hpp"

#include <exception>

#include "mfrec/dist/agree.hpp"
#include "mfrec/error.hpp"

namespace mfrec::cli {

void agree_on(const dist::Cluster& ranks, const std::function<void()>& step) {
  std::exception_ptr failure;
  try {
    step();
  } catch (const Error&) {
    failure = std::current_exception();
  }
  dist::agree(ranks, failure);
}

}  // namespace mfrec::cli
