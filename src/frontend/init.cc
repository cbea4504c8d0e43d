// frontend/init.cc: start-up and fork handling. g_init_lock guards start-up; g_ready is
// set once with release order and read with acquire.
#include "frontend/init.h"

#include <atomic>

#include "arena/arena_set.h"
#include "arena/huge.h"
#include "chunk/chunk_pool.h"
#include "chunk/base_alloc.h"
#include "chunk/chunk_registry.h"
#include "config/options.h"
#include "frontend/thread_state.h"
#include "guard/guard_pool.h"
#include "platform/log.h"
#include "platform/os.h"
#include "platform/thread.h"
#include "prof/sample_table.h"
#include "prof/sampler.h"
#include "tcache/free_mark.h"

namespace bento {

namespace {
constinit Mutex g_init_lock;
constinit std::atomic<bool> g_ready{false};
constinit std::atomic<bool> g_failed{false};
constinit std::atomic<std::uintptr_t> g_init_owner{0};
constinit bool g_fork_handlers = false;

struct ForkHooks {
  ForkHook prepare, parent, child;
};
constexpr unsigned kMaxForkHooks = 4;
constinit ForkHooks g_hooks[kMaxForkHooks] = {};
constinit std::atomic<unsigned> g_nhooks{0};

void prefork() noexcept {
  if (!global_ready()) return;
  for (unsigned i = g_nhooks.load(std::memory_order_acquire); i-- > 0;) g_hooks[i].prepare();
  arenas_prefork();
  chunk_pool_prefork();
  huge_prefork();
  threads_prefork();
  prof_prefork();  // before base: a new profile site takes the base lock inside it
  guard_prefork();
  base_prefork();
}
void postfork_parent() noexcept {
  if (!global_ready()) return;
  base_postfork_parent();
  guard_postfork_parent();
  prof_postfork_parent();
  threads_postfork_parent();
  huge_postfork_parent();
  chunk_pool_postfork_parent();
  arenas_postfork_parent();
  for (unsigned i = 0; i < g_nhooks.load(std::memory_order_acquire); ++i) g_hooks[i].parent();
}
void postfork_child() noexcept {
  if (!global_ready()) return;
  base_postfork_child();
  guard_postfork_child();
  prof_postfork_child();
  threads_postfork_child();
  huge_postfork_child();
  chunk_pool_postfork_child();
  arenas_postfork_child(tls_state != nullptr ? &tls_state->choice : nullptr);
  for (unsigned i = 0; i < g_nhooks.load(std::memory_order_acquire); ++i) g_hooks[i].child();
}

bool init_locked() noexcept {
  if (os::system_page_size() != kPageSize) {
    log_warning("this build expects {}-byte pages, the system has {}", kPageSize,
                os::system_page_size());
    return false;
  }
  options_init();
  free_mark_init(os::monotonic_ns() ^ (static_cast<std::uint64_t>(os::pid()) << 40) ^
                 reinterpret_cast<std::uintptr_t>(&g_ready));
  const Options& o = options();
  set_abort_on_warning(o.abort);
  prof_boot(o.prof, o.prof_active, o.lg_prof_sample);
  guard_set_rate(o.guard_sample);
  if (o.prof) prof_find_own_code();
  if (!registry_init()) return false;
  if (!arenas_init(o.narenas, o.dirty_decay_ms, o.retain)) return false;
  if (!os::thread_exit_hook_create(thread_exit)) {
    log_warning("no pthread key left: thread caches will not be flushed at thread exit");
  }
  return true;
}
}  // namespace

bool global_ready() noexcept { return g_ready.load(std::memory_order_acquire); }

void add_fork_hooks(ForkHook prepare, ForkHook parent, ForkHook child) noexcept {
  LockGuard guard(g_init_lock);
  const unsigned n = g_nhooks.load(std::memory_order_relaxed);
  if (n == kMaxForkHooks) return;
  g_hooks[n] = ForkHooks{prepare, parent, child};
  g_nhooks.store(n + 1, std::memory_order_release);
}

bool global_init() noexcept {
  if (BENTO_LIKELY(global_ready())) return true;
  if (g_failed.load(std::memory_order_relaxed)) return false;
  const std::uintptr_t self = os::thread_self();
  if (g_init_owner.load(std::memory_order_relaxed) == self) return false;  // recursion
  LockGuard guard(g_init_lock);
  if (global_ready()) return true;
  g_init_owner.store(self, std::memory_order_relaxed);
  const bool ok = init_locked();
  g_init_owner.store(0, std::memory_order_relaxed);
  if (!ok) {
    g_failed.store(true, std::memory_order_relaxed);
    log_warning("start-up failed: every allocation will fail with ENOMEM");
    return false;
  }
  g_ready.store(true, std::memory_order_release);
  return true;
}

// Runs when the library is loaded: start-up before any thread can race it, and the fork
// handlers (registered here, outside any malloc call).
__attribute__((constructor)) void bento_library_init() {
  global_init();
  if (!g_fork_handlers) {
    g_fork_handlers = os::register_fork_handlers(prefork, postfork_parent, postfork_child);
  }
}

}  // namespace bento
