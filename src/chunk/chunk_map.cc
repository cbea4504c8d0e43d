// chunk/chunk_map.cc: chunks carved from reservations (see chunk_map.h). No lock: the
// state word is replaced by compare-and-swap, so fork needs nothing.
#include "chunk/chunk_map.h"

#include <atomic>
#include <cstdint>

#include "base/units.h"
#include "platform/os.h"
#include "sizeclass/size_classes.h"

namespace bento {

namespace {
constexpr std::size_t kReserveChunks = 32;
constexpr std::size_t kReserveBytes = kReserveChunks * kChunkSize;
constexpr std::size_t kMaxCarvedChunks = 8;  // bigger requests get their own mapping
static_assert(kReserveChunks < kChunkSize);  // the count fits under the aligned address

// Reservation address (chunk-aligned) | chunks taken from it; 0 before the first.
constinit std::atomic<std::uintptr_t> g_reserve{0};

std::uintptr_t base_of(std::uintptr_t state) noexcept { return state & ~(kChunkSize - 1); }
std::size_t taken_of(std::uintptr_t state) noexcept { return state & (kChunkSize - 1); }
}  // namespace

void* chunk_map(std::size_t bytes) noexcept {
  const std::size_t n = bytes / kChunkSize;
  if (n == 0 || n > kMaxCarvedChunks || bytes % kChunkSize != 0) return os::map_aligned(bytes, kChunkSize);
  std::uintptr_t state = g_reserve.load(std::memory_order_relaxed);
  char* fresh = nullptr;  // a new reservation of ours, not yet published
  for (;;) {
    if (state != 0 && taken_of(state) + n <= kReserveChunks) {
      if (g_reserve.compare_exchange_weak(state, state + n, std::memory_order_relaxed)) {
        if (fresh != nullptr) os::unmap(fresh, kReserveBytes);  // another thread's came first
        return to_ptr(base_of(state) + taken_of(state) * kChunkSize);
      }
      continue;  // state reloaded
    }
    if (fresh == nullptr) {
      fresh = static_cast<char*>(os::map_aligned(kReserveBytes, kChunkSize));
      if (fresh == nullptr) return os::map_aligned(bytes, kChunkSize);
      state = g_reserve.load(std::memory_order_relaxed);
      continue;  // someone may have published one meanwhile
    }
    if (g_reserve.compare_exchange_weak(state, to_addr(fresh) + n, std::memory_order_relaxed)) {
      // The old reservation can no longer be carved: unmap its untouched tail.
      if (state != 0 && taken_of(state) < kReserveChunks) {
        os::unmap(to_ptr(base_of(state) + taken_of(state) * kChunkSize),
                  (kReserveChunks - taken_of(state)) * kChunkSize);
      }
      return fresh;
    }
  }
}

}  // namespace bento
