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
  const std::size_t n = word.size();
  if (line.size() < n + 3 || line.substr(0, 2) != "# " || line.substr(2, n) != word || line[n + 2] != ' ') return false;
  line.remove_prefix(n + 3);
  const auto space = line.find(' ');
  *name = line.substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  return !name->empty();
}

}  // namespace

Exposition::Family& Exposition::family(std::string_view name) {
  if (last_ < families_.size() && families_[last_].name == name) return families_[last_];
  const std::string key(name);
  if (const auto it = index_.find(key); it != index_.end()) {
    last_ = it->second;
  } else {
    last_ = families_.size();
    index_.emplace(key, last_);
    families_.push_back(Family{key, "", "", {}});
  }
  return families_[last_];
}

void Exposition::add_text(std::string_view text) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    std::string_view name, rest;
    if (line[0] != '#') {
      Family& f = family(sample_name(line));
      f.samples.append(line);
      f.samples += '\n';
    } else if (comment_of(line, "HELP", &name, &rest)) {
      Family& f = family(name);
      if (f.help.empty()) f.help = rest;
    } else if (comment_of(line, "TYPE", &name, &rest)) {
      Family& f = family(name);
      if (f.type.empty()) f.type = rest;
    }
  }
}

void Exposition::add_family(const std::string& name, const std::string& help, const std::string& type,
                            const std::vector<std::string>& samples) {
  Family& f = family(name);
  f.help = help;
  f.type = type;
  for (const auto& s : samples) f.samples += s + "\n";
}

std::string Exposition::text() const {
  std::size_t bytes = 0;
  for (const Family& f : families_) bytes += f.samples.size() + 2 * f.name.size() + f.help.size() + f.type.size() + 20;
  std::string out;
  out.reserve(bytes);
  for (const Family& f : families_) {
    if (f.samples.empty()) continue;
    if (!f.help.empty()) out.append("# HELP ").append(f.name).append(" ").append(f.help).append("\n");
    if (!f.type.empty()) out.append("# TYPE ").append(f.name).append(" ").append(f.type).append("\n");
    out += f.samples;
  }
  return out;
}

}  // namespace bentoctl
