// ctl/terminal.cc: KeyReader: termios set and restored, stdin polled for a key.
#include "terminal.h"

#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace bentoctl {

namespace {
// One terminal mode to restore, read by the signal handler (tcsetattr is
// async-signal-safe).
struct termios g_saved;
volatile sig_atomic_t g_have_saved = 0;
constexpr int kRestoreSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_old_actions[sizeof(kRestoreSignals) / sizeof(kRestoreSignals[0])];

void restore_mode() {
  if (g_have_saved != 0) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
}

void on_signal(int sig) {
  restore_mode();
  g_have_saved = 0;
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}
}  // namespace

KeyReader::KeyReader() {
  if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0) return;
  if (::tcgetattr(STDIN_FILENO, &g_saved) != 0) return;
  struct termios raw = g_saved;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  g_have_saved = 1;
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < sizeof(kRestoreSignals) / sizeof(kRestoreSignals[0]); ++i) {
    ::sigaction(kRestoreSignals[i], &sa, &g_old_actions[i]);
  }
  if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0) return;
  interactive_ = true;
}

KeyReader::~KeyReader() {
  if (g_have_saved == 0) return;
  restore_mode();
  g_have_saved = 0;
  for (std::size_t i = 0; i < sizeof(kRestoreSignals) / sizeof(kRestoreSignals[0]); ++i) {
    ::sigaction(kRestoreSignals[i], &g_old_actions[i], nullptr);
  }
}

std::optional<char> KeyReader::wait_key(std::chrono::duration<double> timeout) {
  if (!interactive_) {
    std::this_thread::sleep_for(timeout);
    return std::nullopt;
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if ((p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0 && (p.revents & POLLIN) == 0) return 'q';  // terminal gone
    char c;
    const ssize_t r = ::read(STDIN_FILENO, &c, 1);
    if (r == 1) return c;
    if (r == 0) return 'q';  // end of input
  }
}

}  // namespace bentoctl
