// daemon/protocol.cc: parsing and answering one request. Works on fixed buffers and the
// mallctl namespace; holds no lock of its own (the leaves take theirs).
#include "daemon/protocol.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "arena/arena_set.h"
#include "base/build.h"
#include "chunk/chunk_registry.h"
#include "daemon/heap_map.h"
#include "daemon/heap_profile.h"
#include "daemon/json_text.h"
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

// ---- typed answers: one JSON object per line (doc/daemon.md, "Typed answers") ----

// Why a name failed, as the client sees it: a stable tag (bentoctl maps it to its exit
// code) next to the errno name jemalloc's users know.
enum class Fail : std::uint8_t {
  kUnknownName,   // no such leaf (or index)
  kNotHere,       // thread.*: the daemon has none of the program's threads
  kReadOnly,      // a write to a read-only leaf
  kNotReadable,   // a read of a write-only leaf, an action or a pointer
  kActionValue,   // an action given a value
  kMissingValue,  // a writable leaf given none
  kBadValue,      // a value of the wrong type or form, or refused by the leaf
  kOutOfRange,    // an integer outside the leaf's type
  kReadFailed,    // the leaf's read failed
  kWriteFailed,   // the leaf's write (or action) failed
};

const char* fail_tag(Fail f) noexcept {
  switch (f) {
    case Fail::kUnknownName: return "unknown_name";
    case Fail::kNotHere: return "not_here";
    case Fail::kReadOnly: return "read_only";
    case Fail::kNotReadable: return "not_readable";
    case Fail::kActionValue: return "action_value";
    case Fail::kMissingValue: return "missing_value";
    case Fail::kBadValue: return "bad_value";
    case Fail::kOutOfRange: return "out_of_range";
    case Fail::kReadFailed: return "read_failed";
    case Fail::kWriteFailed: return "write_failed";
  }
  return "failed";
}

const char* errno_tag(int e) noexcept {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case EFAULT: return "EFAULT";
    case EAGAIN: return "EAGAIN";
    case ERANGE: return "ERANGE";
    default: return "EIO";
  }
}

// What a leaf's errno means, for messages.
const char* errno_text(int e) noexcept {
  switch (e) {
    case ENOENT: return "no such name (or index)";
    case EINVAL: return "the value or its size was refused";
    case EPERM: return "not permitted";
    case EFAULT: return "the operation failed in the process";
    case EAGAIN: return "out of memory for the statistics snapshot";
    default: return "failed";
  }
}

// The protocol's type names: the namespace's (ctl_type_name), but "string" for a
// const char* leaf, as JSON readers know it.
const char* type_word(CtlType t) noexcept { return t == CtlType::kString ? "string" : ctl_type_name(t); }

// A void leaf is an action whatever its access bits say.
const char* access_word(const CtlNode& leaf) noexcept {
  if (leaf.type == CtlType::kVoid) return "action";
  switch (leaf.access & kCtlReadWrite) {
    case kCtlRead: return "read-only";
    case kCtlWrite: return "write-only";
    case kCtlReadWrite: return "read-write";
    default: return "action";
  }
}

void put_leaf_fields(JsonLine& j, std::string_view name, const CtlNode* leaf) noexcept {
  j.string("name", name);
  if (leaf != nullptr) {
    j.string("type", type_word(leaf->type));
    j.string("access", access_word(*leaf));
  }
}

// {"name":..,["type","access",]"error":"E..","reason":"..","message":".."}. The message
// is formatted into a fixed line (long values are cut short) and escaped.
template <class... Args>
void put_error(ReportOut& out, std::string_view name, const CtlNode* leaf, Fail f, int err,
               fmt::format_string<Args...> message, Args&&... args) noexcept {
  char text[ReportOut::kLineMax];
  FixedWriter w(text, sizeof(text));
  w.print(message, std::forward<Args>(args)...);
  JsonLine j(out);
  put_leaf_fields(j, name, leaf);
  j.string("error", errno_tag(err));
  j.string("reason", fail_tag(f));
  j.string("message", w.view());
}

// At most 64 characters of a value from outside, for messages.
std::string_view shown(std::string_view v) noexcept { return v.substr(0, v.size() < 64 ? v.size() : 64); }

void put_ok_status(ReportOut& out) noexcept { out.print("ok protocol={}\n", kProtocolVersion); }

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

// The typed answer for one readable leaf: its value as its type says.
void put_value(ReportOut& out, const char* name, const CtlNode& leaf) noexcept {
  if ((leaf.access & kCtlRead) == 0 || leaf.type == CtlType::kVoid || leaf.type == CtlType::kPointer) {
    if (leaf.type == CtlType::kVoid) {
      put_error(out, name, &leaf, Fail::kNotReadable, EPERM,
                "{} is an action: it has no value to read (run it with set, without a value)", name);
    } else if (leaf.type == CtlType::kPointer) {
      put_error(out, name, &leaf, Fail::kNotReadable, EPERM, "{} is a pointer into the process, not a value", name);
    } else {
      put_error(out, name, &leaf, Fail::kNotReadable, EPERM, "{} is write-only", name);
    }
    return;
  }
  alignas(8) unsigned char buf[16] = {};
  std::size_t len = type_size(leaf.type);
  const int rc = ctl_byname(name, buf, &len, nullptr, 0);
  if (rc == ENOENT) {
    put_error(out, name, &leaf, Fail::kUnknownName, rc, "{}: {} (nothing to read there now)", name, errno_text(rc));
    return;
  }
  if (rc != 0) {
    put_error(out, name, &leaf, Fail::kReadFailed, rc, "reading {} failed: {} ({})", name, errno_text(rc),
              errno_tag(rc));
    return;
  }
  JsonLine j(out);
  put_leaf_fields(j, name, &leaf);
  switch (leaf.type) {
    case CtlType::kBool: j.boolean("value", buf[0] != 0); break;
    case CtlType::kUnsigned:
    case CtlType::kUint32: {
      std::uint32_t v;
      std::memcpy(&v, buf, sizeof(v));
      j.number("value", std::uint64_t{v});
      break;
    }
    case CtlType::kUint64:
    case CtlType::kSize: {
      std::uint64_t v;
      std::memcpy(&v, buf, sizeof(v));
      j.number("value", v);
      break;
    }
    case CtlType::kSsize: {
      std::int64_t v;
      std::memcpy(&v, buf, sizeof(v));
      j.number("value", v);
      break;
    }
    case CtlType::kString: {
      const char* s;
      std::memcpy(&s, buf, sizeof(s));
      j.string("value", s != nullptr ? std::string_view(s) : std::string_view());
      break;
    }
    case CtlType::kPointer:
    case CtlType::kVoid:
      break;  // refused above
  }
}

// A decimal integer with an optional sign, as sign and magnitude.
enum class Parsed : std::uint8_t { kOk, kNotInteger, kTooLarge };
Parsed parse_int(std::string_view s, bool* neg, std::uint64_t* mag) noexcept {
  std::size_t i = 0;
  *neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) *neg = s[i++] == '-';
  if (i == s.size()) return Parsed::kNotInteger;
  std::uint64_t v = 0;
  bool too_large = false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return Parsed::kNotInteger;
    const auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (~std::uint64_t{0} - d) / 10) too_large = true;
    else v = v * 10 + d;
  }
  *mag = v;
  return too_large ? Parsed::kTooLarge : Parsed::kOk;
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
  put_ok_status(out);
  bool refreshed = false;
  for (std::string_view tok = next_token(rest); !tok.empty(); tok = next_token(rest)) {
    char name[kNameMax + 1];
    if (!copy_name(tok, name)) {
      put_error(out, tok, nullptr, Fail::kUnknownName, ENOENT, "a name longer than {} characters", kNameMax);
      continue;
    }
    if (is_thread_name(tok)) {
      put_error(out, tok, nullptr, Fail::kNotHere, EPERM,
                "{}: thread.* names describe the calling thread; the daemon has none of yours", tok);
      continue;
    }
    const CtlNode* leaf = ctl_leaf(name);
    if (leaf == nullptr) {
      put_error(out, tok, nullptr, Fail::kUnknownName, ENOENT, "{}: {}", name, errno_text(ENOENT));
      continue;
    }
    if (!refreshed && tok.substr(0, 6) == "stats.") {
      refresh_stats();  // live numbers, not the last epoch's
      refreshed = true;
    }
    put_value(out, name, *leaf);
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
      JsonLine j(*c.out);
      put_leaf_fields(j, name, &leaf);
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
  put_ok_status(out);
  ListCtx ctx{&out, prefix, n, live};
  ctl_for_each_leaf(
      [](void* p, const char* path, const CtlNode& leaf) {
        auto& c = *static_cast<ListCtx*>(p);
        char buf[300];
        emit_expanded(c, path, leaf, buf, 0, path);
      },
      &ctx);
}

// The value a successful set echoes, typed as the leaf is.
struct Written {
  enum Kind : std::uint8_t { kNone, kBool, kSigned, kUnsigned } kind = kNone;
  bool b = false;
  std::int64_t s = 0;
  std::uint64_t u = 0;
};

// Answers the line for a write (or action) that has been made: rc is the leaf's.
void finish_set(ReportOut& out, const char* name, const CtlNode& leaf, std::string_view value, const Written& w,
                int rc) noexcept {
  if (rc == 0) {
    JsonLine j(out);
    put_leaf_fields(j, name, &leaf);
    if (w.kind == Written::kBool) j.boolean("value", w.b);
    else if (w.kind == Written::kSigned) j.number("value", w.s);
    else if (w.kind == Written::kUnsigned) j.number("value", w.u);
    return;
  }
  if (rc == ENOENT) {
    put_error(out, name, &leaf, Fail::kUnknownName, rc, "{}: {}", name, errno_text(rc));
  } else if (rc == EINVAL) {
    put_error(out, name, &leaf, Fail::kBadValue, rc, "{} refused the value '{}' (EINVAL)", name, shown(value));
  } else if (leaf.type == CtlType::kVoid) {
    put_error(out, name, &leaf, Fail::kWriteFailed, rc, "{} failed: {} ({})", name, errno_text(rc), errno_tag(rc));
  } else {
    put_error(out, name, &leaf, Fail::kWriteFailed, rc, "the change to {} could not be made: {} ({})", name,
              errno_text(rc), errno_tag(rc));
  }
}

void set_integer(ReportOut& out, const char* name, const CtlNode& leaf, std::string_view value) noexcept {
  bool neg;
  std::uint64_t mag;
  const Parsed parsed = parse_int(value, &neg, &mag);
  if (parsed == Parsed::kNotInteger) {
    put_error(out, name, &leaf, Fail::kBadValue, EINVAL, "{} takes an integer ({}), not '{}'", name,
              type_word(leaf.type), shown(value));
    return;
  }
  int rc;
  Written w;
  if (leaf.type == CtlType::kSsize) {
    constexpr std::uint64_t kMaxPos = 0x7fffffffffffffffull;
    if (parsed == Parsed::kTooLarge || mag > kMaxPos + (neg ? 1 : 0)) {
      put_error(out, name, &leaf, Fail::kOutOfRange, ERANGE, "{} takes a signed 64-bit integer; {} is out of range",
                name, shown(value));
      return;
    }
    const std::int64_t v = neg ? static_cast<std::int64_t>(0 - mag) : static_cast<std::int64_t>(mag);
    w.kind = Written::kSigned;
    w.s = v;
    rc = ctl_byname(name, nullptr, nullptr, &v, sizeof(v));
  } else {
    const bool narrow = leaf.type == CtlType::kUnsigned || leaf.type == CtlType::kUint32;
    const std::uint64_t max = narrow ? 0xffffffffull : ~std::uint64_t{0};
    if (parsed == Parsed::kTooLarge || (neg && mag != 0) || mag > max) {
      put_error(out, name, &leaf, Fail::kOutOfRange, ERANGE, "{} takes {} from 0 to {}; {} is out of range", name,
                type_word(leaf.type), max, shown(value));
      return;
    }
    w.kind = Written::kUnsigned;
    w.u = mag;
    if (narrow) {
      const auto u = static_cast<std::uint32_t>(mag);
      rc = ctl_byname(name, nullptr, nullptr, &u, sizeof(u));
    } else {
      rc = ctl_byname(name, nullptr, nullptr, &mag, sizeof(mag));
    }
  }
  finish_set(out, name, leaf, value, w, rc);
}

void do_set(std::string_view rest, ReportOut& out) noexcept {
  const std::string_view tok = next_token(rest);
  const std::string_view value = next_token(rest);
  if (tok.empty()) {
    out.put("error set needs a name (and a value, unless it is an action)\n");
    return;
  }
  if (!next_token(rest).empty()) {
    out.put("error set takes one name and at most one value\n");
    return;
  }
  put_ok_status(out);
  char name[kNameMax + 1];
  if (!copy_name(tok, name)) {
    put_error(out, tok, nullptr, Fail::kUnknownName, ENOENT, "a name longer than {} characters", kNameMax);
    return;
  }
  if (is_thread_name(tok)) {
    put_error(out, tok, nullptr, Fail::kNotHere, EPERM, "{} acts on the calling thread; the daemon has none of yours",
              name);
    return;
  }
  const CtlNode* leaf = ctl_leaf(name);
  if (leaf == nullptr) {
    put_error(out, tok, nullptr, Fail::kUnknownName, ENOENT, "{}: {}", name, errno_text(ENOENT));
    return;
  }
  if (leaf->type == CtlType::kVoid) {
    if (!value.empty()) {
      put_error(out, name, leaf, Fail::kActionValue, EPERM, "{} is an action; it takes no value", name);
      return;
    }
    finish_set(out, name, *leaf, value, Written{}, ctl_byname(name, nullptr, nullptr, nullptr, 0));
    return;
  }
  if ((leaf->access & kCtlWrite) == 0) {
    put_error(out, name, leaf, Fail::kReadOnly, EPERM, "{} is read-only", name);
    return;
  }
  if (value.empty()) {
    if ((leaf->access & kCtlRead) == 0) {  // write-only leaves act without a value too (prof.dump, prof.reset)
      finish_set(out, name, *leaf, value, Written{}, ctl_byname(name, nullptr, nullptr, nullptr, 0));
    } else {
      put_error(out, name, leaf, Fail::kMissingValue, EINVAL, "{} needs a value ({})", name, type_word(leaf->type));
    }
    return;
  }
  if (leaf->type == CtlType::kPointer || leaf->type == CtlType::kString) {
    put_error(out, name, leaf, Fail::kBadValue, EINVAL,
              "{} takes an address in the process ({}), not a value from outside", name, type_word(leaf->type));
    return;
  }
  if (leaf->type == CtlType::kBool) {
    if (value != "true" && value != "false" && value != "1" && value != "0") {
      put_error(out, name, leaf, Fail::kBadValue, EINVAL, "{} takes true or false, not '{}'", name, shown(value));
      return;
    }
    Written w;
    w.kind = Written::kBool;
    w.b = value == "true" || value == "1";
    finish_set(out, name, *leaf, value, w, ctl_byname(name, nullptr, nullptr, &w.b, sizeof(w.b)));
    return;
  }
  set_integer(out, name, *leaf, value);
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
