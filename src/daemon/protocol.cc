// daemon/protocol.cc: parsing and answering one request. Works on fixed buffers and the
// mallctl namespace; holds no lock of its own (the leaves take theirs).
#include "daemon/protocol.h"

#include <cerrno>
#include <cstring>

#include "arena/arena_set.h"
#include "base/build.h"
#include "chunk/chunk_registry.h"
#include "daemon/heap_map.h"
#include "daemon/heap_profile.h"
#include "mallctl/ctl.h"
#include "platform/os.h"
#include "stats/report.h"
#include "stats/snapshot.h"

namespace bento {

std::string_view next_token(std::string_view& rest) noexcept {
  std::size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < rest.size() && rest[j] != ' ' && rest[j] != '\t') ++j;
  const std::string_view tok = rest.substr(i, j - i);
  rest.remove_prefix(j);
  return tok;
}

namespace {

constexpr std::size_t kNameMax = 255;

const char* errno_name(int e) noexcept {
  switch (e) {
    case ENOENT: return "ENOENT: no such name (or index)";
    case EINVAL: return "EINVAL: bad value";
    case EPERM: return "EPERM: not writable";
    case EFAULT: return "EFAULT: the change could not be made";
    case EAGAIN: return "EAGAIN: out of memory";
    default: return "error";
  }
}

bool copy_name(std::string_view tok, char (&out)[kNameMax + 1]) noexcept {
  if (tok.size() > kNameMax) return false;
  std::memcpy(out, tok.data(), tok.size());
  out[tok.size()] = '\0';
  return true;
}

bool is_thread_name(std::string_view name) noexcept {
  return name == "thread" || name.substr(0, 7) == "thread.";
}

std::size_t type_size(CtlType t) noexcept {
  switch (t) {
    case CtlType::kBool: return sizeof(bool);
    case CtlType::kUnsigned: return sizeof(unsigned);
    case CtlType::kUint32: return sizeof(std::uint32_t);
    case CtlType::kVoid: return 0;
    default: return 8;
  }
}

void refresh_stats() noexcept {
  std::uint64_t e = 1;
  ctl_byname("epoch", nullptr, nullptr, &e, sizeof(e));
}

// "NAME VALUE" for one readable leaf.
void print_value(ReportOut& out, const char* name, const CtlNode& leaf) noexcept {
  alignas(8) unsigned char buf[16] = {};
  std::size_t len = type_size(leaf.type);
  const int rc = ctl_byname(name, buf, &len, nullptr, 0);
  if (rc != 0) {
    out.print("{} error {}\n", name, errno_name(rc));
    return;
  }
  switch (leaf.type) {
    case CtlType::kBool: out.print("{} {}\n", name, buf[0] != 0); break;
    case CtlType::kUnsigned:
    case CtlType::kUint32: {
      std::uint32_t v;
      std::memcpy(&v, buf, sizeof(v));
      out.print("{} {}\n", name, v);
      break;
    }
    case CtlType::kUint64:
    case CtlType::kSize: {
      std::uint64_t v;
      std::memcpy(&v, buf, sizeof(v));
      out.print("{} {}\n", name, v);
      break;
    }
    case CtlType::kSsize: {
      std::int64_t v;
      std::memcpy(&v, buf, sizeof(v));
      out.print("{} {}\n", name, v);
      break;
    }
    case CtlType::kString: {
      const char* s;
      std::memcpy(&s, buf, sizeof(s));
      out.print("{} {}\n", name, s != nullptr ? s : "");
      break;
    }
    case CtlType::kPointer:
    case CtlType::kVoid:
      out.print("{} error not a value\n", name);
      break;
  }
}

// Parses a decimal (optionally signed) integer; false on anything else.
bool parse_int(std::string_view s, std::int64_t* out) noexcept {
  bool neg = false;
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) neg = s[i++] == '-';
  if (i == s.size() || s.size() - i > 18) return false;
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

void do_ping(ReportOut& out) noexcept {
  out.print("ok bento {} pid={} version={} arenas={}\n", kProtocolVersion, os::pid(), kVersion, narenas());
}

void do_get(std::string_view rest, ReportOut& out) noexcept {
  std::string_view probe = rest;
  if (next_token(probe).empty()) {
    out.put("error get needs at least one name\n");
    return;
  }
  out.put("ok\n");
  bool refreshed = false;
  for (std::string_view tok = next_token(rest); !tok.empty(); tok = next_token(rest)) {
    char name[kNameMax + 1];
    if (!copy_name(tok, name)) {
      out.put("(name) error longer than 255 characters\n");
      continue;
    }
    if (is_thread_name(tok)) {
      out.print("{} error thread.* names describe the calling thread; the daemon has none of yours\n", name);
      continue;
    }
    const CtlNode* leaf = ctl_leaf(name);
    if (leaf == nullptr) {
      out.print("{} error {}\n", name, errno_name(ENOENT));
      continue;
    }
    if (!refreshed && tok.substr(0, 6) == "stats.") {
      refresh_stats();  // live numbers, not the last epoch's
      refreshed = true;
    }
    print_value(out, name, *leaf);
  }
}

// ---- list: every leaf with its indexes filled in ----
struct ListCtx {
  ReportOut* out;
  std::string_view prefix;
  unsigned narenas;
  const bool* stats_arena_live;  // per arena index
};

void emit_expanded(ListCtx& c, const char* pattern, const CtlNode& leaf, char* buf, std::size_t len,
                   const char* p) noexcept {
  // Copies pattern text up to the next placeholder, then recurses once per index.
  while (*p != '\0' && *p != '<') {
    if (len + 1 >= 300) return;
    buf[len++] = *p++;
  }
  if (*p == '\0') {
    buf[len] = '\0';
    const std::string_view name(buf, len);
    if (name.substr(0, c.prefix.size()) == c.prefix) {
      c.out->print("{} {} {}\n", name, ctl_type_name(leaf.type), ctl_access_name(leaf.access));
    }
    return;
  }
  const char* close = std::strchr(p, '>');
  if (close == nullptr) return;
  const std::string_view before(buf, len);
  auto emit_index = [&](std::size_t i) {
    char num[24];
    FixedWriter w(num, sizeof(num));
    w.print("{}", i);
    if (len + w.size() >= 300) return;
    std::memcpy(buf + len, num, w.size());
    emit_expanded(c, pattern, leaf, buf, len + w.size(), close + 1);
  };
  if (p[1] == 'i') {
    const bool stats = before.substr(0, 6) == "stats.";
    for (unsigned i = 0; i < c.narenas; ++i) {
      if (stats ? c.stats_arena_live[i] : arena_get(i) != nullptr) emit_index(i);
    }
    emit_index(kArenasAll);
  } else {
    const bool large = before.find("lrun") != std::string_view::npos;
    const std::size_t n = large ? kNumLargeClasses : kNumSmallClasses;
    for (std::size_t j = 0; j < n; ++j) emit_index(j);
  }
}

void do_list(std::string_view rest, ReportOut& out) noexcept {
  const std::string_view prefix = next_token(rest);
  refresh_stats();
  bool live[kMaxArenas + 1] = {};
  const unsigned n = narenas();
  for (unsigned i = 0; i < n; ++i) {
    char name[64];
    FixedWriter w(name, sizeof(name) - 1);
    w.print("stats.arenas.{}.nthreads", i);
    name[w.size()] = '\0';
    unsigned v;
    std::size_t len = sizeof(v);
    live[i] = ctl_byname(name, &v, &len, nullptr, 0) == 0;
  }
  out.put("ok\n");
  ListCtx ctx{&out, prefix, n, live};
  ctl_for_each_leaf(
      [](void* p, const char* path, const CtlNode& leaf) {
        auto& c = *static_cast<ListCtx*>(p);
        char buf[300];
        emit_expanded(c, path, leaf, buf, 0, path);
      },
      &ctx);
}

void do_set(std::string_view rest, ReportOut& out) noexcept {
  const std::string_view tok = next_token(rest);
  const std::string_view value = next_token(rest);
  if (tok.empty()) {
    out.put("error set needs a name and a value\n");
    return;
  }
  if (!next_token(rest).empty()) {
    out.put("error set takes one name and one value\n");
    return;
  }
  char name[kNameMax + 1];
  if (!copy_name(tok, name)) {
    out.put("error name longer than 255 characters\n");
    return;
  }
  if (is_thread_name(tok)) {
    out.print("error {} acts on the calling thread; the daemon has none of yours\n", name);
    return;
  }
  const CtlNode* leaf = ctl_leaf(name);
  if (leaf == nullptr) {
    out.print("error {}: {}\n", name, errno_name(ENOENT));
    return;
  }
  int rc;
  if (leaf->type == CtlType::kVoid) {
    rc = ctl_byname(name, nullptr, nullptr, nullptr, 0);
  } else if ((leaf->access & kCtlWrite) == 0) {
    out.print("error {} is read-only\n", name);
    return;
  } else if (leaf->type == CtlType::kPointer || leaf->type == CtlType::kString) {
    out.print("error {} takes an address in the process, not a value from outside\n", name);
    return;
  } else if (leaf->type == CtlType::kBool) {
    if (value != "true" && value != "false" && value != "1" && value != "0") {
      out.print("error {} takes true or false, not '{}'\n", name, value);
      return;
    }
    const bool b = value == "true" || value == "1";
    rc = ctl_byname(name, nullptr, nullptr, &b, sizeof(b));
  } else {
    std::int64_t v;
    if (!parse_int(value, &v)) {
      out.print("error {} takes an integer, not '{}'\n", name, value);
      return;
    }
    if (leaf->type == CtlType::kUnsigned || leaf->type == CtlType::kUint32) {
      if (v < 0 || v > 0xffffffffll) {
        out.print("error {} takes an unsigned 32-bit value\n", name);
        return;
      }
      const auto u = static_cast<std::uint32_t>(v);
      rc = ctl_byname(name, nullptr, nullptr, &u, sizeof(u));
    } else {
      rc = ctl_byname(name, nullptr, nullptr, &v, sizeof(v));
    }
  }
  if (rc == 0) {
    out.print("ok {}\n", name);
  } else {
    out.print("error {}: {}\n", name, errno_name(rc));
  }
}

void write_out(void* opaque, const char* text) {
  static_cast<ReportOut*>(opaque)->put(text);
}

void do_dump(std::string_view rest, ReportOut& out) noexcept {
  const std::string_view format = next_token(rest);
  if (!format.empty() && format != "json" && format != "text" && format != "prometheus") {
    out.print("error dump takes 'json', 'text' or 'prometheus', not '{}'\n", format);
    return;
  }
  char letters[34] = {};
  std::size_t n = 0;
  if (format == "json") letters[n++] = 'J';
  if (format == "prometheus") letters[n++] = 'P';
  for (char ch : next_token(rest)) {  // optional malloc_stats_print letters
    if (n + 1 < sizeof(letters)) letters[n++] = ch;
  }
  out.put("ok\n");
  stats_print(write_out, &out, letters);
}

}  // namespace

bool request_is_text(std::string_view request) noexcept {
  for (char c : request) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u >= 0x7f) return false;
  }
  return true;
}

void handle_request(std::string_view request, ReportOut& out) noexcept {
  if (!request.empty() && request.back() == '\r') request.remove_suffix(1);
  std::string_view rest = request;
  const std::string_view verb = next_token(rest);
  if (verb == "ping") do_ping(out);
  else if (verb == "get") do_get(rest, out);
  else if (verb == "list") do_list(rest, out);
  else if (verb == "set") do_set(rest, out);
  else if (verb == "dump") do_dump(rest, out);
  else if (verb == "map") heap_map(out);
  else if (verb == "heap") heap_profile(rest, out);
  else if (verb.empty()) out.put("error empty request (ping, get, list, set, dump, map, heap)\n");
  else out.print("error unknown verb '{}' (ping, get, list, set, dump, map, heap)\n",
                 verb.substr(0, verb.size() < 40 ? verb.size() : 40));
}

}  // namespace bento
