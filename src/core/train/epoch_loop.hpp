#pragma once
// The epoch loop both trainers run (SGD epochs, ALS iterations): run an
// epoch, stop if asked to, measure it, time it, hand it on.
#include <chrono>
#include <cstdint>
#include <string>

#include "mfrec/error.hpp"
#include "mfrec/train/trainer.hpp"

namespace mfrec::detail {

// For epoch = 1 .. epochs: run(epoch), then measure(epoch) → EpochReport,
// timed here (sgd_seconds: run's share), then keep_going(report) → false
// ends the loop. A stop request seen after run() throws Error(Interrupted),
// or with input.keep_on_stop ends the loop with the epoch counted as run.
template <class Run, class Measure, class KeepGoing>
void run_epochs(std::uint32_t epochs, const TrainInput& input, TrainSummary& summary, Run&& run, Measure&& measure,
                KeepGoing&& keep_going) {
  using clock = std::chrono::steady_clock;
  for (std::uint32_t epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = clock::now();
    run(epoch);
    const auto ran = clock::now();
    if (input.stop && input.stop->load(std::memory_order_relaxed)) {
      if (!input.keep_on_stop)
        throw Error(ErrorKind::Interrupted, "training interrupted in epoch " + std::to_string(epoch) +
                                                "; no model written (--save-on-interrupt keeps it)");
      summary.epochs_run = epoch;  // this one in part
      return;
    }
    EpochReport report = measure(epoch);
    report.sgd_seconds = std::chrono::duration<double>(ran - start).count();
    report.seconds = std::chrono::duration<double>(clock::now() - start).count();
    if (!keep_going(report)) return;
  }
}

}  // namespace mfrec::detail
