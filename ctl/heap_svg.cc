// ctl/heap_svg.cc: the heap picture, readable as a still image (PNG) as well as in a
// browser: a title, a legend naming every colour with its page (or object) count, one
// labelled row per chunk (arena, address, share of pages in use) and one bar per size of
// huge object (log scale, with the count and size written next to it). Consecutive pages
// in the same state are one rectangle, so a row is a few dozen elements, not 512.
// Tooltips (<title>) add the size class of each run.
#include "heap_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include "daemon/heap_map.h"
#include "sizeclass/size_classes.h"

namespace bentoctl {

namespace {
// The daemon's page characters: small runs by class index.
constexpr std::string_view kClassChars = bento::kSmallClassChars;
static_assert(kClassChars.size() == bento::kNumSmallClasses);

constexpr int kPageWidth = 2, kRowHeight = 14, kLabelWidth = 290, kMargin = 10;
constexpr int kBarWidth = static_cast<int>(bento::kChunkPages) * kPageWidth;
// Huge bars: log2 of the size from 2^19 (512 KiB, where huge starts) to 2^34 (16 GiB)
// across the width of a chunk row.
constexpr double kHugeLgMin = 19, kHugeLgMax = 34;

// Small classes are coloured by size band: one hue per band.
struct Band {
  std::size_t max_bytes;
  const char* fill;
};
constexpr Band kBands[] = {{64, "#2ca02c"}, {256, "#b5b800"}, {1024, "#ff7f0e"}, {4096, "#d62728"},
                           {bento::kSmallMaxBytes, "#9467bd"}};
constexpr int kNumBands = sizeof(kBands) / sizeof(kBands[0]);

// Every colour of the picture, in legend order.
enum Swatch : int { kBand0 = 0, kLargeStart = kNumBands, kLarge, kHeader, kFreeClean, kFreeDirty, kHuge, kNumSwatches };
constexpr const char* kFixedFills[] = {"#0b3d7a", "#4a86c8", "#3a3a3a", "#ffffff", "#c4c4c4", "#17a6b8"};

const char* fill_of(int swatch) { return swatch < kNumBands ? kBands[swatch].fill : kFixedFills[swatch - kNumBands]; }

int band_of_class(std::size_t cls) {
  const std::size_t bytes = bento::class_bytes(static_cast<unsigned>(cls));
  int b = 0;
  while (b + 1 < kNumBands && bytes > kBands[b].max_bytes) ++b;
  return b;
}

// The swatch of a page character; -1 for one this bentoctl does not know.
int swatch_of(char c) {
  switch (c) {
    case 'H': return kHeader;
    case '.': return kFreeClean;
    case ',': return kFreeDirty;
    case 'L': return kLargeStart;
    case 'l': return kLarge;
    default: break;
  }
  const std::size_t cls = kClassChars.find(c);
  return cls == std::string_view::npos ? -1 : band_of_class(cls);
}

std::string size_text(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  std::string n = fmt::format("{:.2f}", bytes);
  while (n.back() == '0') n.pop_back();
  if (n.back() == '.') n.pop_back();
  return n + " " + units[u];
}

// "small 80–256 B": the band's first and last class.
std::string band_label(int band) {
  std::size_t lo = 0, hi = 0, n = 0;
  for (std::size_t cls = 0; cls < bento::kNumSmallClasses; ++cls) {
    if (band_of_class(cls) != band) continue;
    if (n++ == 0) lo = bento::class_bytes(static_cast<unsigned>(cls));
    hi = bento::class_bytes(static_cast<unsigned>(cls));
  }
  std::string a = size_text(static_cast<double>(lo)), b = size_text(static_cast<double>(hi));
  const std::string unit_a = a.substr(a.find(' ')), unit_b = b.substr(b.find(' '));
  if (unit_a == unit_b) a = a.substr(0, a.find(' '));
  return fmt::format("small {}\u2013{} ({} classes)", a, b, n);
}

std::string swatch_label(int swatch) {
  if (swatch < kNumBands) return band_label(swatch);
  switch (swatch) {
    case kLargeStart: return "large object, first page";
    case kLarge: return "large object, other pages";
    case kHeader: return "chunk header";
    case kFreeClean: return "free, clean";
    case kFreeDirty: return "free, dirty (not yet purged)";
    case kHuge: return "huge object (own mapping)";
    default: return "?";
  }
}

// The tooltip of a run of pages.
std::string describe(char c) {
  const std::size_t cls = kClassChars.find(c);
  if (cls != std::string_view::npos) {
    return fmt::format("small, class {} ({})", cls, size_text(static_cast<double>(bento::class_bytes(static_cast<unsigned>(cls)))));
  }
  const int s = swatch_of(c);
  return s < 0 ? "unknown" : swatch_label(s);
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

int huge_bar_width(unsigned long long bytes) {
  const double lg = std::log2(static_cast<double>(std::max(bytes, 1ULL)));
  const double f = (lg - kHugeLgMin) / (kHugeLgMax - kHugeLgMin);
  return std::clamp(static_cast<int>(f * kBarWidth), 3, kBarWidth);
}

// A size of huge object in one arena, and how many there are.
struct HugeGroup {
  int arena;
  unsigned long long bytes;
  std::vector<std::string> addresses;
};
std::vector<HugeGroup> group_huge(const std::vector<HugeObject>& huge) {
  std::map<std::tuple<int, unsigned long long>, std::vector<std::string>> by;
  for (const auto& h : huge) by[{h.arena, h.bytes}].push_back(h.address);
  std::vector<HugeGroup> out;
  for (auto& [k, v] : by) out.push_back({std::get<0>(k), std::get<1>(k), std::move(v)});
  std::stable_sort(out.begin(), out.end(), [](const HugeGroup& a, const HugeGroup& b) {
    return a.arena != b.arena ? a.arena < b.arena : a.bytes > b.bytes;
  });
  return out;
}

std::string text(int x, int y, const std::string& s, const char* extra = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\"{}>{}</text>\n", x, y, extra, escape(s));
}
}  // namespace

HeapMap parse_map(const std::string& body) {
  HeapMap m;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    std::string kind;
    l >> kind;
    if (kind == "chunk") {
      ChunkRow r;
      l >> r.arena >> r.address >> r.pages;
      m.chunks.push_back(r);
    } else if (kind == "huge") {
      HugeObject h;
      l >> h.arena >> h.address >> h.bytes;
      m.huge.push_back(h);
    }
  }
  return m;
}

std::string render_svg(const HeapMap& map, int pid) {
  // Counts for the legend: pages per swatch, and huge objects.
  long counts[kNumSwatches] = {};
  long used = 0, total = 0;
  for (const ChunkRow& r : map.chunks) {
    for (char c : r.pages) {
      const int s = swatch_of(c);
      if (s >= 0) ++counts[s];
      used += s >= 0 && s <= kLarge;
      ++total;
    }
  }
  counts[kHuge] = static_cast<long>(map.huge.size());
  unsigned long long huge_bytes = 0;
  for (const auto& h : map.huge) huge_bytes += h.bytes;
  const std::vector<HugeGroup> groups = group_huge(map.huge);

  constexpr int kLegendColumns = 3, kLegendColumnWidth = 440, kLegendRow = 18;
  const int legend_top = 56;
  const int legend_rows = (kNumSwatches + kLegendColumns - 1) / kLegendColumns;
  const int chunks_top = legend_top + legend_rows * kLegendRow + 36;
  const int huge_top = chunks_top + static_cast<int>(map.chunks.size()) * kRowHeight + (groups.empty() ? 0 : 50);
  const int height = huge_top + static_cast<int>(groups.size()) * kRowHeight + 20;
  const int width = std::max(kLabelWidth + kBarWidth + 150, kMargin + kLegendColumns * kLegendColumnWidth);

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" xml:space=\"preserve\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\">\n"
      "<title>bento heap of pid {2}</title>\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
      width, height, pid);
  svg += text(kMargin, 22, fmt::format("bento heap of pid {}", pid), " font-size=\"15\" font-weight=\"bold\"");
  svg += text(kMargin, 40,
              fmt::format("{} chunks of {} (one row each, one column per {} page): {} of {} pages in use ({:.0f}%); "
                          "{} huge objects, {}",
                          map.chunks.size(), size_text(bento::kChunkSize), size_text(bento::kPageSize), used, total,
                          total ? 100.0 * used / total : 0.0, map.huge.size(), size_text(static_cast<double>(huge_bytes))));

  // The legend: every colour, named, with how much of the heap it covers.
  for (int s = 0; s < kNumSwatches; ++s) {
    const int x = kMargin + (s / legend_rows) * kLegendColumnWidth, y = legend_top + (s % legend_rows) * kLegendRow;
    const std::string amount = s == kHuge ? fmt::format("{} objects", counts[s]) : fmt::format("{} pages", counts[s]);
    svg += fmt::format("<g class=\"legend\" data-fill=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"14\" height=\"12\" "
                       "fill=\"{}\" stroke=\"#666\"/>{}</g>\n",
                       fill_of(s), x, y, fill_of(s),
                       text(x + 20, y + 10, fmt::format("{:<30} {}", swatch_label(s), amount)));
  }

  // Chunks, under an axis of offsets into the chunk.
  const int x0 = kLabelWidth;
  svg += text(kMargin, chunks_top - 8, "chunks: arena, address, pages in use", " font-weight=\"bold\"");
  for (int q = 0; q <= 4; ++q) {
    const int x = x0 + q * kBarWidth / 4;
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>\n", x, chunks_top - 6, chunks_top - 1);
    svg += text(x - (q == 4 ? 30 : q == 0 ? 0 : 20), chunks_top - 10, size_text(static_cast<double>(bento::kChunkSize) * q / 4));
  }
  int y = chunks_top;
  for (const ChunkRow& r : map.chunks) {
    long in_use = 0;
    for (char c : r.pages) in_use += swatch_of(c) >= 0 && swatch_of(c) <= kLarge;
    svg += fmt::format("<g class=\"chunk\" data-arena=\"{}\" data-address=\"{}\">\n", r.arena, escape(r.address));
    svg += text(kMargin, y + 10, fmt::format("arena {:>3}  {}  {:>3.0f}% used", r.arena, r.address,
                                             r.pages.empty() ? 0.0 : 100.0 * in_use / r.pages.size()));
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"#888\" stroke-width=\"0.5\"/>\n",
                       x0, y, static_cast<int>(r.pages.size()) * kPageWidth, kRowHeight - 2);
    for (std::size_t i = 0; i < r.pages.size();) {
      std::size_t j = i;
      while (j < r.pages.size() && r.pages[j] == r.pages[i]) ++j;
      const int s = swatch_of(r.pages[i]);
      if (s != kFreeClean) {  // the row's background is the clean free colour
        svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>pages {}-{}: {}</title></rect>\n",
                           x0 + static_cast<int>(i) * kPageWidth, y, static_cast<int>(j - i) * kPageWidth, kRowHeight - 2,
                           s < 0 ? "#ff00ff" : fill_of(s), i, j - 1, escape(describe(r.pages[i])));
      }
      i = j;
    }
    svg += "</g>\n";
    y += kRowHeight;
  }

  // Huge objects: one bar per arena and size, its length the log of the size.
  if (!groups.empty()) {
    y = huge_top;
    svg += text(kMargin, y - 24, "huge objects: arena, count \u00d7 size (bar length: log scale)", " font-weight=\"bold\"");
    for (double lg = 20; lg <= kHugeLgMax; lg += 2) {
      const int x = x0 + huge_bar_width(static_cast<unsigned long long>(std::ldexp(1.0, static_cast<int>(lg))));
      svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>\n", x, y - 6, y - 1);
      svg += text(x - 20, y - 10, size_text(std::ldexp(1.0, static_cast<int>(lg))));
    }
    for (const HugeGroup& g : groups) {
      const int w = huge_bar_width(g.bytes);
      const std::string what = g.addresses.size() == 1
                                   ? fmt::format("arena {:>3}  {}", g.arena, g.addresses[0])
                                   : fmt::format("arena {:>3}  {} \u00d7 {}", g.arena, g.addresses.size(), size_text(static_cast<double>(g.bytes)));
      svg += fmt::format("<g class=\"huge-row\">{}<rect class=\"huge\" data-count=\"{}\" data-bytes=\"{}\" x=\"{}\" y=\"{}\" "
                         "width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} huge object(s) of {} bytes in arena {}</title></rect>{}</g>\n",
                         text(kMargin, y + 10, what), g.addresses.size(), g.bytes, x0, y, w, kRowHeight - 2, fill_of(kHuge),
                         g.addresses.size(), g.bytes, g.arena,
                         text(x0 + w + 6, y + 10,
                              g.addresses.size() == 1
                                  ? size_text(static_cast<double>(g.bytes))
                                  : fmt::format("{} \u00d7 {} = {}", g.addresses.size(), size_text(static_cast<double>(g.bytes)),
                                                size_text(static_cast<double>(g.bytes) * g.addresses.size()))));
      y += kRowHeight;
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace bentoctl
