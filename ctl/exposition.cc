// ctl/exposition.cc: gathering samples under their families (exposition.h).
#include "exposition.h"

namespace bentoctl {

namespace {

// The metric name a sample line starts with: up to its labels or its value.
std::string_view sample_name(std::string_view line) {
  const auto end = line.find_first_of("{ ");
  return end == std::string_view::npos ? line : line.substr(0, end);
}

// "# WORD name rest": name and rest, when the comment is WORD's.
bool comment_of(std::string_view line, std::string_view word, std::string_view* name, std::string_view* rest) {
  const std::string prefix = "# " + std::string(word) + " ";
  if (line.substr(0, prefix.size()) != prefix) return false;
  line.remove_prefix(prefix.size());
  const auto space = line.find(' ');
  *name = line.substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  return !name->empty();
}

}  // namespace

Exposition::Family& Exposition::family(std::string_view name) {
  const std::string key(name);
  if (const auto it = index_.find(key); it != index_.end()) return families_[it->second];
  index_.emplace(key, families_.size());
  families_.push_back(Family{key, "", "", {}});
  return families_.back();
}

void Exposition::add_text(std::string_view text) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    std::string_view name, rest;
    if (comment_of(line, "HELP", &name, &rest)) {
      Family& f = family(name);
      if (f.help.empty()) f.help = rest;
    } else if (comment_of(line, "TYPE", &name, &rest)) {
      Family& f = family(name);
      if (f.type.empty()) f.type = rest;
    } else if (line[0] != '#') {
      family(sample_name(line)).samples.emplace_back(line);
    }
  }
}

void Exposition::add_family(const std::string& name, const std::string& help, const std::string& type,
                            const std::vector<std::string>& samples) {
  Family& f = family(name);
  f.help = help;
  f.type = type;
  f.samples.insert(f.samples.end(), samples.begin(), samples.end());
}

std::string Exposition::text() const {
  std::string out;
  for (const Family& f : families_) {
    if (f.samples.empty()) continue;
    if (!f.help.empty()) out += "# HELP " + f.name + " " + f.help + "\n";
    if (!f.type.empty()) out += "# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& s : f.samples) out += s + "\n";
  }
  return out;
}

}  // namespace bentoctl
