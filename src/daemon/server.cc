// daemon/server.cc: the daemon thread. It blocks in poll on its socket and wakes at least
// every daemon_interval_ms to purge what is due (try_lock on each arena: it never waits
// for an allocating thread), and to end the process, as glibc would, once it is the only
// thread left (the program's main thread called pthread_exit and the others returned). One connection at a time: one request line (at most 4 KiB,
// within 2 s), one response (abandoned if the client stalls 2 s), close.
//
// State: g_listen_fd, g_path and g_owner_pid are written by whichever thread starts the
// daemon (the library constructor, or the fork child handler) before the thread exists,
// and read by the thread and the exit destructor.
#include <atomic>

#include "arena/arena_set.h"
#include "arena/background.h"
#include "arena/huge.h"
#include "base/fixed_writer.h"
#include "config/options.h"
#include "daemon/daemon.h"
#include "daemon/heap_map.h"
#include "daemon/protocol.h"
#include "frontend/init.h"
#include "frontend/thread_state.h"
#include "platform/log.h"
#include "platform/mutex.h"
#include "platform/os.h"
#include "platform/socket.h"
#include "platform/thread.h"

namespace bento {

namespace {

constexpr int kClientTimeoutMs = 2000;

constinit int g_listen_fd = -1;
constinit char g_path[256] = {};
constinit int g_owner_pid = 0;  // the process that created g_path
constinit std::atomic<bool> g_running{false};

struct Conn {
  int fd;
  bool dead;
};

void write_conn(void* opaque, const char* text) {
  auto* c = static_cast<Conn*>(opaque);
  if (c->dead) return;
  std::size_t n = 0;
  while (text[n] != '\0') ++n;
  if (!os::write_within(c->fd, text, n, kClientTimeoutMs)) c->dead = true;
}

// Reads one request line into buf; returns its length, or -1 (closed, stalled), or -2
// (too long).
long read_request(int fd, char* buf) noexcept {
  std::size_t used = 0;
  const std::uint64_t deadline = os::monotonic_ns() + std::uint64_t{kClientTimeoutMs} * 1000000u;
  while (true) {
    const std::uint64_t now = os::monotonic_ns();
    if (now >= deadline) return -1;
    const int left_ms = static_cast<int>((deadline - now) / 1000000u) + 1;
    if (os::wait_readable(fd, left_ms) <= 0) return -1;
    const long r = os::read_some(fd, buf + used, kMaxRequestBytes + 1 - used);
    if (r <= 0) return used != 0 ? static_cast<long>(used) : -1;  // EOF: take what came
    for (long i = 0; i < r; ++i) {
      if (buf[used + static_cast<std::size_t>(i)] == '\n') return static_cast<long>(used) + i;
    }
    used += static_cast<std::size_t>(r);
    if (used > kMaxRequestBytes) return -2;
  }
}

void serve_one(int listen_fd) noexcept {
  unsigned peer_uid = 0;
  const int fd = os::unix_accept(listen_fd, &peer_uid);
  if (fd < 0) return;
  Conn conn{fd, false};
  {
    ReportOut out(write_conn, &conn);
    const unsigned self = os::uid();
    if (peer_uid != self && peer_uid != 0) {
      out.print("error permission denied: uid {} may not inspect a process of uid {}\n", peer_uid, self);
    } else {
      char buf[kMaxRequestBytes + 1];
      const long n = read_request(fd, buf);
      if (n == -2) {
        out.print("error request longer than {} bytes\n", kMaxRequestBytes);
      } else if (n >= 0) {
        const std::string_view req(buf, static_cast<std::size_t>(n));
        if (!request_is_text(req)) {
          out.put("error request is not a line of text\n");
        } else {
          handle_request(req, out);
        }
      }
      // n == -1: the client went quiet or away; nothing to answer.
    }
  }
  os::finish_connection(fd);
}

void purge_due() noexcept {
  for (unsigned i = 0; i < narenas(); ++i) {
    Arena* a = arena_get(i);
    if (a == nullptr) continue;
    ArenaObserverLock guard(a, true);
    if (guard.owns()) a->decay_tick_locked();  // busy: next time
  }
  huge_cache_decay(default_decay_ms(), false);
}

// Whether every thread of the program is gone. /proc is read only once no thread that
// allocates is left (the main thread is one in nearly every program): the read opens a
// file, which takes the lowest free descriptor for a moment, and a program that dup2()s
// onto descriptors it has just seen free then fails with EBUSY, or has the one it placed
// there read and closed by this thread (CPython's test_large_fd_transfer hung so, with
// the forkserver waiting for a descriptor this thread had eaten).
bool program_threads_gone() noexcept {
  const unsigned self = tls_state != nullptr ? 1 : 0;
  return live_threads() <= self && os::only_thread_left();
}

void* daemon_main(void*) {
  os::set_thread_name("bento-daemon");
  const int interval = static_cast<int>(options().daemon_interval_ms);
  // The first look after one interval: a short-lived program never pays for it.
  std::uint64_t next_purge = os::monotonic_ns() + static_cast<std::uint64_t>(interval) * 1000000u;
  while (true) {
    const std::uint64_t now = os::monotonic_ns();
    if (now >= next_purge) {
      // A program whose main thread called pthread_exit ends when its last thread does;
      // this thread must not keep it alive.
      if (program_threads_gone()) os::exit_as_last_thread();
      if (background_purging()) {  // background_thread (mallctl) can switch it off
        purge_due();
        background_count_run(now);
      }
      next_purge = now + static_cast<std::uint64_t>(interval) * 1000000u;
    }
    // From a fresh reading of the clock: the purge, or a fork whose handlers hold the
    // locks purge_due waits for, may have run past next_purge, and the unsigned
    // difference would wrap to a negative wait (poll(-1), a nanosleep of centuries).
    const std::uint64_t after = os::monotonic_ns();
    const int wait_ms = after >= next_purge ? 0 : static_cast<int>((next_purge - after) / 1000000u) + 1;
    if (g_listen_fd >= 0) {
      if (os::wait_readable(g_listen_fd, wait_ms) > 0) serve_one(g_listen_fd);
    } else {
      os::sleep_ns(static_cast<std::uint64_t>(wait_ms) * 1000000u);
    }
  }
  return nullptr;
}

bool open_socket() noexcept {
  char dir[200];
  if (!daemon_socket_dir(dir, sizeof(dir))) {
    log_warning("daemon: socket directory name too long");
    return false;
  }
  if (!os::make_private_dir(dir)) {
    log_warning("daemon: cannot use {} (it must be a directory of this user, mode 0700): no socket", dir);
    return false;
  }
  FixedWriter w(g_path, sizeof(g_path) - 1);
  w.print("{}/{}.sock", dir, os::pid());
  g_path[w.size()] = '\0';
  g_listen_fd = os::unix_listen(g_path);
  if (g_listen_fd < 0) {
    log_warning("daemon: cannot listen on {}: no socket", g_path);
    g_path[0] = '\0';
    return false;
  }
  g_owner_pid = os::pid();
  return true;
}

bool start_thread() noexcept {
  const Options& o = options();
  if (o.daemon) open_socket();
  g_running.store(true, std::memory_order_relaxed);
  background_set_running(true);
  if (!os::start_helper_thread(daemon_main, nullptr)) {
    g_running.store(false, std::memory_order_relaxed);
    background_set_running(false);
    log_warning("daemon: cannot start its thread");
    return false;
  }
  return true;
}

void add_daemon_fork_hooks() noexcept;

// background_thread:true at run time, when neither daemon nor background_purge started it.
bool start_on_request() noexcept {
  static constinit Mutex start_lock;
  LockGuard guard(start_lock);
  if (g_running.load(std::memory_order_relaxed)) return true;
  add_daemon_fork_hooks();
  return start_thread();
}
__attribute__((constructor)) void bento_background_register() { background_register(start_on_request); }

// Fork: the child has no daemon thread and must not answer on the parent's socket.
void daemon_prefork() noexcept {}
void daemon_postfork_parent() noexcept {}
void daemon_postfork_child() noexcept {
  heap_map_postfork_child();
  if (!g_running.load(std::memory_order_relaxed)) return;
  if (g_listen_fd >= 0) os::close_fd(g_listen_fd);
  g_listen_fd = -1;
  g_path[0] = '\0';
  g_running.store(false, std::memory_order_relaxed);
  background_set_running(false);
  if (options().daemon_fork) start_thread();  // its own pid, its own socket
}

void add_daemon_fork_hooks() noexcept {
  static constinit bool added = false;
  if (!added) add_fork_hooks(daemon_prefork, daemon_postfork_parent, daemon_postfork_child);
  added = true;
}

}  // namespace

bool daemon_socket_dir(char* out, unsigned cap) noexcept {
  FixedWriter w(out, cap - 1);
  const Options& o = options();
  if (o.daemon_dir.len != 0) {
    w.put(o.daemon_dir.view());
  } else if (const char* xdg = os::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && xdg[0] == '/') {
    w.print("{}/bento", xdg);
  } else {
    w.print("/tmp/bento-{}", os::uid());
  }
  out[w.size()] = '\0';
  return !w.truncated();
}

void daemon_start() noexcept {
  const Options& o = options();
  if (!(o.daemon || o.background_purge) || g_running.load(std::memory_order_relaxed)) return;
  add_daemon_fork_hooks();
  start_thread();
}

__attribute__((destructor)) void bento_daemon_exit() {
  // Only the process that made the socket removes it (a forked child that did not start
  // its own must leave its parent's alone).
  if (g_path[0] != '\0' && g_owner_pid == os::pid()) os::unlink_path(g_path);
}

}  // namespace bento
