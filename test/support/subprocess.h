// test/support/subprocess.h: run a function or a command in a child process and collect
// how it ended and what it wrote to stderr/stdout. Used for the misuse tests (the child
// must abort with a given message) and for running real programs under LD_PRELOAD.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

namespace bento::test {

struct ChildResult {
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  std::string out;
  std::string err;
};

inline std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    s.append(buf, static_cast<std::size_t>(n));
  }
  return s;
}

inline ChildResult wait_child(pid_t pid, int out_fd, int err_fd) {
  ChildResult r;
  // Read both pipes to the end (the child may fill one before closing the other).
  std::string out, err;
  fd_set fds;
  bool out_open = out_fd >= 0, err_open = err_fd >= 0;
  while (out_open || err_open) {
    FD_ZERO(&fds);
    if (out_open) FD_SET(out_fd, &fds);
    if (err_open) FD_SET(err_fd, &fds);
    if (::select(FD_SETSIZE, &fds, nullptr, nullptr, nullptr) < 0) break;
    char buf[8192];
    if (out_open && FD_ISSET(out_fd, &fds)) {
      const ssize_t n = ::read(out_fd, buf, sizeof(buf));
      if (n <= 0) out_open = false; else out.append(buf, static_cast<std::size_t>(n));
    }
    if (err_open && FD_ISSET(err_fd, &fds)) {
      const ssize_t n = ::read(err_fd, buf, sizeof(buf));
      if (n <= 0) err_open = false; else err.append(buf, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exited = WIFEXITED(status);
  r.exit_code = r.exited ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  r.out = std::move(out);
  r.err = std::move(err);
  if (out_fd >= 0) ::close(out_fd);
  if (err_fd >= 0) ::close(err_fd);
  return r;
}

// Runs fn in a forked child; the child exits 0 when fn returns. keep_segv: bento's own
// SIGSEGV handler (guard_sample's) stays; otherwise every fatal signal gets its default.
inline ChildResult run_in_child(const std::function<void()>& fn, bool keep_segv = false) {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The test framework catches fatal signals; the child must die of them for real.
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE}) {
      if (sig != SIGSEGV || !keep_segv) ::signal(sig, SIG_DFL);
    }
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close(out[0]); ::close(err[0]); ::close(out[1]); ::close(err[1]);
    fn();
    ::_exit(0);
  }
  ::close(out[1]);
  ::close(err[1]);
  return wait_child(pid, out[0], err[0]);
}

// Runs argv with extra environment entries ("K=V"); stdin from /dev/null.
inline ChildResult run_command(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env_add = {}) {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::close(out[0]); ::close(err[0]); ::close(out[1]); ::close(err[1]);
    for (const auto& kv : env_add) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  return wait_child(pid, out[0], err[0]);
}

}  // namespace bento::test
