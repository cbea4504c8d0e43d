// ctl/text.h: small text helpers the commands share: the non-empty lines of a daemon
// answer, and byte counts for people.
#pragma once
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace bentoctl {

inline std::vector<std::string> lines(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

inline std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace bentoctl
