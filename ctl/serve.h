// ctl/serve.h: bentoctl-serve's HTTP server (serve.cc): one endpoint for every bento
// process of this user.
#pragma once
#include <string>

namespace bentoctl {

struct ServeOptions {
  std::string dir;                      // the socket directory (empty: the daemon's rule)
  std::string listen = "127.0.0.1:9464";  // HOST:PORT; port 0 picks a free one
  int timeout_ms = 1000;                // per process and request
};

// Serves until SIGINT or SIGTERM; returns the exit code.
int serve(const ServeOptions& o);

}  // namespace bentoctl
