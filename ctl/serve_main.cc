// ctl/serve_main.cc: bentoctl-serve, the program behind `bentoctl serve`: its command line
// (CLI11) and logging (spdlog). It is a program of its own so that cpp-httplib and the
// libraries it links (OpenSSL, brotli: 3 ms of loading) are not loaded by every other
// bentoctl command.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "client.h"
#include "serve.h"

#ifndef BENTO_VERSION
#define BENTO_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace bentoctl;
  CLI::App app{"bentoctl serve: one HTTP endpoint for all of this user's bento processes: /metrics (Prometheus), "
               "/debug/pprof/heap?pid=N (pprof), / (the processes), /healthz",
               "bentoctl serve"};
  ServeOptions o;
  bool verbose = false;
  app.add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:9464, loopback; port 0 picks a free one)");
  app.add_option("--timeout-ms", o.timeout_ms, "how long one process may take to answer, in ms (default 1000)")
      ->check(CLI::PositiveNumber);
  app.add_option("--dir", o.dir, "socket directory (default: $XDG_RUNTIME_DIR/bento, then /tmp/bento-<uid>)");
  app.add_flag("-v,--verbose", verbose, "log every request (to stderr)");
  app.set_version_flag("--version", std::string("bentoctl ") + BENTO_VERSION);
  app.footer(
      "Prometheus scrapes it with, in prometheus.yml:\n"
      "  scrape_configs:\n"
      "    - job_name: bento\n"
      "      static_configs:\n"
      "        - targets: ['127.0.0.1:9464']\n"
      "A heap profile: go tool pprof http://127.0.0.1:9464/debug/pprof/heap?pid=PID (&peak=1: at the peak).\n"
      "As a service: systemctl --user enable --now bentoctl-serve (the unit is installed with bentoctl).");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  auto log = spdlog::stderr_color_mt("bentoctl");
  spdlog::set_default_logger(log);
  spdlog::set_pattern("bentoctl serve: %^%l%$: %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
  try {
    return serve(o);
  } catch (const CtlError& e) {
    std::fprintf(stderr, "bentoctl serve: %s\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bentoctl serve: %s\n", e.what());
    return kExitFailure;
  }
}
