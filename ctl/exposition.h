// ctl/exposition.h: several processes' Prometheus text expositions made into one. The
// format allows each metric family once (its HELP and TYPE, then all its samples), so the
// samples of every process are gathered under their family, in the order families were
// first seen. Each process's own text already labels its samples (pid, comm, arena, ...).
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bentoctl {

class Exposition {
 public:
  // One process's exposition: "# HELP name doc", "# TYPE name type" and sample lines.
  // Other comments and blank lines are dropped.
  void add_text(std::string_view text);
  // A family of the scraper's own, with its sample lines (without the trailing newline).
  void add_family(const std::string& name, const std::string& help, const std::string& type,
                  const std::vector<std::string>& samples);
  std::string text() const;

 private:
  struct Family {
    std::string name, help, type;
    std::string samples;  // its sample lines, each ending in a newline
  };
  Family& family(std::string_view name);

  std::vector<Family> families_;
  std::unordered_map<std::string, std::size_t> index_;
  std::size_t last_ = 0;  // the family looked up last: a process's samples come grouped
};

}  // namespace bentoctl
