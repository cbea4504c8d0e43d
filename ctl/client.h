// ctl/client.h: bentoctl's side of the daemon protocol (doc/daemon.md): where a process's
// socket is, one request per connection, and the processes of this user that serve one.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "exit_codes.h"

namespace bentoctl {

// The daemon protocol version this bentoctl speaks (daemon/protocol.h's kProtocolVersion).
inline constexpr int kProtocolVersion = 2;

// A failure to report: the message says what to do; exit_code is one of exit_codes.h.
struct CtlError : std::runtime_error {
  CtlError(const std::string& what, int code = kExitFailure) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

// The daemon did not answer within the request's time (stopped, hung or overloaded).
struct CtlTimeout : CtlError {
  explicit CtlTimeout(const std::string& what) : CtlError(what) {}
};

// No daemon listens on the socket (the process exited, or its socket is stale).
struct CtlUnreachable : CtlError {
  explicit CtlUnreachable(const std::string& what) : CtlError(what) {}
};

struct Response {
  std::string status;  // the first line: "ok ..." (errors throw)
  std::string body;    // the rest
};

class Client {
 public:
  // dir: the socket directory to use, or empty for the daemon's default rule.
  explicit Client(std::string dir = "") : dir_(std::move(dir)) {}

  // The directories searched: dir_ if set, else $XDG_RUNTIME_DIR/bento and /tmp/bento-<uid>.
  std::vector<std::string> directories() const;
  // The socket of pid; throws CtlError with advice when there is none.
  std::string socket_for(int pid) const;
  // Sends one request line, returns the response; an "error ..." response throws, and so
  // does (CtlTimeout) no whole answer within timeout_ms, connecting included. By pid, a
  // socket that refuses connections while the process lives (an earlier process's with
  // the same pid) is reported as a process without a daemon (CtlUnreachable).
  Response request(int pid, const std::string& line, int timeout_ms = 5000) const;
  Response request_at(const std::string& socket, const std::string& line, int timeout_ms = 5000) const;
  // A request with a typed answer (get, list, set): checks the protocol version on the
  // status line ("ok protocol=2") and returns one JSON object per line, in order.
  std::vector<nlohmann::ordered_json> typed(int pid, const std::string& line) const;
  std::vector<nlohmann::ordered_json> typed_at(const std::string& socket, const std::string& line) const;

  struct Process {
    int pid;
    std::string socket;
  };
  // Live processes with a socket here. Sockets of dead processes are removed (listed in
  // *cleaned when given).
  std::vector<Process> processes(std::vector<std::string>* cleaned = nullptr) const;

 private:
  static std::vector<nlohmann::ordered_json> parse_typed(const std::string& socket, const Response& r);
  std::string dir_;
};

bool process_alive(int pid);
std::string process_command(int pid);  // /proc/<pid>/cmdline, spaces between arguments

}  // namespace bentoctl
