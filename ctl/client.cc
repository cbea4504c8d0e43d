// ctl/client.cc: Unix-socket client for the bento daemon.
#include "client.h"

#include <dirent.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bentoctl {

namespace {
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

bool process_alive(int pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  // A zombie still answers kill(0), but its daemon is gone.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ||
         (text[close + 2] != 'Z' && text[close + 2] != 'X');
}

std::string process_command(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : raw) {
    if (c == '\0' || c == '\n' || c == '\t') c = ' ';
  }
  while (!raw.empty() && raw.back() == ' ') raw.pop_back();
  return raw;
}

std::vector<std::string> Client::directories() const {
  if (!dir_.empty()) return {dir_};
  std::vector<std::string> dirs;
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && xdg[0] == '/') {
    dirs.push_back(std::string(xdg) + "/bento");
  }
  dirs.push_back("/tmp/bento-" + std::to_string(::getuid()));
  return dirs;
}

std::string Client::socket_for(int pid) const {
  for (const auto& d : directories()) {
    const std::string path = d + "/" + std::to_string(pid) + ".sock";
    struct stat st;
    spdlog::debug("looking for {}", path);
    if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return path;
  }
  if (!process_alive(pid)) throw CtlError("no process " + std::to_string(pid));
  throw CtlError("no bento daemon for pid " + std::to_string(pid) +
                 ": start it with BENTO_CONF=daemon:true (or bentoctl run -- CMD)");
}

Response Client::request(int pid, const std::string& line, int timeout_ms) const {
  const std::string socket = socket_for(pid);
  try {
    return request_at(socket, line, timeout_ms);
  } catch (const CtlUnreachable&) {
    // A live process whose socket refuses: the socket is an earlier process's with the
    // same pid (killed before it could remove it), or its daemon is not listening yet.
    if (!process_alive(pid)) throw;
    throw CtlUnreachable("no bento daemon answers for pid " + std::to_string(pid) + " (" + socket +
                         " refuses connections: an earlier process's with this pid, or a daemon not listening yet)"
                         ": start it with BENTO_CONF=daemon:true (or bentoctl run -- CMD)");
  }
}

Response Client::request_at(const std::string& socket, const std::string& line, int timeout_ms) const {
  // One deadline for the whole exchange: a daemon that is stopped, or whose backlog is
  // full (connect would block), costs the caller timeout_ms at most.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto left_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
  };
  auto timed_out = [&] {
    return CtlTimeout("no answer from " + socket + " within " + std::to_string(timeout_ms) + " ms");
  };
  Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) throw CtlError(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket.size() >= sizeof(addr.sun_path)) throw CtlError("socket path too long: " + socket);
  std::strcpy(addr.sun_path, socket.c_str());
  while (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    // EAGAIN: the daemon's backlog is full (it is busy or stopped); try again until the deadline.
    if (errno == EAGAIN && left_ms() > 0) {
      ::usleep(1000);
      continue;
    }
    if (errno == EAGAIN) throw timed_out();
    throw CtlUnreachable("cannot connect to " + socket + ": " + std::strerror(errno) +
                   " (the process may have exited; bentoctl ps cleans stale sockets)");
  }
  spdlog::debug("> {}", line);
  const std::string out = line + "\n";
  if (::send(s.fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
    throw CtlError("cannot send the request to " + socket);
  }
  std::string reply;
  char buf[65536];
  for (;;) {
    pollfd p{s.fd, POLLIN, 0};
    const int r = ::poll(&p, 1, left_ms());
    if (r == 0) throw timed_out();
    if (r < 0) {
      if (errno == EINTR) continue;
      throw CtlError(std::string("poll: ") + std::strerror(errno));
    }
    const ssize_t n = ::read(s.fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw CtlError(std::string("read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  const auto nl = reply.find('\n');
  Response resp{reply.substr(0, nl), nl == std::string::npos ? "" : reply.substr(nl + 1)};
  spdlog::debug("< {} ({} more bytes)", resp.status, resp.body.size());
  if (resp.status.rfind("error", 0) == 0) throw CtlError("daemon: " + resp.status.substr(6));
  if (resp.status.rfind("ok", 0) != 0) throw CtlError("unexpected answer from " + socket + ": " + resp.status);
  return resp;
}

std::vector<nlohmann::ordered_json> Client::typed(int pid, const std::string& line) const {
  return parse_typed(socket_for(pid), request(pid, line));
}

std::vector<nlohmann::ordered_json> Client::typed_at(const std::string& socket, const std::string& line) const {
  return parse_typed(socket, request_at(socket, line));
}

std::vector<nlohmann::ordered_json> Client::parse_typed(const std::string& socket, const Response& r) {
  // "ok protocol=N"; a daemon of protocol 1 answered a bare "ok" and text lines.
  int version = 1;
  if (const auto at = r.status.find("protocol="); at != std::string::npos) {
    version = std::atoi(r.status.c_str() + at + 9);
  }
  if (version != kProtocolVersion) {
    throw CtlError(fmt::format("the daemon at {} speaks protocol {}, this bentoctl speaks {}: use the bentoctl "
                               "built with the process's libbento",
                               socket, version, kProtocolVersion),
                   kExitProtocol);
  }
  std::vector<nlohmann::ordered_json> out;
  std::istringstream in(r.body);
  for (std::string l; std::getline(in, l);) {
    if (l.empty()) continue;
    try {
      out.push_back(nlohmann::ordered_json::parse(l));
    } catch (const nlohmann::json::parse_error& e) {
      throw CtlError(fmt::format("malformed answer from {}: {} ({})", socket, l.substr(0, 200), e.what()));
    }
    if (!out.back().is_object() || !out.back().contains("name")) {
      throw CtlError(fmt::format("malformed answer from {}: {}", socket, l.substr(0, 200)));
    }
  }
  return out;
}

std::vector<Client::Process> Client::processes(std::vector<std::string>* cleaned) const {
  std::vector<Process> out;
  for (const auto& d : directories()) {
    DIR* dir = ::opendir(d.c_str());
    if (dir == nullptr) continue;
    while (dirent* e = ::readdir(dir)) {
      const std::string name = e->d_name;
      if (name.size() < 6 || name.substr(name.size() - 5) != ".sock") continue;
      char* end = nullptr;
      const long pid = std::strtol(name.c_str(), &end, 10);
      if (end != name.c_str() + name.size() - 5 || pid <= 0) continue;
      const std::string path = d + "/" + name;
      if (!process_alive(static_cast<int>(pid))) {
        ::unlink(path.c_str());
        if (cleaned != nullptr) cleaned->push_back(path);
        spdlog::info("removed the stale socket {} (pid {} is gone)", path, pid);
        continue;
      }
      out.push_back({static_cast<int>(pid), path});
    }
    ::closedir(dir);
  }
  return out;
}

}  // namespace bentoctl
