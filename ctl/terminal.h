// ctl/terminal.h: the keyboard of an interactive command (bentoctl top). While a
// KeyReader lives and both stdin and stdout are a terminal, stdin is in non-canonical,
// no-echo mode; the mode is restored when it is destroyed (return or exception) and on
// SIGINT, SIGTERM, SIGHUP and SIGQUIT (then the signal is raised again, default action).
#pragma once
#include <chrono>
#include <optional>

namespace bentoctl {

class KeyReader {
 public:
  KeyReader();
  ~KeyReader();
  KeyReader(const KeyReader&) = delete;
  KeyReader& operator=(const KeyReader&) = delete;

  // True when stdin and stdout are a terminal and keys are read one at a time.
  bool interactive() const { return interactive_; }
  // Waits up to `timeout` for a key: the key, or nothing when the time is up (or when
  // not interactive: then it just sleeps).
  std::optional<char> wait_key(std::chrono::duration<double> timeout);

 private:
  bool interactive_ = false;
};

}  // namespace bentoctl
