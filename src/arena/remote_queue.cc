// arena/remote_queue.cc: the queue of other threads' frees; lock_ guards the slots, the
// byte gauge is an atomic of its own.
#include "arena/remote_queue.h"

#include <cstring>

namespace bento {

bool RemoteQueue::push(void* const* ptrs, std::size_t n, std::size_t bytes) noexcept {
  LockGuard guard(lock_);
  const std::size_t count = count_.load(std::memory_order_relaxed);
  if (count + n > kCapacity || bytes_.load(std::memory_order_relaxed) + bytes > kMaxBytes) return false;
  std::memcpy(slots_ + count, ptrs, n * sizeof(void*));
  count_.store(count + n, std::memory_order_relaxed);
  bytes_.fetch_add(bytes, std::memory_order_relaxed);
  return true;
}

std::size_t RemoteQueue::take(void** out, std::size_t cap) noexcept {
  if (empty()) return 0;
  LockGuard guard(lock_);
  const std::size_t count = count_.load(std::memory_order_relaxed);
  const std::size_t n = count < cap ? count : cap;
  std::memcpy(out, slots_ + count - n, n * sizeof(void*));
  count_.store(count - n, std::memory_order_relaxed);
  return n;
}

void RemoteQueue::taken(std::size_t freed_bytes) noexcept {
  bytes_.fetch_sub(freed_bytes, std::memory_order_relaxed);
}

}  // namespace bento
