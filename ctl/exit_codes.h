// ctl/exit_codes.h: bentoctl's exit codes, the one table of them (doc/daemon.md prints
// the same table), and which reason in a daemon's typed error answer gives which code.
#pragma once
#include <string_view>

namespace bentoctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,       // anything else, with a message saying what to do
  kExitUsage = 2,         // bad command line, or a writable name given no value
  kExitUnknownName = 3,   // ENOENT: no such name (or index)
  kExitAccess = 4,        // a write to a read-only name, a read of a write-only one or an action
  kExitBadValue = 5,      // a value of the wrong type or form, out of range, or refused by the name
  kExitReadFailed = 6,    // the read itself failed in the process
  kExitActionValue = 7,   // an action (arena.<i>.purge, ...) given a value
  kExitWriteFailed = 8,   // the write or action itself failed in the process
  kExitProtocol = 9,      // the daemon speaks another protocol version
  kExitCannotRun = 127,   // run: the command could not be executed (as a shell says)
};

// The daemon's "reason" tags (daemon/protocol.cc) and the exit code each gives.
struct ReasonExit {
  std::string_view reason;
  ExitCode code;
};
inline constexpr ReasonExit kReasonExits[] = {
    {"unknown_name", kExitUnknownName}, {"not_here", kExitFailure},     {"read_only", kExitAccess},
    {"not_readable", kExitAccess},      {"action_value", kExitActionValue}, {"missing_value", kExitUsage},
    {"bad_value", kExitBadValue},       {"out_of_range", kExitBadValue}, {"read_failed", kExitReadFailed},
    {"write_failed", kExitWriteFailed},
};

inline ExitCode exit_for_reason(std::string_view reason) {
  for (const auto& r : kReasonExits) {
    if (r.reason == reason) return r.code;
  }
  return kExitFailure;
}

}  // namespace bentoctl
