#pragma once
// Exit codes of CLI.md (sysexits.h values).
#include "mfrec/error.hpp"

namespace mfrec::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitData = 65;
inline constexpr int kExitNoInput = 66;
inline constexpr int kExitInternal = 70;
inline constexpr int kExitCantCreate = 73;
inline constexpr int kExitIo = 74;

inline int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Usage: return kExitUsage;
    case ErrorKind::Data:
    case ErrorKind::Format:
    case ErrorKind::Diverged: return kExitData;
    case ErrorKind::Open: return kExitNoInput;
    case ErrorKind::Create: return kExitCantCreate;
    case ErrorKind::Io: return kExitIo;
    case ErrorKind::Interrupted: return 130;  // main() refines it by the signal
    case ErrorKind::Internal: break;
  }
  return kExitInternal;
}

}  // namespace mfrec::cli
