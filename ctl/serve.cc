// ctl/serve.cc: bentoctl-serve's server (serve.h), one HTTP endpoint for every bento process of this user
// (cpp-httplib: doc/daemon.md says why). Routes:
//   GET /metrics                         every process's exposition in one (exposition.h)
//   GET /debug/pprof/heap?pid=N[&peak=1] a process's heap profile, gzipped profile.proto
//   GET /                                the processes, with links
//   GET /healthz                         "ok"
//   POST /debug/pprof/symbol             pprof's remote symbol lookup, answered with no
//                                        names: its request carries no pid, and the
//                                        profile already names its functions
// Each request asks the processes' daemons afresh (no cache), each with its own deadline,
// in parallel, so a stopped or hung process costs a scrape timeout_ms at most and is
// counted in bento_scrape_errors_total. Only GET and HEAD are served (and that one
// read-only POST).
//
// State shared between the server's threads: the error counters (atomics), nothing else.
#include <fmt/format.h>
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "client.h"
#include "exposition.h"
#include "heap_fetch.h"
#include "serve.h"

#ifndef BENTO_VERSION
#define BENTO_VERSION "unknown"
#endif

namespace bentoctl {

namespace {

// Why a process's answer is missing from a scrape: the label of bento_scrape_errors_total.
enum class ScrapeError { kTimeout, kUnreachable, kBadAnswer, kCount };
constexpr const char* kScrapeErrorNames[] = {"timeout", "unreachable", "bad_answer"};

class ScrapeErrors {
 public:
  void count(ScrapeError e) { counts_[static_cast<int>(e)].fetch_add(1, std::memory_order_relaxed); }
  std::vector<std::string> samples() const {
    std::vector<std::string> out;
    for (int i = 0; i < static_cast<int>(ScrapeError::kCount); ++i) {
      out.push_back(fmt::format("bento_scrape_errors_total{{reason=\"{}\"}} {}", kScrapeErrorNames[i],
                                counts_[i].load(std::memory_order_relaxed)));
    }
    return out;
  }

 private:
  std::atomic<std::uint64_t> counts_[static_cast<int>(ScrapeError::kCount)] = {};
};

std::string process_comm(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// "HOST:PORT" or "[V6]:PORT".
struct ListenAddress {
  std::string host;
  int port;
};
ListenAddress parse_listen(const std::string& s) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon + 1 == s.size()) {
    throw CtlError("--listen " + s + ": want HOST:PORT (e.g. 127.0.0.1:9464)", kExitUsage);
  }
  std::string host = s.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = s.substr(colon + 1);
  if (host.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoi(port) > 65535) {
    throw CtlError("--listen " + s + ": want HOST:PORT with a port from 0 to 65535", kExitUsage);
  }
  return {host, std::stoi(port)};
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A pid from a query parameter: digits only.
std::optional<int> parse_pid(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int pid = std::stoi(s);
  return pid > 0 ? std::optional<int>(pid) : std::nullopt;
}

constexpr const char* kSymbolPath = "/debug/pprof/symbol";

class Server {
 public:
  explicit Server(const ServeOptions& o) : client_(o.dir), options_(o) {}

  int run() {
    const ListenAddress at = parse_listen(options_.listen);
    if (!is_loopback(at.host)) {
      spdlog::warn("listening on {}: every process's statistics and heap profiles are readable from the network",
                   at.host);
    }
    routes();
    const int port = at.port == 0 ? http_.bind_to_any_port(at.host) : (http_.bind_to_port(at.host, at.port) ? at.port : -1);
    if (port < 0) throw CtlError(fmt::format("cannot listen on {}: {}", options_.listen, std::strerror(errno)));
    const std::string shown = at.host.find(':') != std::string::npos ? "[" + at.host + "]" : at.host;
    fmt::print("bentoctl serve: listening on http://{}:{}/\n", shown, port);
    std::fflush(stdout);
    std::thread stopper = stop_on_signal();
    const bool ok = http_.listen_after_bind();
    stopper.join();
    return ok ? kExitOk : kExitFailure;
  }

 private:
  // SIGINT and SIGTERM end the server cleanly: blocked in every thread, taken by sigwait.
  std::thread stop_on_signal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return std::thread([this, set] {
      int sig = 0;
      sigwait(&set, &sig);
      spdlog::debug("signal {}: stopping", sig);
      http_.stop();
    });
  }

  void routes() {
    http_.set_read_timeout(5, 0);
    http_.set_write_timeout(5, 0);
    http_.set_payload_max_length(64 * 1024);
    http_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
      if (req.method == "POST" && req.path == kSymbolPath) return httplib::Server::HandlerResponse::Unhandled;
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      res.set_content(fmt::format("method {} not allowed: bentoctl serve answers GET only\n", req.method), "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    });
    http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 404) {
        res.set_content(fmt::format("no such page: {} (try /, /metrics, /debug/pprof/heap?pid=N, /healthz)\n", req.path),
                        "text/plain");
      } else {
        res.set_content(fmt::format("HTTP {}: the request was refused\n", res.status), "text/plain");
      }
    });
    http_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      spdlog::debug("{} {} {} -> {} ({} bytes)", req.remote_addr, req.method, req.target, res.status, res.body.size());
    });
    http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    http_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
    http_.Get("/debug/pprof/heap", [this](const httplib::Request& req, httplib::Response& res) { heap(req, res); });
    // pprof posts "0xADDR+0xADDR..." here for the mappings it could not name itself.
    http_.Get(kSymbolPath, [](const httplib::Request&, httplib::Response& res) {
      res.set_content("num_symbols: 0\n", "text/plain");
    });
    http_.Post(kSymbolPath, [](const httplib::Request&, httplib::Response& res) { res.set_content("", "text/plain"); });
    http_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(index_page(), "text/html; charset=utf-8");
    });
  }

  // Every live process's exposition, fetched in parallel, then serve's own families.
  std::string metrics() {
    const auto start = std::chrono::steady_clock::now();
    const auto procs = client_.processes();
    std::vector<std::future<std::optional<std::string>>> answers;
    answers.reserve(procs.size());
    for (const auto& p : procs) {
      answers.push_back(std::async(std::launch::async, [this, p] { return dump_prometheus(p); }));
    }
    Exposition all;
    std::size_t answered = 0;
    for (auto& a : answers) {
      if (const auto text = a.get()) {
        all.add_text(*text);
        ++answered;
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    all.add_family("bento_scrape_errors_total",
                   "processes whose daemon did not answer a scrape, by reason (since bentoctl serve started)",
                   "counter", errors_.samples());
    all.add_family("bento_scrape_processes", "bento processes that answered this scrape", "gauge",
                   {fmt::format("bento_scrape_processes {}", answered)});
    all.add_family("bento_scrape_duration_seconds", "time this scrape took, all processes together", "gauge",
                   {fmt::format("bento_scrape_duration_seconds {:.6f}", seconds)});
    all.add_family("bento_serve_info", "the bentoctl serve answering (always 1)", "gauge",
                   {fmt::format("bento_serve_info{{version=\"{}\"}} 1", BENTO_VERSION)});
    return all.text();
  }

  std::optional<std::string> dump_prometheus(const Client::Process& p) {
    try {
      return client_.request_at(p.socket, "dump prometheus", options_.timeout_ms).body;
    } catch (const CtlTimeout& e) {
      spdlog::warn("pid {}: {}", p.pid, e.what());
      errors_.count(ScrapeError::kTimeout);
    } catch (const CtlUnreachable& e) {
      if (!process_alive(p.pid)) return std::nullopt;  // it exited since it was listed: it drops out
      spdlog::warn("pid {}: {}", p.pid, e.what());
      errors_.count(ScrapeError::kUnreachable);
    } catch (const CtlError& e) {
      if (!process_alive(p.pid)) return std::nullopt;
      spdlog::warn("pid {}: {}", p.pid, e.what());
      errors_.count(ScrapeError::kBadAnswer);
    }
    return std::nullopt;
  }

  void heap(const httplib::Request& req, httplib::Response& res) {
    auto fail = [&](int status, const std::string& why) {
      res.status = status;
      res.set_content(why + "\n", "text/plain");
    };
    const auto pid = parse_pid(req.get_param_value("pid"));
    if (!pid) return fail(400, "want /debug/pprof/heap?pid=N (N: a process id), got pid='" + req.get_param_value("pid") + "'");
    const std::string peak = req.has_param("peak") ? req.get_param_value("peak") : "0";
    if (peak != "0" && peak != "1") return fail(400, "peak=" + peak + ": want peak=0 or peak=1");
    bool served = false;
    for (const auto& p : client_.processes()) served = served || p.pid == *pid;
    if (!served) return fail(404, fmt::format("no bento process {} of this user serves a daemon", *pid));
    try {
      const HeapProfile profile = fetch_heap_profile(client_, *pid, peak == "1", options_.timeout_ms * 10);
      res.set_header("Content-Disposition", fmt::format("attachment; filename=\"heap-{}.pb.gz\"", *pid));
      res.set_header("X-Bento-Status", profile.status);
      res.set_content(profile.pprof, "application/octet-stream");
    } catch (const CtlTimeout& e) {
      errors_.count(ScrapeError::kTimeout);
      fail(504, e.what());
    } catch (const CtlError& e) {
      fail(502, e.what());
    }
  }

  std::string index_page() {
    std::string rows;
    for (const auto& p : client_.processes()) {
      std::string cmd = process_command(p.pid);
      if (cmd.size() > 120) cmd = cmd.substr(0, 117) + "...";
      rows += fmt::format(
          "<tr><td>{0}</td><td>{1}</td><td><code>{2}</code></td>"
          "<td><a href=\"/debug/pprof/heap?pid={0}\">heap</a> <a href=\"/debug/pprof/heap?pid={0}&amp;peak=1\">peak</a></td></tr>\n",
          p.pid, html_escape(process_comm(p.pid)), html_escape(cmd));
    }
    return fmt::format(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>bento processes</title></head><body>\n"
        "<h1>bento processes of this user</h1>\n<p><a href=\"/metrics\">/metrics</a> (Prometheus) &middot; "
        "<a href=\"/healthz\">/healthz</a> &middot; bentoctl {}</p>\n"
        "<table border=\"1\" cellpadding=\"4\">\n<tr><th>pid</th><th>comm</th><th>command</th><th>heap profile "
        "(pprof)</th></tr>\n{}</table>\n</body></html>\n",
        BENTO_VERSION, rows.empty() ? "<tr><td colspan=\"4\">none</td></tr>\n" : rows);
  }

  Client client_;
  ServeOptions options_;
  httplib::Server http_;
  ScrapeErrors errors_;
};

}  // namespace

int serve(const ServeOptions& o) {
  if (o.timeout_ms <= 0) throw CtlError("--timeout-ms must be positive", kExitUsage);
  Server server(o);
  return server.run();
}

}  // namespace bentoctl
