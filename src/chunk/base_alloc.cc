// chunk/base_alloc.cc: the bump allocator behind base_alloc. g_base_lock guards every
// variable in this file.
#include "chunk/base_alloc.h"

#include "base/units.h"
#include "platform/os.h"

namespace bento {

namespace {
constexpr std::size_t kBlockBytes = 256 * kKiB;

constinit ProfiledMutex g_base_lock;
constinit char* g_cursor = nullptr;  // next free byte of the current block
constinit char* g_limit = nullptr;   // end of the current block
constinit BaseStats g_stats;
struct Block {  // the start of every OS block: a link to the previous one
  Block* prev;
  std::size_t bytes;
};
constinit Block* g_blocks = nullptr;
}  // namespace

void* base_alloc(std::size_t bytes, std::size_t align) noexcept {
  LockGuard guard(g_base_lock);
  std::uintptr_t at = align_up(to_addr(g_cursor), align);
  if (g_cursor == nullptr || at + bytes > to_addr(g_limit)) {
    const std::size_t block = align_up(bytes + align + sizeof(Block), kBlockBytes);
    char* fresh = static_cast<char*>(os::map(block));
    if (fresh == nullptr) return nullptr;
    g_stats.mapped += block;
    auto* b = reinterpret_cast<Block*>(fresh);
    b->prev = g_blocks;
    b->bytes = block;
    g_blocks = b;
    g_cursor = fresh + sizeof(Block);
    g_limit = fresh + block;
    at = align_up(to_addr(g_cursor), align);
  }
  g_cursor = to_ptr<char>(at + bytes);
  g_stats.allocated += bytes;
  return to_ptr(at);  // fresh anonymous pages: already zero
}

BaseStats base_stats() noexcept {
  LockGuard guard(g_base_lock);
  return g_stats;
}

std::size_t base_resident_bytes() noexcept {
  LockGuard guard(g_base_lock);  // blocks are never unmapped; the lock guards the list
  std::size_t pages = 0;
  for (Block* b = g_blocks; b != nullptr; b = b->prev) pages += os::resident_pages(b, b->bytes);
  return pages * os::kPageSize;
}

LockCounters base_lock_counters() noexcept {
  LockGuard guard(g_base_lock);
  return g_base_lock.read_locked();
}

void base_prefork() noexcept { g_base_lock.lock(); }
void base_postfork_parent() noexcept { g_base_lock.unlock(); }
void base_postfork_child() noexcept { g_base_lock.reset_after_fork(); }

}  // namespace bento
