// daemon/heap_profile.cc: the `heap` request (heap_profile.h). Runs on the daemon thread;
// the profiler's lock is taken only inside prof_copy_sites and prof_copy_live, scratch
// memory comes from the OS (prof/scratch.h).
#include "daemon/heap_profile.h"

#include "base/select.h"
#include "daemon/protocol.h"
#include "platform/os.h"
#include "prof/profile_writer.h"
#include "prof/sample_table.h"
#include "prof/sampler.h"
#include "prof/scratch.h"

namespace bento {

namespace {

// Base64 in lines of 76 characters (57 input bytes).
class Base64Lines {
 public:
  explicit Base64Lines(ReportOut& out) noexcept : out_(out) {}
  static bool sink(void* ctx, const void* data, std::size_t n) {
    auto* self = static_cast<Base64Lines*>(ctx);
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      self->in_[self->nin_++] = p[i];
      if (self->nin_ == sizeof(self->in_)) self->line();
    }
    return true;
  }
  void finish() noexcept {
    if (nin_ > 0) line();
  }

 private:
  void line() noexcept {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char text[80];
    std::size_t t = 0;
    for (std::size_t i = 0; i < nin_; i += 3) {
      const unsigned a = in_[i], b = i + 1 < nin_ ? in_[i + 1] : 0, c = i + 2 < nin_ ? in_[i + 2] : 0;
      text[t++] = kAlphabet[a >> 2];
      text[t++] = kAlphabet[((a & 3) << 4) | (b >> 4)];
      text[t++] = i + 1 < nin_ ? kAlphabet[((b & 15) << 2) | (c >> 6)] : '=';
      text[t++] = i + 2 < nin_ ? kAlphabet[c & 63] : '=';
    }
    text[t++] = '\n';
    out_.put(std::string_view(text, t));
    nin_ = 0;
  }
  ReportOut& out_;
  unsigned char in_[57];
  std::size_t nin_ = 0;
};

void top_sites(unsigned n, bool peak, ReportOut& out) noexcept {
  Scratch<ProfSiteCounts> scratch;
  const std::size_t m =
      scratch.fill([peak](ProfSiteCounts* o, std::size_t cap) { return prof_copy_sites(o, cap, peak); });
  ProfSiteCounts* sites = scratch.get();
  if (sites == nullptr) {
    out.put("error out of memory for the profile\n");
    return;
  }
  double live = 0;
  for (std::size_t i = 0; i < m; ++i) live += sites[i].inuse_bytes;
  out.print("ok top active={} lg_sample={} live_bytes={}\n", prof_active() ? 1 : 0, prof_lg_sample(),
            static_cast<std::uint64_t>(live + 0.5));
  for (unsigned k = 0; k < n && k < m; ++k) {
    move_largest_to(sites, k, m, [](const ProfSiteCounts& s) { return s.inuse_bytes; });
    const ProfSiteCounts& c = sites[k];
    if (c.inuse_bytes < 0.5) break;
    out.print("site {} {} {} {} {}", static_cast<std::uint64_t>(c.inuse_bytes + 0.5),
              static_cast<std::uint64_t>(c.inuse_objects + 0.5), static_cast<std::uint64_t>(c.alloc_bytes + 0.5),
              static_cast<std::uint64_t>(c.alloc_objects + 0.5), c.site->usize);
    for (unsigned f = 0; f < c.site->depth; ++f) out.print(" {:x}", c.site->pcs[f]);
    out.put("\n");
  }
}

// The parsed count of "top N" / "live N"; 0 when it is not a number from 1 to 100,000.
unsigned parse_count(std::string_view count) noexcept {
  unsigned n = 0;
  for (char ch : count) {
    if (ch < '0' || ch > '9' || n > 100000) return 0;
    n = n * 10 + static_cast<unsigned>(ch - '0');
  }
  return n;
}

void live_samples(unsigned n, ReportOut& out) noexcept {
  Scratch<ProfLiveSample> scratch;
  const std::size_t m = scratch.fill(prof_copy_live);
  ProfLiveSample* live = scratch.get();
  if (live == nullptr) {
    out.put("error out of memory for the samples\n");
    return;
  }
  const std::uint32_t now = os::coarse_ms();
  out.print("ok live active={} lg_sample={} now_ms={}\n", prof_active() ? 1 : 0, prof_lg_sample(), now);
  for (unsigned k = 0; k < n && k < m; ++k) {
    move_largest_to(live, k, m, [](const ProfLiveSample& s) { return s.requested; });
    const ProfLiveSample& s = live[k];
    out.print("sample {:x} {} {} {} {}", s.addr, s.requested, s.site->usize, s.tid,
              now >= s.born_ms ? now - s.born_ms : 0);
    for (unsigned f = 0; f < s.site->depth; ++f) out.print(" {:x}", s.site->pcs[f]);
    out.put("\n");
  }
}

}  // namespace

void heap_profile(std::string_view args, ReportOut& out) noexcept {
  if (!prof_enabled()) {
    out.put("error heap profiling is off in this process (started with prof:false): start it with "
            "BENTO_CONF=prof:true\n");
    return;
  }
  const std::string_view what = next_token(args);
  if (what == "pprof") {
    const std::string_view when = next_token(args);
    if (!when.empty() && when != "peak") {
      out.print("error heap pprof takes 'peak' or nothing, not '{}'\n", when.substr(0, 40));
      return;
    }
    out.print("ok pprof active={} lg_sample={}\n", prof_active() ? 1 : 0, prof_lg_sample());
    Base64Lines b64(out);
    const int e = prof_write_profile(when == "peak" ? ProfileKind::kPeak : ProfileKind::kNow, Base64Lines::sink, &b64);
    b64.finish();
    if (e != 0) out.print("error the profile could not be written (errno {})\n", e);
    return;
  }
  if (what == "live") {
    const unsigned n = parse_count(next_token(args));
    if (n == 0 || !next_token(args).empty()) {
      out.put("error heap live takes a count (1 or more)\n");
      return;
    }
    live_samples(n, out);
    return;
  }
  if (what == "top") {
    const unsigned n = parse_count(next_token(args));
    const std::string_view when = next_token(args);
    if (n == 0 || (!when.empty() && when != "peak")) {
      out.put("error heap top takes a count (1 or more) and optionally 'peak'\n");
      return;
    }
    top_sites(n, when == "peak", out);
    return;
  }
  out.print("error heap takes 'pprof [peak]', 'top <n> [peak]' or 'live <n>', not '{}'\n", what.substr(0, 40));
}

}  // namespace bento
