// config/options.cc: the option table's rows and the conf parser, which reads bento's
// option names and jemalloc's (jemalloc_options.def), and options_init, which runs it on
// every source of conf_sources.h in order. Runs before the heap exists, so it works on
// the caller's string in place and formats messages into stack buffers.
#include "config/options.h"

#include <cstddef>

#include "base/fixed_writer.h"
#include "config/conf_sources.h"
#include "config/jemalloc_options.h"
#include "platform/log.h"

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

// The closest name, bento's first, then jemalloc's (not the prefix rows); null if none
// is close.
const char* nearest_name(std::string_view key) noexcept {
  const char* best = nullptr;
  std::size_t best_d = 3;  // suggest only close names
  auto consider = [&](const char* name) {
    const std::size_t d = edit_distance(key, name);
    if (d < best_d) {
      best_d = d;
      best = name;
    }
  };
  for (std::size_t i = 0; i < kNumOptions; ++i) consider(kOptionTable[i].name);
  for (std::size_t i = 0; i < kNumJemallocOptions; ++i) {
    const std::string_view name = kJemallocOptionTable[i].name;
    if (name.back() != '*') consider(kJemallocOptionTable[i].name);
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
void report_as(ConfReport report, void* ctx, ConfMessage kind, fmt::format_string<Args...> f,
               Args&&... args) noexcept {
  if (report == nullptr) return;
  char buf[kLogLineMax];
  FixedWriter w(buf, sizeof(buf));
  w.print(f, std::forward<Args>(args)...);
  report(ctx, kind, w.view());
}

template <class... Args>
void report_bad(ConfReport report, void* ctx, fmt::format_string<Args...> f,
                Args&&... args) noexcept {
  report_as(report, ctx, ConfMessage::kBadPair, f, std::forward<Args>(args)...);
}

// Stores an integer already checked against the option's range.
void set_integer(const OptionInfo& info, char* field, std::int64_t v) noexcept {
  if (info.kind == OptKind::Unsigned) *reinterpret_cast<unsigned*>(field) = static_cast<unsigned>(v);
  if (info.kind == OptKind::Size) *reinterpret_cast<std::size_t*>(field) = static_cast<std::size_t>(v);
  if (info.kind == OptKind::Int) *reinterpret_cast<std::int64_t*>(field) = v;
}

// Applies `value` to bento's option `info`; `key` is the name as written (bento's or
// jemalloc's). Returns false (after reporting) if the value is bad.
bool apply_value(std::string_view source, std::string_view key, std::string_view value,
                 const OptionInfo* info, Options& into, ConfReport report, void* ctx) noexcept {
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
      set_integer(*info, field, v);
      return true;
    }
  }
  return false;
}

// Applies 2^value to bento's integer option `info` (jemalloc's lg_* spelling of it).
bool apply_pow2(std::string_view source, std::string_view key, std::string_view value,
                const OptionInfo* info, Options& into, ConfReport report, void* ctx) noexcept {
  if (info->kind == OptKind::Bool || info->kind == OptKind::String) {
    report_bad(report, ctx, "{}: option '{}' has no integer to set", source, key);
    return false;
  }
  // The exponents whose powers lie in the option's range.
  std::int64_t lo = 0, hi = -1;
  while (lo < 62 && (std::int64_t{1} << lo) < info->min) ++lo;
  while (hi < 61 && (std::int64_t{1} << (hi + 1)) <= info->max) ++hi;
  std::int64_t v;
  if (!parse_int(value, v)) {
    report_bad(report, ctx, "{}: option '{}' takes an integer, not '{}'", source, key, value);
    return false;
  }
  if (v < lo || v > hi) {
    report_bad(report, ctx, "{}: option '{}' must be between {} and {}, not '{}'", source, key,
               lo, hi, value);
    return false;
  }
  set_integer(*info, reinterpret_cast<char*>(&into) + info->offset, std::int64_t{1} << v);
  return true;
}

// Applies one key:value pair; returns false (after reporting) if it is bad. A jemalloc
// option bento does not implement is noted and is not bad.
bool apply_pair(std::string_view source, std::string_view key, std::string_view value,
                Options& into, ConfReport report, void* ctx) noexcept {
  if (const OptionInfo* info = find_option(key)) {
    return apply_value(source, key, value, info, into, report, ctx);
  }
  if (const JemallocOption* je = find_jemalloc_option(key)) {
    const OptionInfo* target = find_option(je->target);
    switch (je->action) {
      case JeAction::Same:
        break;  // bento has no such option after all: the table is wrong (options_test)
      case JeAction::Alias:
        if (target != nullptr) return apply_value(source, key, value, target, into, report, ctx);
        break;
      case JeAction::Pow2:
        if (target != nullptr) return apply_pow2(source, key, value, target, into, report, ctx);
        break;
      case JeAction::Ignore:
        report_as(report, ctx, ConfMessage::kIgnored,
                  "{}: '{}' is a jemalloc option bento does not implement; ignored", source, key);
        return true;
    }
  }
  if (const char* near = nearest_name(key)) {
    report_bad(report, ctx, "{}: unknown option '{}' (did you mean '{}'?)", source, key, near);
  } else {
    report_bad(report, ctx, "{}: unknown option '{}'", source, key);
  }
  return false;
}

void warn_report(void*, ConfMessage, std::string_view message) noexcept {
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
  for (std::size_t i = 0; i < kNumConfSources; ++i) {
    bad += parse_conf(kConfSources[i].read(), kConfSources[i].name, o, warn_report, nullptr);
  }
  if (bad != 0 && o.abort_conf) {
    fatal("{} invalid conf pair(s) and abort_conf:true", bad);
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
