// ctl/commands.cc: what each bentoctl command does with the daemon's answers.
#include "commands.h"
#include "text.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "heap_svg.h"

#ifndef BENTO_INSTALL_LIBDIR
#define BENTO_INSTALL_LIBDIR ""
#endif

namespace bentoctl {

namespace {

// "NAME VALUE" lines of a get answer, in order.
std::vector<std::pair<std::string, std::string>> name_values(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& l : lines(body)) {
    const auto sp = l.find(' ');
    out.emplace_back(l.substr(0, sp), sp == std::string::npos ? "" : l.substr(sp + 1));
  }
  return out;
}

// A value as JSON: numbers and booleans as such, anything else a string.
nlohmann::json json_value(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (!v.empty() && end == v.c_str() + v.size()) return n;
  return v;
}

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
  if (command.empty()) throw CtlError("run needs a command after --", 2);
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
  throw CtlError(fmt::format("cannot run {}: {}", command[0], std::strerror(errno)), 127);
}

int cmd_ps(const Common& c) {
  const Client client(c.dir);
  std::vector<std::string> cleaned;
  const auto procs = client.processes(&cleaned);
  nlohmann::json out = nlohmann::json::array();
  if (!c.json) fmt::print("{:>8} {:>7} {:>12} {:>12}  {}\n", "PID", "ARENAS", "RESIDENT", "ALLOCATED", "COMMAND");
  for (const auto& p : procs) {
    std::map<std::string, std::string> v;
    try {
      for (auto& [k, val] : name_values(client.request_at(p.socket, "get arenas.narenas stats.resident stats.allocated").body)) v[k] = val;
    } catch (const CtlError& e) {
      spdlog::warn("pid {}: {}", p.pid, e.what());
      continue;
    }
    std::string cmd = process_command(p.pid);
    if (cmd.size() > 80 && !c.json) cmd = cmd.substr(0, 77) + "...";
    if (c.json) {
      out.push_back({{"pid", p.pid}, {"command", cmd}, {"socket", p.socket},
                     {"arenas", json_value(v["arenas.narenas"])}, {"resident", json_value(v["stats.resident"])},
                     {"allocated", json_value(v["stats.allocated"])}});
    } else {
      fmt::print("{:>8} {:>7} {:>12} {:>12}  {}\n", p.pid, v["arenas.narenas"],
                 human_bytes(std::atof(v["stats.resident"].c_str())),
                 human_bytes(std::atof(v["stats.allocated"].c_str())), cmd);
    }
  }
  if (c.json) fmt::print("{}\n", out.dump());
  for (const auto& s : cleaned) spdlog::info("cleaned {}", s);
  return 0;
}

int cmd_get(const Common& c, int pid, const std::vector<std::string>& names) {
  if (names.empty()) throw CtlError("get needs at least one name", 2);
  std::string req = "get";
  for (const auto& n : names) req += " " + n;
  const auto values = name_values(Client(c.dir).request(pid, req).body);
  int rc = 0;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values) {
    if (value.rfind("error ", 0) == 0) {
      fmt::print(stderr, "bentoctl: {}: {}\n", name, value.substr(6));
      rc = 1;
      continue;
    }
    if (c.json) out[name] = json_value(value);
    else fmt::print("{} {}\n", name, value);
  }
  if (c.json) fmt::print("{}\n", out.dump());
  return rc;
}

int cmd_list(const Common& c, int pid, const std::string& prefix) {
  const auto body = Client(c.dir).request(pid, "list " + prefix).body;
  if (!c.json) {
    fmt::print("{}", body);
    return 0;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : lines(body)) {
    std::istringstream in(l);
    std::string name, type, access, more;
    in >> name >> type;
    while (in >> more) {  // "const char *" has spaces: the access is the last word
      if (!access.empty()) type += " " + access;
      access = more;
    }
    out.push_back({{"name", name}, {"type", type}, {"access", access}});
  }
  fmt::print("{}\n", out.dump());
  return 0;
}

int cmd_set(const Common& c, int pid, const std::string& name, const std::string& value) {
  Client(c.dir).request(pid, "set " + name + (value.empty() ? "" : " " + value));
  if (c.json) fmt::print("{}\n", nlohmann::json{{"name", name}, {"value", value}, {"ok", true}}.dump());
  else fmt::print("{} set{}\n", name, value.empty() ? "" : " to " + value);
  return 0;
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
  if (output.empty()) throw CtlError("map needs -o FILE.svg (or --json)", 2);
  std::ofstream f(output);
  f << render_svg(map, pid);
  if (!f) throw CtlError("cannot write " + output);
  if (!c.json) fmt::print("{}: {} chunks, {} huge objects\n", output, map.chunks.size(), map.huge.size());
  return 0;
}

int cmd_top(const Common& c, int pid, double interval_s, int iterations) {
  const Client client(c.dir);
  const bool tty = ::isatty(1) != 0 && !c.json;
  struct Prev {
    double requests, trylock_failures, wait_ns;
  };
  std::map<std::string, Prev> prev;
  auto last = std::chrono::steady_clock::now();
  std::string cmd = process_command(pid);
  if (cmd.size() > 60) cmd = cmd.substr(0, 57) + "...";
  for (int it = 0; iterations <= 0 || it < iterations; ++it) {
    if (it > 0) std::this_thread::sleep_for(std::chrono::duration<double>(interval_s));
    const auto doc = dump_json(client, pid, "b");
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    last = now;
    const auto& st = doc.at("bento").at("stats");
    nlohmann::json frame = {{"pid", pid}, {"resident", st.at("resident")}, {"allocated", st.at("allocated")},
                            {"threads", st.at("threads")}, {"arenas", nlohmann::json::array()}};
    std::string text = fmt::format("bento top: pid {} ({})  resident {}  allocated {}  threads {}\n", pid, cmd,
                                   human_bytes(st.at("resident").get<double>()),
                                   human_bytes(st.at("allocated").get<double>()), st.at("threads").get<int>());
    text += fmt::format("{:>6} {:>7} {:>6} {:>9} {:>12} {:>14} {:>10} {:>12} {:>11}\n", "ARENA", "THREADS", "CHUNKS",
                        "OCCUPANCY", "ALLOCS/S", "TRYLOCK FAIL/S", "WAIT MS/S", "MAX WAIT US", "DIRTY PAGES");
    for (const auto& [index, a] : doc.at("bento").at("stats.arenas").items()) {
      const double requests = a.at("small").at("nrequests").get<double>() + a.at("large").at("nrequests").get<double>() +
                              a.at("huge").at("nrequests").get<double>();
      const auto& con = a.at("contention");
      const Prev cur{requests, con.at("trylock_failures").get<double>(), con.at("wait_ns").get<double>()};
      const auto p = prev.find(index);
      const bool have = p != prev.end() && dt > 0;
      const double rate = have ? (cur.requests - p->second.requests) / dt : 0;
      const double fails = have ? (cur.trylock_failures - p->second.trylock_failures) / dt : 0;
      const double wait_ms = have ? (cur.wait_ns - p->second.wait_ns) / dt / 1e6 : 0;
      prev[index] = cur;
      text += fmt::format("{:>6} {:>7} {:>6} {:>8.1f}% {:>12.0f} {:>14.0f} {:>10.2f} {:>12.1f} {:>11}\n",
                          index == "merged" ? "all" : index,
                          a.at("nthreads").get<int>(), a.at("chunks").get<long>(), a.at("occupancy").get<double>() / 10,
                          rate, fails, wait_ms, con.at("max_wait_ns").get<double>() / 1000, a.at("pdirty").get<long>());
      frame["arenas"].push_back({{"arena", index}, {"threads", a.at("nthreads")}, {"chunks", a.at("chunks")},
                                 {"occupancy_permille", a.at("occupancy")}, {"allocs_per_s", rate},
                                 {"trylock_failures_per_s", fails}, {"wait_ms_per_s", wait_ms},
                                 {"max_wait_ns", con.at("max_wait_ns")}, {"dirty_pages", a.at("pdirty")}});
    }
    if (c.json) {
      fmt::print("{}\n", frame.dump());
    } else if (tty) {
      fmt::print("\x1b[H\x1b[2J{}", text);
    } else {
      fmt::print("{}\n", text);
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace bentoctl
