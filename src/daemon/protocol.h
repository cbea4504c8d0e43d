// daemon/protocol.h: the daemon's request language (doc/daemon.md), version 2. One request
// line in, one response out: "ok ..." or "error <reason>" first, then data lines. get,
// list and set answer "ok protocol=2" and then one JSON object per line, typed by the
// mallctl leaf (errors too: {"name":..,"error":"ENOENT","reason":..,"message":..}). The
// handler is a pure function of the request and the allocator's state, writing through a
// ReportOut (fixed buffers), so the fuzzer drives it without a socket.
#pragma once
#include <cstddef>
#include <string_view>

#include "stats/report_out.h"

namespace bento {

inline constexpr int kProtocolVersion = 2;
inline constexpr std::size_t kMaxRequestBytes = 4096;

// Handles one request (the line without its newline). The text must already be known to
// be printable (see request_is_text).
void handle_request(std::string_view request, ReportOut& out) noexcept;
// Printable ASCII, spaces and tabs only.
bool request_is_text(std::string_view request) noexcept;
// Splits off the next token of `rest` (separated by spaces or tabs); empty at the end.
std::string_view next_token(std::string_view& rest) noexcept;

}  // namespace bento
