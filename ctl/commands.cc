// ctl/commands.cc: what each bentoctl command does with the daemon's answers.
#include "commands.h"
#include "text.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "heap_svg.h"
#include "terminal.h"

#ifndef BENTO_INSTALL_LIBDIR
#define BENTO_INSTALL_LIBDIR ""
#endif

namespace bentoctl {

namespace {

// A typed answer that reports a failure, its message and its exit code.
bool failed(const nlohmann::ordered_json& a) { return a.contains("error"); }
std::string failure_text(const nlohmann::ordered_json& a) {
  return fmt::format("{} ({})", a.value("message", "failed"), a.value("error", "?"));
}
int failure_code(const nlohmann::ordered_json& a) { return exit_for_reason(a.value("reason", "")); }

// A typed value for people: strings as they are, numbers and booleans as JSON has them.
std::string human(const nlohmann::ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool file_exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

nlohmann::json dump_json(const Client& client, int pid, const char* letters) {
  const Response r = client.request(pid, std::string("dump json ") + letters);
  return nlohmann::json::parse(r.body);
}

}  // namespace

std::string find_library() {
  if (const char* env = std::getenv("BENTO_LIB"); env != nullptr && env[0] != '\0') {
    if (!file_exists(env)) throw CtlError(fmt::format("BENTO_LIB={}: no such file", env));
    return env;
  }
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  std::vector<std::string> candidates;
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    candidates.push_back(dir + "/../src/libbento.so");  // the build tree
    candidates.push_back(dir + "/../lib/libbento.so");
  }
  if (std::string(BENTO_INSTALL_LIBDIR).size() != 0) candidates.push_back(std::string(BENTO_INSTALL_LIBDIR) + "/libbento.so");
  for (const auto& c : candidates) {
    spdlog::debug("looking for libbento at {}", c);
    if (file_exists(c)) {
      char real[4096];
      return ::realpath(c.c_str(), real) != nullptr ? std::string(real) : c;
    }
  }
  throw CtlError("cannot find libbento.so next to bentoctl: set BENTO_LIB to its path");
}

int cmd_run(const std::string& conf, bool stats, const std::vector<std::string>& command) {
  if (command.empty()) throw CtlError("run needs a command after --", kExitUsage);
  const std::string lib = find_library();
  std::string preload = lib;
  if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && old[0] != '\0') preload += std::string(":") + old;
  std::string bconf;
  if (const char* old = std::getenv("BENTO_CONF"); old != nullptr && old[0] != '\0') bconf = std::string(old) + ",";
  bconf += "daemon:true";
  if (stats) bconf += ",stats_print:true";
  if (!conf.empty()) bconf += "," + conf;
  ::setenv("LD_PRELOAD", preload.c_str(), 1);
  ::setenv("BENTO_CONF", bconf.c_str(), 1);
  spdlog::debug("exec {} with LD_PRELOAD={} BENTO_CONF={}", command[0], preload, bconf);
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  throw CtlError(fmt::format("cannot run {}: {}", command[0], std::strerror(errno)), kExitCannotRun);
}

int cmd_serve(const std::vector<std::string>& args) {
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) throw CtlError("cannot find bentoctl's own path (/proc/self/exe)");
  exe[n] = '\0';
  std::string path(exe);
  path = path.substr(0, path.rfind('/')) + "/bentoctl-serve";
  std::vector<std::string> argv_text = {path};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  throw CtlError(fmt::format("cannot run {}: {} (it is installed beside bentoctl)", path, std::strerror(errno)),
                 kExitCannotRun);
}

int cmd_ps(const Common& c) {
  const Client client(c.dir);
  std::vector<std::string> cleaned;
  const auto procs = client.processes(&cleaned);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  if (!c.json) fmt::print("{:>8} {:>7} {:>12} {:>12}  {}\n", "PID", "ARENAS", "RESIDENT", "ALLOCATED", "COMMAND");
  for (const auto& p : procs) {
    std::map<std::string, nlohmann::ordered_json> v;
    try {
      for (const auto& a : client.typed_at(p.socket, "get arenas.narenas stats.resident stats.allocated")) {
        v[a.at("name").get<std::string>()] = failed(a) ? nlohmann::ordered_json() : a.at("value");
      }
    } catch (const CtlError& e) {
      spdlog::warn("pid {}: {}", p.pid, e.what());
      continue;
    }
    auto number = [&](const char* n) { return v[n].is_number() ? v[n].get<double>() : 0.0; };
    std::string cmd = process_command(p.pid);
    if (cmd.size() > 80 && !c.json) cmd = cmd.substr(0, 77) + "...";
    if (c.json) {
      out.push_back({{"pid", p.pid}, {"command", cmd}, {"socket", p.socket}, {"arenas", v["arenas.narenas"]},
                     {"resident", v["stats.resident"]}, {"allocated", v["stats.allocated"]}});
    } else {
      fmt::print("{:>8} {:>7} {:>12} {:>12}  {}\n", p.pid, human(v["arenas.narenas"]),
                 human_bytes(number("stats.resident")), human_bytes(number("stats.allocated")), cmd);
    }
  }
  if (c.json) fmt::print("{}\n", out.dump());
  for (const auto& s : cleaned) spdlog::info("cleaned {}", s);
  return 0;
}

int cmd_get(const Common& c, int pid, const std::vector<std::string>& names) {
  if (names.empty()) throw CtlError("get needs at least one name", kExitUsage);
  std::string req = "get";
  for (const auto& n : names) req += " " + n;
  // In request order; the exit code is the first failure's.
  int rc = kExitOk;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& a : Client(c.dir).typed(pid, req)) {
    const auto name = a.at("name").get<std::string>();
    if (failed(a)) {
      fmt::print(stderr, "bentoctl: {}\n", failure_text(a));
      if (rc == kExitOk) rc = failure_code(a);
      continue;
    }
    if (c.json) out[name] = a.at("value");
    else fmt::print("{} {}\n", name, human(a.at("value")));
  }
  if (c.json) fmt::print("{}\n", out.dump());
  return rc;
}

int cmd_list(const Common& c, int pid, const std::string& prefix) {
  const auto nodes = Client(c.dir).typed(pid, "list " + prefix);
  if (nodes.empty() && c.json) fmt::print("[]\n");
  if (nodes.empty()) throw CtlError(fmt::format("pid {} has no mallctl name starting with '{}'", pid, prefix));
  if (c.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& n : nodes) {
      out.push_back({{"name", n.at("name")}, {"type", n.at("type")}, {"access", n.at("access")}});
    }
    fmt::print("{}\n", out.dump());
    return kExitOk;
  }
  std::size_t width = 0, type_width = 0;
  for (const auto& n : nodes) {
    width = std::max(width, n.at("name").get<std::string>().size());
    type_width = std::max(type_width, n.at("type").get<std::string>().size());
  }
  for (const auto& n : nodes) {
    fmt::print("{:<{}}  {:<{}}  {}\n", n.at("name").get<std::string>(), width, n.at("type").get<std::string>(),
               type_width, n.at("access").get<std::string>());
  }
  return kExitOk;
}

int cmd_set(const Common& c, int pid, const std::string& name, const std::string& value) {
  const auto answers = Client(c.dir).typed(pid, "set " + name + (value.empty() ? "" : " " + value));
  if (answers.size() != 1) throw CtlError(fmt::format("unexpected answer to set {}: {} lines", name, answers.size()));
  const auto& a = answers[0];
  if (failed(a)) throw CtlError(failure_text(a), failure_code(a));
  if (c.json) {
    nlohmann::ordered_json out = a;
    out["ok"] = true;
    fmt::print("{}\n", out.dump());
  } else if (a.contains("value")) {
    fmt::print("{} set to {}\n", name, human(a.at("value")));
  } else {
    fmt::print("{} done\n", name);
  }
  return kExitOk;
}

int cmd_dump(const Common& c, int pid) {
  const auto r = Client(c.dir).request(pid, c.json ? "dump json" : "dump text");
  fmt::print("{}", r.body);
  return 0;
}

int cmd_metrics(const Common& c, int pid) {
  // The exposition is written in the process, from the stat table (stats/emitter.h).
  fmt::print("{}", Client(c.dir).request(pid, "dump prometheus").body);
  return 0;
}

int cmd_map(const Common& c, int pid, const std::string& output) {
  const HeapMap map = parse_map(Client(c.dir).request(pid, "map").body);
  if (c.json) {
    nlohmann::json out = {{"pid", pid}, {"chunks", nlohmann::json::array()}, {"huge", nlohmann::json::array()}};
    for (const auto& r : map.chunks) out["chunks"].push_back({{"arena", r.arena}, {"address", r.address}, {"pages", r.pages}});
    for (const auto& h : map.huge) out["huge"].push_back({{"arena", h.arena}, {"address", h.address}, {"bytes", h.bytes}});
    fmt::print("{}\n", out.dump());
    if (output.empty()) return 0;
  }
  if (output.empty()) throw CtlError("map needs -o FILE.svg (or --json)", kExitUsage);
  std::ofstream f(output);
  f << render_svg(map, pid);
  if (!f) throw CtlError("cannot write " + output);
  if (!c.json) fmt::print("{}: {} chunks, {} huge objects\n", output, map.chunks.size(), map.huge.size());
  return 0;
}

namespace {
// One reading of the daemon's report, and when it was taken.
struct TopSample {
  nlohmann::json doc;
  std::chrono::steady_clock::time_point at;
};

TopSample top_sample(const Client& client, int pid) {
  TopSample s{dump_json(client, pid, "b"), {}};
  s.at = std::chrono::steady_clock::now();
  return s;
}

// The arenas of a report in number order ("0", "1", ..., "10"), the merged view last.
std::vector<std::string> arenas_in_order(const nlohmann::json& arenas) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : arenas.items()) keys.push_back(k);
  auto number = [](const std::string& k) {
    const bool digits = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? std::stoull(k) : ~0ULL;
  };
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) { return number(a) < number(b); });
  return keys;
}

double arena_requests(const nlohmann::json& a) {
  return a.at("small").at("nrequests").get<double>() + a.at("large").at("nrequests").get<double>() +
         a.at("huge").at("nrequests").get<double>();
}

// One frame: the state in `cur`, the rates since `prev`. Fills `frame` (JSON) and
// returns the text.
std::string top_frame(int pid, const std::string& cmd, const TopSample& prev, const TopSample& cur,
                      nlohmann::json& frame) {
  const double dt = std::chrono::duration<double>(cur.at - prev.at).count();
  const auto& st = cur.doc.at("bento").at("stats");
  const auto& before = prev.doc.at("bento").at("stats.arenas");
  frame = {{"pid", pid}, {"resident", st.at("resident")}, {"allocated", st.at("allocated")},
           {"threads", st.at("threads")}, {"interval_s", dt}, {"arenas", nlohmann::json::array()}};
  std::string text = fmt::format("bento top: pid {} ({})  resident {}  allocated {}  threads {}\n", pid, cmd,
                                 human_bytes(st.at("resident").get<double>()),
                                 human_bytes(st.at("allocated").get<double>()), st.at("threads").get<int>());
  text += fmt::format("{:>6} {:>7} {:>6} {:>9} {:>12} {:>14} {:>10} {:>12} {:>11}\n", "ARENA", "THREADS", "CHUNKS",
                      "OCCUPANCY", "ALLOCS/S", "TRYLOCK FAIL/S", "WAIT MS/S", "MAX WAIT US", "DIRTY PAGES");
  const auto& arenas = cur.doc.at("bento").at("stats.arenas");
  for (const std::string& index : arenas_in_order(arenas)) {
    const auto& a = arenas.at(index);
    const auto& con = a.at("contention");
    double rate = 0, fails = 0, wait_ms = 0;
    if (before.contains(index) && dt > 0) {
      const auto& b = before.at(index);
      const auto& bcon = b.at("contention");
      rate = (arena_requests(a) - arena_requests(b)) / dt;
      fails = (con.at("trylock_failures").get<double>() - bcon.at("trylock_failures").get<double>()) / dt;
      wait_ms = (con.at("wait_ns").get<double>() - bcon.at("wait_ns").get<double>()) / dt / 1e6;
    }
    text += fmt::format("{:>6} {:>7} {:>6} {:>8.1f}% {:>12.0f} {:>14.0f} {:>10.2f} {:>12.1f} {:>11}\n",
                        index == "merged" ? "all" : index, a.at("nthreads").get<int>(), a.at("chunks").get<long>(),
                        a.at("occupancy").get<double>() / 10, rate, fails, wait_ms,
                        con.at("max_wait_ns").get<double>() / 1000, a.at("pdirty").get<long>());
    frame["arenas"].push_back({{"arena", index}, {"threads", a.at("nthreads")}, {"chunks", a.at("chunks")},
                               {"occupancy_permille", a.at("occupancy")}, {"allocs_per_s", rate},
                               {"trylock_failures_per_s", fails}, {"wait_ms_per_s", wait_ms},
                               {"max_wait_ns", con.at("max_wait_ns")}, {"dirty_pages", a.at("pdirty")}});
  }
  return text;
}
}  // namespace

// Rates need two readings: the first frame comes a short while (200 ms, or the interval
// if shorter) after a first sample. On a terminal, keys are read between frames.
int cmd_top(const Common& c, int pid, double interval_s, int iterations) {
  const Client client(c.dir);
  KeyReader keys;
  const bool redraw = ::isatty(STDOUT_FILENO) != 0 && !c.json;
  std::string cmd = process_command(pid);
  if (cmd.size() > 60) cmd = cmd.substr(0, 57) + "...";
  const std::string footer = fmt::format("q quit   space refresh now   (every {:g} s)", interval_s);
  TopSample prev = top_sample(client, pid);
  std::optional<char> key = keys.wait_key(std::chrono::duration<double>(std::min(0.2, interval_s)));
  for (int it = 0; (iterations <= 0 || it < iterations) && key != 'q' && key != 'Q'; ++it) {
    const TopSample cur = top_sample(client, pid);
    nlohmann::json frame;
    const std::string text = top_frame(pid, cmd, prev, cur, frame);
    prev = cur;
    if (c.json) {
      fmt::print("{}\n", frame.dump());
    } else if (redraw) {
      fmt::print("\x1b[H\x1b[2J{}{}\n", text, keys.interactive() ? "\n" + footer : "");
    } else {
      fmt::print("{}\n", text);
    }
    std::fflush(stdout);
    if (iterations > 0 && it + 1 >= iterations) break;
    key = keys.wait_key(std::chrono::duration<double>(interval_s));
  }
  return 0;
}

}  // namespace bentoctl
