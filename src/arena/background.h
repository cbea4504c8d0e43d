// arena/background.h: the switch and the counters of the helper thread that purges in
// the background (jemalloc's background_thread, stats.background_thread.*). The thread
// itself lives in the daemon layer (daemon/server.cc); it registers how to start it here,
// so the namespace below it can turn it on. Atomics only: no lock.
#pragma once
#include <cstdint>

namespace bento {

struct BackgroundStats {
  bool running;             // the helper thread exists
  bool purging;             // and purges (background_thread)
  std::uint64_t runs;       // purge rounds made
  std::uint64_t interval_ns;  // mean time between rounds (0 before two)
};

// The daemon layer's starter: starts the helper thread if it is not running; false if
// it could not be started.
using BackgroundStarter = bool (*)() noexcept;
void background_register(BackgroundStarter start) noexcept;

// background_thread: on starts the thread if needed and lets it purge; off stops its
// purging (the thread stays if it serves the daemon's socket). False if it cannot start.
bool background_set(bool on) noexcept;
bool background_purging() noexcept;  // the helper thread asks before each round
void background_set_running(bool running) noexcept;
void background_count_run(std::uint64_t now_ns) noexcept;
BackgroundStats background_stats() noexcept;

}  // namespace bento
