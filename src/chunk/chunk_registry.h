// chunk/chunk_registry.h: which 2 MiB address ranges are bento's, one byte per chunk of
// the 47-bit address space (64 MiB of reserved, lazily touched memory).
//
// free() reads it first: one load tells "an arena chunk", "the first chunk of a huge
// object", "inside a huge object", "the guard pool" or "not ours", so a pointer bento
// never handed out is reported instead of followed. It is a zero-initialised static
// array (bss): its address is a link-time constant, which saves free() a load, and the
// kernel only backs the pages that are written. Writers are the arena and huge code when they map or
// unmap (under their own locks); readers take no lock. Relaxed order suffices: a
// pointer reaches free() only after the malloc that returned it, which happened after
// the chunk was registered.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/compiler.h"
#include "sizeclass/size_classes.h"

namespace bento {

// kGuard: the guard pool's chunk (guard/guard_pool.h), most of it inaccessible.
enum class ChunkKind : std::uint8_t { kNotOurs = 0, kArena = 1, kHugeHead = 2, kHugeBody = 3, kGuard = 4 };

inline constexpr unsigned kAddressBits = 47;
inline constexpr std::size_t kRegistryEntries = std::size_t{1} << (kAddressBits - kLgChunk);

extern std::uint8_t g_chunk_kinds[kRegistryEntries];

bool registry_init() noexcept;  // idempotent: advises the kernel against huge pages

BENTO_ALWAYS_INLINE ChunkKind chunk_kind(const void* p) noexcept {
  const std::size_t i = reinterpret_cast<std::uintptr_t>(p) >> kLgChunk;
  if (BENTO_UNLIKELY(i >= kRegistryEntries)) return ChunkKind::kNotOurs;
  return static_cast<ChunkKind>(__atomic_load_n(&g_chunk_kinds[i], __ATOMIC_RELAXED));
}

// Marks [addr, addr + bytes) (chunk-aligned start) as `head` for the first chunk and
// `body` for the rest.
void registry_set(void* addr, std::size_t bytes, ChunkKind head, ChunkKind body) noexcept;
void registry_clear(void* addr, std::size_t bytes) noexcept;
// Chunks registered as anything but kNotOurs now (arena, huge, guard pool).
std::size_t registry_chunks() noexcept;

}  // namespace bento
