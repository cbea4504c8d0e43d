// platform/socket_linux.cc: Linux implementation of socket.h. Stateless.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "platform/socket.h"

namespace bento::os {

bool make_private_dir(const char* dir) noexcept {
  if (::mkdir(dir, 0700) != 0 && errno != EEXIST) return false;
  struct stat st;
  if (::lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  if (st.st_uid != ::geteuid()) return false;
  if ((st.st_mode & 0022) != 0) return false;  // others could plant a socket there
  return true;
}

int unix_listen(const char* path) noexcept {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (std::strlen(path) >= sizeof(addr.sun_path)) return -1;
  std::strcpy(addr.sun_path, path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  ::unlink(path);
  const mode_t old = ::umask(0177);  // the socket file comes out 0600
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::umask(old);
  if (!bound || ::chmod(path, 0600) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int unix_accept(int listen_fd, unsigned* peer_uid) noexcept {
  const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return -1;
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    ::close(fd);
    return -1;
  }
  *peer_uid = cred.uid;
  return fd;
}

bool unlink_path(const char* path) noexcept { return ::unlink(path) == 0; }

int wait_readable(int fd, int timeout_ms) noexcept {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r < 0 ? -1 : r;
  }
}

long read_some(int fd, void* buf, std::size_t n) noexcept {
  for (;;) {
    const ssize_t r = ::read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    return static_cast<long>(r);
  }
}

bool write_within(int fd, const void* buf, std::size_t n, int timeout_ms) noexcept {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    pollfd pw{fd, POLLOUT, 0};
    const int r = ::poll(&pw, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void finish_connection(int fd) noexcept {
  ::shutdown(fd, SHUT_WR);
  char sink[4096];
  std::size_t drained = 0;
  while (drained < 64 * 1024 && wait_readable(fd, 200) > 0) {
    const long n = read_some(fd, sink, sizeof(sink));
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

}  // namespace bento::os
