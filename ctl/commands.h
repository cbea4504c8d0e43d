// ctl/commands.h: bentoctl's commands. Each returns the process exit code (exit_codes.h)
// and throws CtlError for failures it explains.
#pragma once
#include <string>
#include <vector>

#include "client.h"

namespace bentoctl {

struct Common {
  std::string dir;   // --dir: the socket directory
  bool json = false;
};

int cmd_run(const std::string& conf, bool stats, const std::vector<std::string>& command);
int cmd_ps(const Common& c);
int cmd_get(const Common& c, int pid, const std::vector<std::string>& names);
int cmd_list(const Common& c, int pid, const std::string& prefix);
int cmd_set(const Common& c, int pid, const std::string& name, const std::string& value);
int cmd_dump(const Common& c, int pid);
int cmd_top(const Common& c, int pid, double interval_s, int iterations);
int cmd_metrics(const Common& c, int pid);
int cmd_map(const Common& c, int pid, const std::string& output);
// The heap profile: to `output` as pprof, and/or the `count` largest sites (--top), or
// the `count` largest live samples, each with its thread and age (--live).
int cmd_heap(const Common& c, int pid, const std::string& output, bool peak, bool top, bool live, int count);
// serve: runs bentoctl-serve (serve_main.cc, next to this bentoctl) with `args`.
int cmd_serve(const std::vector<std::string>& args);

// Where libbento.so is: $BENTO_LIB, next to this bentoctl (build tree or install prefix).
std::string find_library();

}  // namespace bentoctl
