// Loads the long layout on one thread, or on two: one reads and parses rows
// ahead while the calling thread interns their names, in file order, so the
// result is the same. Only the threading is here; the per-row work is
// LongBatches' (long_batches.cpp).
#include <thread>

#include "io/batch_queue.hpp"
#include "io/long_batches.hpp"

namespace mfrec::detail {

namespace {

void on_one_thread(LongBatches& batches) {
  RowBatch batch;
  while (batches.read(batch)) {
    batches.intern(batch);
    batch.clear();
  }
  batches.intern(batch);
}

// Batches go back for reuse once interned, so their buffers are not
// allocated (and their pages faulted in) again for every batch.
void on_two_threads(LongBatches& batches) {
  BatchQueue<RowBatch> queue(4), spent(8);
  std::thread reader([&] {
    RowBatch batch;
    while (batches.read(batch)) {
      if (!queue.push(std::move(batch))) return;
      batch = spent.try_pop().value_or(RowBatch());
      batch.clear();
    }
    queue.push(std::move(batch));
    queue.close();
  });
  struct Join {
    BatchQueue<RowBatch>& queue;
    std::thread& reader;
    ~Join() {
      queue.abort();  // releases the reader if this thread stopped early
      reader.join();
    }
  } join{queue, reader};
  while (auto batch = queue.pop()) {
    batches.intern(*batch);
    spent.push(std::move(*batch));  // never blocks: at most 6 batches exist
  }
}

}  // namespace

void load_long(RatingsLoad& load, const LongShape& shape) {
  LongBatches batches(load, shape);
  if (load.options.threads == 1) {
    on_one_thread(batches);
  } else {
    on_two_threads(batches);
  }
  load.rows_read = batches.rows_read();
}

}  // namespace mfrec::detail
