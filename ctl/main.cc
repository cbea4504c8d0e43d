// ctl/main.cc: bentoctl's command line (CLI11) and logging (spdlog, -v for debug).
// Exit codes: exit_codes.h (0 ok, 1 failure, 2 usage, 3-9 what the daemon said).
// BENTO_VERSION is meson's project version (ctl/meson.build).
#include <spdlog/sinks/stdout_color_sinks.h>  // also declares stderr_color_mt
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>

#include "commands.h"

#ifndef BENTO_VERSION
#define BENTO_VERSION "unknown"
#endif

namespace {

// `serve`'s options are bentoctl-serve's own (serve_main.cc): when the command is serve,
// the arguments around it (the global -v and --dir, which bentoctl-serve takes too, and
// serve's) go there as they are.
std::vector<std::string> serve_arguments(int argc, char** argv, bool* is_serve) {
  *is_serve = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      args.insert(args.end(), {a, argv[++i]});
    } else if (a == "-v" || a == "--verbose" || a.rfind("--dir=", 0) == 0) {
      args.push_back(a);
    } else {
      *is_serve = a == "serve";
      if (*is_serve) args.insert(args.end(), argv + i + 1, argv + argc);
      break;
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bentoctl;
  bool is_serve = false;
  const auto serve_args = serve_arguments(argc, argv, &is_serve);
  if (is_serve) {
    try {
      return cmd_serve(serve_args);
    } catch (const CtlError& e) {
      std::fprintf(stderr, "bentoctl: %s\n", e.what());
      return e.exit_code;
    }
  }
  CLI::App app{"bentoctl: look inside and tune a running bento process"};
  app.require_subcommand(1);
  app.fallthrough();  // -v and --dir work before or after the command
  Common common;
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log what bentoctl does (to stderr)");
  app.add_option("--dir", common.dir, "socket directory (default: $XDG_RUNTIME_DIR/bento, then /tmp/bento-<uid>)");
  app.set_version_flag("--version", std::string("bentoctl ") + BENTO_VERSION, "print bentoctl's version and exit");

  std::string conf;
  bool stats = false;
  std::vector<std::string> command;
  auto* run = app.add_subcommand("run", "run a command with bento preloaded and its daemon on");
  run->add_option("--conf", conf, "more BENTO_CONF options, K:V,K:V");
  run->add_flag("--stats", stats, "print bento's statistics report when the command exits");
  run->add_option("command", command, "the command and its arguments (after --)")->required();

  auto* ps = app.add_subcommand("ps", "list this user's processes that serve a bento daemon");
  ps->add_flag("--json", common.json, "JSON output");

  int pid = 0;
  std::vector<std::string> names;
  auto* get = app.add_subcommand("get", "read mallctl names from a process");
  get->add_option("pid", pid, "process id")->required();
  get->add_option("names", names, "mallctl names")->required();
  get->add_flag("--json", common.json, "JSON output");

  std::string prefix;
  auto* list = app.add_subcommand("list", "list the mallctl names a process answers");
  list->add_option("pid", pid, "process id")->required();
  list->add_option("prefix", prefix, "only names starting with this");
  list->add_flag("--json", common.json, "JSON output");

  std::string name, value;
  auto* set = app.add_subcommand("set", "write a mallctl name in a process (e.g. arena.4096.purge)");
  set->add_option("pid", pid, "process id")->required();
  set->add_option("name", name, "a writable mallctl name")->required();
  set->add_option("value", value, "the value (none for actions such as purge, nor for write-only names)");
  set->add_flag("--json", common.json, "JSON output");

  auto* dump = app.add_subcommand("dump", "print a process's statistics report");
  dump->add_option("pid", pid, "process id")->required();
  dump->add_flag("--json", common.json, "the JSON report");

  double interval = 1.0;
  int iterations = 0;
  auto* top = app.add_subcommand("top", "live per-arena table, refreshed every second");
  top->add_option("pid", pid, "process id")->required();
  top->add_option("-i,--interval", interval, "seconds between refreshes")->check(CLI::PositiveNumber);
  top->add_option("-n,--iterations", iterations, "stop after this many refreshes (0: never)");
  top->add_flag("--json", common.json, "one JSON object per refresh");

  auto* metrics = app.add_subcommand("metrics", "Prometheus text exposition of a process's statistics");
  metrics->add_option("pid", pid, "process id")->required();

  std::string output;
  auto* map = app.add_subcommand("map", "draw a process's heap, one row per chunk, as SVG");
  map->add_option("pid", pid, "process id")->required();
  map->add_option("-o,--output", output, "SVG file to write");
  map->add_flag("--json", common.json, "the page states as JSON (on stdout)");

  std::string heap_output;
  bool heap_peak = false, heap_top = false, heap_live = false;
  int heap_count = 20;
  auto* heap = app.add_subcommand("heap", "a process's heap profile: who holds the memory (pprof file, or the top sites)");
  heap->add_option("pid", pid, "process id")->required();
  heap->add_option("-o,--output", heap_output, "write the profile here (gzipped profile.proto: go tool pprof, speedscope, Perfetto)");
  heap->add_flag("--peak", heap_peak, "the live set at the highest mark so far, instead of now");
  heap->add_flag("--top", heap_top, "print the largest call sites, with function names");
  heap->add_flag("--live", heap_live, "print the largest sampled objects still live: size, thread, age, call site");
  heap->add_option("-n,--count", heap_count, "how many sites --top (or samples --live) prints")->check(CLI::PositiveNumber);
  heap->add_flag("--json", common.json, "the sites (or the file written) as JSON");

  auto* serve = app.add_subcommand("serve", "one HTTP endpoint for all of this user's bento processes: "
                                            "/metrics (Prometheus), /debug/pprof/heap?pid=N (pprof); "
                                            "bentoctl serve --help shows its options");
  (void)serve;  // listed for --help; run before parsing (below)

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // No command recognised, but a word where it should be: name it, rather than
    // CLI11's "A subcommand is required" or "arguments were not expected".
    if (app.get_subcommands().empty()) {
      for (const auto& word : app.remaining()) {
        if (word.empty() || word[0] == '-') continue;
        std::string known;
        const std::function<bool(const CLI::App*)> every = [](const CLI::App*) { return true; };
        for (const auto* sub : std::as_const(app).get_subcommands(every)) known += (known.empty() ? "" : ", ") + sub->get_name();
        std::fprintf(stderr, "bentoctl: unknown command '%s' (commands: %s; see bentoctl --help)\n", word.c_str(),
                     known.c_str());
        return kExitUsage;
      }
    }
    app.exit(e);
    return kExitUsage;
  }

  auto log = spdlog::stderr_color_mt("bentoctl");
  spdlog::set_default_logger(log);
  spdlog::set_pattern("bentoctl: %^%l%$: %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::warn);

  try {
    if (*run) return cmd_run(conf, stats, command);
    if (*ps) return cmd_ps(common);
    if (*get) return cmd_get(common, pid, names);
    if (*list) return cmd_list(common, pid, prefix);
    if (*set) return cmd_set(common, pid, name, value);
    if (*dump) return cmd_dump(common, pid);
    if (*top) return cmd_top(common, pid, interval, iterations);
    if (*metrics) return cmd_metrics(common, pid);
    if (*map) return cmd_map(common, pid, output);
    if (*heap) return cmd_heap(common, pid, heap_output, heap_peak, heap_top, heap_live, heap_count);
  } catch (const CtlError& e) {
    std::fprintf(stderr, "bentoctl: %s\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bentoctl: %s\n", e.what());
    return kExitFailure;
  }
  return kExitUsage;
}
