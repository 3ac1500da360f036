#pragma once
// Asks for transparent huge pages on large arrays that are probed at random
// (id tables) or written once in order (ratings): with 4 KiB pages every
// probe of a multi-megabyte table misses the TLB, and every fresh page costs
// a fault. Only a hint: where the system does not give them on request
// (transparent_hugepage=never), nothing changes.
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace mfrec::detail {

inline void advise_huge_pages(const void* begin, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  if (bytes < kHuge) return;
  const auto first = (reinterpret_cast<std::uintptr_t>(begin) + kHuge - 1) / kHuge * kHuge;
  const auto last = (reinterpret_cast<std::uintptr_t>(begin) + bytes) / kHuge * kHuge;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace mfrec::detail
