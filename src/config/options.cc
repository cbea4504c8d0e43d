// config/options.cc: the option table's rows and the BENTO_CONF parser. Runs before the
// heap exists, so it works on the caller's string in place and formats messages into
// stack buffers.
#include "config/options.h"

#include <cstddef>

#include "base/build.h"
#include "base/fixed_writer.h"
#include "platform/log.h"
#include "platform/os.h"

// A program may define `const char* bento_conf = "...";` (seen when it links libbento).
extern "C" __attribute__((weak, visibility("default"))) const char* bento_conf;

namespace bento {

const OptionInfo kOptionTable[] = {
#define BENTO_OPT(name, kind, def, min, max, doc) \
  {#name, OptKind::kind, min, max, doc, offsetof(Options, name)},
#include "config/options.def"
#undef BENTO_OPT
};
const std::size_t kNumOptions = sizeof(kOptionTable) / sizeof(kOptionTable[0]);

namespace {
constinit Options g_options;
}  // namespace

Options& options() noexcept { return g_options; }

namespace {

bool is_key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Edit distance for "did you mean"; names are short, so a two-row table suffices.
std::size_t edit_distance(std::string_view a, std::string_view b) noexcept {
  constexpr std::size_t kMax = 64;
  if (a.size() >= kMax || b.size() >= kMax) return kMax;
  std::size_t prev[kMax + 1], cur[kMax + 1];
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      const std::size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = cur[j];
  }
  return prev[b.size()];
}

const OptionInfo* find_option(std::string_view key) noexcept {
  for (std::size_t i = 0; i < kNumOptions; ++i) {
    if (key == kOptionTable[i].name) return &kOptionTable[i];
  }
  return nullptr;
}

const OptionInfo* nearest_option(std::string_view key) noexcept {
  const OptionInfo* best = nullptr;
  std::size_t best_d = 3;  // suggest only close names
  for (std::size_t i = 0; i < kNumOptions; ++i) {
    const std::size_t d = edit_distance(key, kOptionTable[i].name);
    if (d < best_d) {
      best_d = d;
      best = &kOptionTable[i];
    }
  }
  return best;
}

// Parses an integer in jemalloc's way (base from the prefix: 0x hex, 0 octal), with an
// optional k/m/g suffix (powers of 1024). False on junk or overflow.
bool parse_int(std::string_view s, std::int64_t& out) noexcept {
  bool neg = false;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) return false;
  unsigned base = 10;
  if (s.size() - i > 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
    if (i == s.size()) return false;
  } else if (s.size() - i > 1 && s[i] == '0') {
    base = 8;
    ++i;
  }
  std::uint64_t v = 0;
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 62;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else break;
    if (d >= base) return false;
    v = v * base + d;
    if (v > kLimit) return false;
  }
  if (i < s.size()) {  // one suffix letter, then the end
    unsigned shift = 0;
    switch (s[i]) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      default: return false;
    }
    if (i + 1 != s.size() || v > (kLimit >> shift)) return false;
    v <<= shift;
  }
  out = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  return true;
}

template <class... Args>
void report_bad(ConfReport report, void* ctx, fmt::format_string<Args...> f,
                Args&&... args) noexcept {
  if (report == nullptr) return;
  char buf[kLogLineMax];
  FixedWriter w(buf, sizeof(buf));
  w.print(f, std::forward<Args>(args)...);
  report(ctx, w.view());
}

// Applies one key:value pair; returns false (after reporting) if it is bad.
bool apply_pair(std::string_view source, std::string_view key, std::string_view value,
                Options& into, ConfReport report, void* ctx) noexcept {
  const OptionInfo* info = find_option(key);
  if (info == nullptr) {
    if (const OptionInfo* near = nearest_option(key)) {
      report_bad(report, ctx, "{}: unknown option '{}' (did you mean '{}'?)", source, key,
                 near->name);
    } else {
      report_bad(report, ctx, "{}: unknown option '{}'", source, key);
    }
    return false;
  }
  char* field = reinterpret_cast<char*>(&into) + info->offset;
  switch (info->kind) {
    case OptKind::Bool:
      if (value == "true" || value == "1") {
        *reinterpret_cast<bool*>(field) = true;
      } else if (value == "false" || value == "0") {
        *reinterpret_cast<bool*>(field) = false;
      } else {
        report_bad(report, ctx, "{}: option '{}' takes true or false, not '{}'", source, key, value);
        return false;
      }
      return true;
    case OptKind::String: {
      if (value.size() > static_cast<std::size_t>(info->max)) {
        report_bad(report, ctx, "{}: value of '{}' is longer than {} characters", source, key,
                   info->max);
        return false;
      }
      *reinterpret_cast<opt_types::String*>(field) = opt_types::String{};
      auto* s = reinterpret_cast<opt_types::String*>(field);
      for (char c : value) s->data[s->len++] = c;
      s->data[s->len] = '\0';
      return true;
    }
    case OptKind::Unsigned:
    case OptKind::Size:
    case OptKind::Int: {
      std::int64_t v;
      if (!parse_int(value, v)) {
        report_bad(report, ctx, "{}: option '{}' takes an integer, not '{}'", source, key, value);
        return false;
      }
      if (v < info->min || v > info->max) {
        report_bad(report, ctx, "{}: option '{}' must be between {} and {}, not '{}'", source,
                   key, info->min, info->max, value);
        return false;
      }
      if (info->kind == OptKind::Unsigned) *reinterpret_cast<unsigned*>(field) = static_cast<unsigned>(v);
      if (info->kind == OptKind::Size) *reinterpret_cast<std::size_t*>(field) = static_cast<std::size_t>(v);
      if (info->kind == OptKind::Int) *reinterpret_cast<std::int64_t*>(field) = v;
      return true;
    }
  }
  return false;
}

void warn_report(void*, std::string_view message) noexcept {
  log_line("{}", message);  // abort_conf decides, after every source is read
}

}  // namespace

unsigned parse_conf(const char* conf, std::string_view source, Options& into,
                    ConfReport report, void* ctx) noexcept {
  if (conf == nullptr) return 0;
  unsigned bad = 0;
  std::string_view s(conf);
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t key_start = i;
    while (i < s.size() && is_key_char(s[i])) ++i;
    const std::string_view key = s.substr(key_start, i - key_start);
    if (i == s.size() || s[i] != ':' || key.empty()) {
      // Skip the malformed piece up to the next comma.
      std::size_t end = s.find(',', i);
      if (end == std::string_view::npos) end = s.size();
      const std::string_view piece = s.substr(key_start, end - key_start);
      if (piece.empty()) {
        report_bad(report, ctx, "{}: empty pair (stray comma)", source);
      } else if (i == s.size() && !key.empty()) {
        report_bad(report, ctx, "{}: '{}' has no value (expected key:value)", source, key);
      } else {
        report_bad(report, ctx, "{}: malformed pair '{}' (expected key:value)", source, piece);
      }
      ++bad;
      i = end == s.size() ? end : end + 1;
      continue;
    }
    ++i;  // ':'
    std::size_t end = s.find(',', i);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view value = s.substr(i, end - i);
    if (!apply_pair(source, key, value, into, report, ctx)) ++bad;
    i = end == s.size() ? end : end + 1;
    if (end != s.size() && i == s.size()) {
      report_bad(report, ctx, "{}: conf string ends with a comma", source);
      ++bad;
    }
  }
  return bad;
}

unsigned options_init() noexcept {
  Options& o = options();
  unsigned bad = 0;
  bad += parse_conf(kDefaultConf, "built-in conf", o, warn_report, nullptr);
  if (&bento_conf != nullptr) bad += parse_conf(bento_conf, "bento_conf", o, warn_report, nullptr);
  bad += parse_conf(os::getenv("BENTO_CONF"), "BENTO_CONF", o, warn_report, nullptr);
  if (bad != 0 && o.abort_conf) {
    fatal("{} invalid BENTO_CONF pair(s) and abort_conf:true", bad);
  }
  return bad;
}

std::size_t format_option_value(const OptionInfo& info, const Options& o, char* buf,
                                std::size_t cap) noexcept {
  if (cap == 0) return 0;
  FixedWriter w(buf, cap - 1);
  const char* field = reinterpret_cast<const char*>(&o) + info.offset;
  switch (info.kind) {
    case OptKind::Bool: w.put(*reinterpret_cast<const bool*>(field) ? "true" : "false"); break;
    case OptKind::Unsigned: w.print("{}", *reinterpret_cast<const unsigned*>(field)); break;
    case OptKind::Size: w.print("{}", *reinterpret_cast<const std::size_t*>(field)); break;
    case OptKind::Int: w.print("{}", *reinterpret_cast<const std::int64_t*>(field)); break;
    case OptKind::String: w.put(reinterpret_cast<const opt_types::String*>(field)->view()); break;
  }
  buf[w.size()] = '\0';
  return w.size();
}

}  // namespace bento
