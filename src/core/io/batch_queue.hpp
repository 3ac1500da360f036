#pragma once
// A bounded first-in first-out queue between one producing thread and one
// consuming thread, for pipelines that must keep their order (the ratings
// reader parses rows on one thread and interns their names on another).
// The producer blocks while the queue is full; close() ends the stream; the
// consumer's abort() releases a producer blocked on a full queue.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace mfrec::detail {

template <class T>
class BatchQueue {
 public:
  explicit BatchQueue(std::size_t capacity) : capacity_(capacity) {}

  // False when the consumer has aborted: stop producing.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return aborted_ || items_.size() < capacity_; });
    if (aborted_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_one();
  }

  // The next item, or nothing once the producer has closed the queue and
  // every item is taken.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take_front();
  }

  // The next item if there is one now; never waits.
  std::optional<T> try_pop() {
    std::lock_guard lock(mutex_);
    return take_front();
  }

  void abort() {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    items_.clear();
    not_full_.notify_one();
  }

 private:
  // With the lock held.
  std::optional<T> take_front() {
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
  bool aborted_ = false;
};

}  // namespace mfrec::detail
