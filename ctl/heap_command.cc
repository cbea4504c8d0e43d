// ctl/heap_command.cc: `bentoctl heap`, the heap profile of a running process through its
// daemon: the pprof file (-o), or the largest call sites named here (--top). The daemon
// side is src/daemon/heap_profile.h.
#include <fmt/format.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "heap_fetch.h"
#include "symbolizer.h"
#include "text.h"

namespace bentoctl {

namespace {

// "key=value" words of the status line.
std::string status_field(const std::string& status, const std::string& key) {
  std::istringstream in(status);
  for (std::string w; in >> w;) {
    if (w.rfind(key + "=", 0) == 0) return w.substr(key.size() + 1);
  }
  return "";
}

void warn_if_inactive(const std::string& status, int pid) {
  if (status_field(status, "active") == "0") {
    fmt::print(stderr,
               "bentoctl: sampling is off in pid {} (prof.active is false): the profile holds only what was sampled "
               "before; switch it on with: bentoctl set {} prof.active true\n",
               pid, pid);
  }
}

struct Site {
  std::uint64_t inuse_bytes, inuse_objects, alloc_bytes, alloc_objects, size;
  std::vector<std::uint64_t> pcs;
};

Site parse_site(const std::string& line) {
  std::istringstream in(line);
  std::string tag;
  Site s{};
  in >> tag >> s.inuse_bytes >> s.inuse_objects >> s.alloc_bytes >> s.alloc_objects >> s.size;
  if (tag != "site" || !in) throw CtlError("unexpected line from the daemon: " + line);
  for (std::string pc; in >> pc;) s.pcs.push_back(std::stoull(pc, nullptr, 16));
  return s;
}

struct LiveSample {
  std::uint64_t address, requested, size, age_ms;
  int tid;
  std::vector<std::uint64_t> pcs;
};

LiveSample parse_live(const std::string& line) {
  std::istringstream in(line);
  std::string tag, address;
  LiveSample s{};
  in >> tag >> address >> s.requested >> s.size >> s.tid >> s.age_ms;
  if (tag != "sample" || !in) throw CtlError("unexpected line from the daemon: " + line);
  s.address = std::stoull(address, nullptr, 16);
  for (std::string pc; in >> pc;) s.pcs.push_back(std::stoull(pc, nullptr, 16));
  return s;
}

std::string call_site(const Symbolizer& sym, const std::vector<std::uint64_t>& pcs) {
  std::string where;
  for (std::size_t i = 0; i < pcs.size() && i < 4; ++i) {
    if (i > 0) where += " < ";
    where += sym.name(pcs[i]);
  }
  return pcs.empty() ? "(no stack)" : where;
}

int print_live(const Common& c, const Client& client, int pid, int count) {
  const Response r = client.request(pid, fmt::format("heap live {}", count), 30000);
  warn_if_inactive(r.status, pid);
  std::vector<LiveSample> samples;
  for (const auto& l : lines(r.body)) samples.push_back(parse_live(l));
  const Symbolizer sym(pid);
  if (c.json) {
    nlohmann::json out = {{"pid", pid}, {"samples", nlohmann::json::array()}};
    for (const auto& s : samples) {
      nlohmann::json frames = nlohmann::json::array();
      for (auto pc : s.pcs) frames.push_back(sym.name(pc));
      out["samples"].push_back({{"address", fmt::format("{:#x}", s.address)}, {"requested", s.requested},
                                {"size", s.size}, {"thread", s.tid}, {"age_ms", s.age_ms}, {"frames", frames}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("bento heap: pid {} ({}), sampled objects still live, the largest requests first\n", pid,
             process_command(pid).substr(0, 60));
  fmt::print("{:>16} {:>10} {:>8} {:>8} {:>9}  {}\n", "ADDRESS", "REQUESTED", "SIZE", "THREAD", "AGE S",
             "CALL SITE (innermost first)");
  for (const auto& s : samples) {
    fmt::print("{:>#16x} {:>10} {:>8} {:>8} {:>9.1f}  {}\n", s.address, s.requested, s.size, s.tid,
               static_cast<double>(s.age_ms) / 1000, call_site(sym, s.pcs));
  }
  return 0;
}

}  // namespace

int cmd_heap(const Common& c, int pid, const std::string& output, bool peak, bool top, bool live, int count) {
  if (output.empty() && !top && !live) throw CtlError("heap needs -o FILE (a pprof profile), --top or --live", kExitUsage);
  const Client client(c.dir);
  if (live) return print_live(c, client, pid, count);
  if (!output.empty()) {
    const HeapProfile profile = fetch_heap_profile(client, pid, peak);
    const std::string& bytes = profile.pprof;
    std::ofstream f(output, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw CtlError("cannot write " + output);
    warn_if_inactive(profile.status, pid);
    if (c.json) {
      fmt::print("{}\n", nlohmann::json{{"pid", pid}, {"output", output}, {"bytes", bytes.size()}, {"peak", peak}}.dump());
    } else if (!top) {
      fmt::print("{}: heap profile of pid {} ({}, {} bytes); read it with: go tool pprof -top {}\n", output, pid,
                 peak ? "live set at the peak" : "live set now", bytes.size(), output);
    }
  }
  if (!top) return 0;
  const Response r = client.request(pid, fmt::format("heap top {}{}", count, peak ? " peak" : ""), 30000);
  warn_if_inactive(r.status, pid);
  std::vector<Site> sites;
  for (const auto& l : lines(r.body)) sites.push_back(parse_site(l));
  const Symbolizer sym(pid);
  const std::string live_field = status_field(r.status, "live_bytes");
  const double live_bytes = live_field.empty() ? 0 : std::stod(live_field);
  if (c.json) {
    nlohmann::json out = {{"pid", pid}, {"peak", peak}, {"live_bytes", live_bytes}, {"sites", nlohmann::json::array()}};
    for (const auto& s : sites) {
      nlohmann::json frames = nlohmann::json::array();
      for (auto pc : s.pcs) frames.push_back(sym.name(pc));
      out["sites"].push_back({{"inuse_bytes", s.inuse_bytes}, {"inuse_objects", s.inuse_objects},
                              {"alloc_bytes", s.alloc_bytes}, {"alloc_objects", s.alloc_objects},
                              {"size", s.size}, {"frames", frames}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  const std::string lg = status_field(r.status, "lg_sample");
  fmt::print("bento heap: pid {} ({}), {}: {} sampled (one sample per 2^{} bytes requested)\n", pid,
             process_command(pid).substr(0, 60), peak ? "live set at the peak" : "live set now", human_bytes(live_bytes), lg);
  fmt::print("{:>11} {:>6} {:>10} {:>11} {:>7}  {}\n", "LIVE", "%", "OBJECTS", "ALLOCATED", "SIZE",
             "CALL SITE (innermost first)");
  for (const auto& s : sites) {
    const std::string where = call_site(sym, s.pcs);
    fmt::print("{:>11} {:>5.1f}% {:>10} {:>11} {:>7}  {}\n", human_bytes(static_cast<double>(s.inuse_bytes)),
               live_bytes > 0 ? 100.0 * static_cast<double>(s.inuse_bytes) / live_bytes : 0.0, s.inuse_objects,
               human_bytes(static_cast<double>(s.alloc_bytes)), s.size, where);
  }
  return 0;
}

}  // namespace bentoctl
