// chunk/base_alloc.cc: the bump allocator behind base_alloc. g_base_lock guards every
// variable in this file.
#include "chunk/base_alloc.h"

#include "base/units.h"
#include "platform/os.h"

namespace bento {

namespace {
constexpr std::size_t kBlockBytes = 256 * kKiB;

constinit Mutex g_base_lock;
constinit char* g_cursor = nullptr;  // next free byte of the current block
constinit char* g_limit = nullptr;   // end of the current block
constinit BaseStats g_stats;
}  // namespace

void* base_alloc(std::size_t bytes, std::size_t align) noexcept {
  LockGuard guard(g_base_lock);
  std::uintptr_t at = align_up(to_addr(g_cursor), align);
  if (g_cursor == nullptr || at + bytes > to_addr(g_limit)) {
    const std::size_t block = align_up(bytes + align, kBlockBytes);
    char* fresh = static_cast<char*>(os::map(block));
    if (fresh == nullptr) return nullptr;
    g_stats.mapped += block;
    g_cursor = fresh;
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

void base_prefork() noexcept { g_base_lock.lock(); }
void base_postfork_parent() noexcept { g_base_lock.unlock(); }
void base_postfork_child() noexcept { g_base_lock.reset_after_fork(); }

}  // namespace bento
