// ctl/prometheus.cc: metric families with HELP and TYPE lines, samples grouped per family.
#include "prometheus.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace bentoctl {

namespace {
struct Family {
  std::string help, type;
  std::vector<std::string> samples;
};

class Exposition {
 public:
  void add(const std::string& name, const std::string& type, const std::string& help,
           const std::string& labels, double value) {
    auto [it, fresh] = families_.try_emplace(name);
    if (fresh) {
      order_.push_back(name);
      it->second.help = help;
      it->second.type = type;
    }
    it->second.samples.push_back(fmt::format("{}{{{}}} {}", name, labels, value));
  }
  std::string text() const {
    std::string out;
    for (const auto& name : order_) {
      const Family& f = families_.at(name);
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
      for (const auto& s : f.samples) out += s + "\n";
    }
    return out;
  }

 private:
  std::map<std::string, Family> families_;
  std::vector<std::string> order_;
};
}  // namespace

std::string prometheus_text(const nlohmann::json& dump, int pid) {
  const auto& b = dump.at("bento");
  const auto& st = b.at("stats");
  Exposition e;
  const std::string p = fmt::format("pid=\"{}\"", pid);
  for (const char* k : {"allocated", "active", "metadata", "resident", "mapped", "retained"}) {
    e.add(fmt::format("bento_{}_bytes", k), "gauge", fmt::format("stats.{} of the process", k), p,
          st.at(k).get<double>());
  }
  e.add("bento_threads", "gauge", "live threads known to bento", p, st.at("threads").get<double>());
  for (const auto& [lock, c] : st.at("mutexes").items()) {
    const std::string l = fmt::format("{},lock=\"{}\"", p, lock);
    e.add("bento_lock_acquisitions_total", "counter", "acquisitions of a global lock", l, c.at("num_ops").get<double>());
    e.add("bento_lock_wait_seconds_total", "counter", "time waited for a global lock", l,
          c.at("total_wait_time").get<double>() / 1e9);
  }
  const auto& unit = b.contains("arenas") ? b.at("arenas") : nlohmann::json::object();
  for (const auto& [index, a] : b.at("stats.arenas").items()) {
    if (index == "merged") continue;
    const std::string l = fmt::format("{},arena=\"{}\"", p, index);
    e.add("bento_arena_threads", "gauge", "threads whose favourite arena this is", l, a.at("nthreads").get<double>());
    e.add("bento_arena_allocated_bytes", "gauge", "bytes allocated from the arena", l, a.at("allocated").get<double>());
    e.add("bento_arena_resident_bytes", "gauge", "resident bytes of the arena's chunks", l, a.at("resident").get<double>());
    e.add("bento_arena_chunks", "gauge", "chunks mapped by the arena", l, a.at("chunks").get<double>());
    e.add("bento_arena_occupancy_ratio", "gauge", "active bytes over chunk bytes", l,
          a.at("occupancy").get<double>() / 1000.0);
    e.add("bento_arena_dirty_pages", "gauge", "free pages waiting to be purged", l, a.at("pdirty").get<double>());
    e.add("bento_arena_purged_pages_total", "counter", "pages returned to the OS", l, a.at("purged").get<double>());
    for (const char* kind : {"small", "large", "huge"}) {
      const std::string lk = fmt::format("{},kind=\"{}\"", l, kind);
      e.add("bento_arena_allocations_total", "counter", "objects handed out by the arena", lk,
            a.at(kind).at("nmalloc").get<double>());
      e.add("bento_arena_requests_total", "counter", "allocation requests served, cache hits included", lk,
            a.at(kind).at("nrequests").get<double>());
    }
    if (a.contains("contention")) {
      const auto& c = a.at("contention");
      e.add("bento_arena_lock_acquisitions_total", "counter", "acquisitions of the arena lock", l,
            c.at("lock_ops").get<double>());
      e.add("bento_arena_trylock_failures_total", "counter", "try_lock calls that found the arena busy", l,
            c.at("trylock_failures").get<double>());
      e.add("bento_arena_favourite_switches_total", "counter", "threads that moved on to the next arena", l,
            c.at("favourite_switches").get<double>());
      e.add("bento_arena_blocking_waits_total", "counter", "acquisitions that had to wait", l,
            c.at("blocking_waits").get<double>());
      e.add("bento_arena_wait_seconds_total", "counter", "time spent waiting for the arena lock", l,
            c.at("wait_ns").get<double>() / 1e9);
      e.add("bento_arena_max_wait_seconds", "gauge", "longest wait for the arena lock", l,
            c.at("max_wait_ns").get<double>() / 1e9);
    }
    if (a.contains("bins")) {
      const auto& bins = a.at("bins");
      for (std::size_t j = 0; j < bins.size(); ++j) {
        const auto& bin = bins[j];
        if (bin.at("nmalloc").get<double>() == 0) continue;
        const std::string size = unit.contains("bin") ? std::to_string(unit.at("bin")[j].at("size").get<long>()) : "";
        const std::string lb = fmt::format("{},bin=\"{}\",size=\"{}\"", l, j, size);
        e.add("bento_bin_allocations_total", "counter", "regions handed out by the bin", lb, bin.at("nmalloc").get<double>());
        e.add("bento_bin_live_regions", "gauge", "regions allocated now", lb, bin.at("curregs").get<double>());
        e.add("bento_bin_runs", "gauge", "runs owned by the bin", lb, bin.at("curruns").get<double>());
        e.add("bento_bin_occupancy_ratio", "gauge", "live regions over the regions of its runs", lb,
              bin.at("occupancy").get<double>() / 1000.0);
      }
    }
  }
  return e.text();
}

}  // namespace bentoctl
