#pragma once
// SIGINT and SIGTERM during training: the first one asks the trainer to stop
// at the end of its current block (so the model file is never half-made);
// a second one ends the process at once.
#include <atomic>

namespace mfrec::cli {

// Throws Error(Internal) when a handler cannot be installed.
void install_interrupt_handlers();
const std::atomic<bool>& interrupt_requested();
// 128 + the signal that arrived (130 for SIGINT, 143 for SIGTERM).
int interrupt_exit_code();

}  // namespace mfrec::cli
