// ctl/heap_svg.cc: the heap picture. Consecutive pages in the same state are drawn as one
// rectangle, so a row is a few dozen elements, not 512.
#include "heap_svg.h"

#include <fmt/format.h>

#include <sstream>

namespace bentoctl {

namespace {
constexpr const char* kClassChars = "0123456789abcdefghijklmnopqrstuvwxy";
constexpr int kPageWidth = 2, kRowHeight = 14, kLabelWidth = 230, kTop = 40;

std::string colour(char c) {
  switch (c) {
    case 'H': return "#6b6b6b";
    case '.': return "#ffffff";
    case ',': return "#f6c89f";
    case 'L': return "#1f4e8c";
    case 'l': return "#3f78c2";
    default: break;
  }
  const char* at = std::char_traits<char>::find(kClassChars, 35, c);
  if (at == nullptr) return "#ff00ff";
  const int cls = static_cast<int>(at - kClassChars);  // small classes: green to red by size
  return fmt::format("hsl({},65%,{}%)", 120 - cls * 120 / 34, 45 + (cls % 3) * 7);
}

std::string describe(char c) {
  switch (c) {
    case 'H': return "chunk header";
    case '.': return "free (clean)";
    case ',': return "free (dirty)";
    case 'L': return "large object start";
    case 'l': return "large object";
    default: break;
  }
  const char* at = std::char_traits<char>::find(kClassChars, 35, c);
  return at == nullptr ? "unknown" : fmt::format("small, class {}", at - kClassChars);
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
  const int pages = map.chunks.empty() ? 512 : static_cast<int>(map.chunks.front().pages.size());
  const int width = kLabelWidth + pages * kPageWidth + 20;
  const int legend_top = kTop + static_cast<int>(map.chunks.size()) * kRowHeight + 20;
  const int height = legend_top + 70 + static_cast<int>(map.huge.size()) * 16;
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"monospace\" "
      "font-size=\"11\">\n"
      "<title>bento heap of pid {}</title>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\">bento heap of pid {}: {} chunks, {} huge objects "
      "(one row per 2 MiB chunk, one column per page)</text>\n",
      width, height, pid, pid, map.chunks.size(), map.huge.size());
  int y = kTop;
  for (const ChunkRow& r : map.chunks) {
    svg += fmt::format("<g class=\"chunk\" data-arena=\"{}\" data-address=\"{}\">\n", r.arena, escape(r.address));
    svg += fmt::format("<text x=\"10\" y=\"{}\">arena {:>3} {}</text>\n", y + 10, r.arena, escape(r.address));
    for (std::size_t i = 0; i < r.pages.size();) {
      std::size_t j = i;
      while (j < r.pages.size() && r.pages[j] == r.pages[i]) ++j;
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>pages {}-{}: {}</title></rect>\n",
                         kLabelWidth + static_cast<int>(i) * kPageWidth, y, static_cast<int>(j - i) * kPageWidth,
                         kRowHeight - 2, colour(r.pages[i]), i, j - 1, describe(r.pages[i]));
      i = j;
    }
    svg += "</g>\n";
    y += kRowHeight;
  }
  // Legend, two rows.
  const std::string keys = "H.,Ll0ay";
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const int x = 10 + static_cast<int>(k % 4) * 190, ly = legend_top + static_cast<int>(k / 4) * 18;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"#999\"/>"
                       "<text x=\"{}\" y=\"{}\">{}</text>\n",
                       x, ly, colour(keys[k]), x + 16, ly + 10, escape(describe(keys[k])));
  }
  y = legend_top + 50;
  for (const HugeObject& h : map.huge) {
    svg += fmt::format("<text x=\"10\" y=\"{}\">huge object in arena {} at {}: {} bytes</text>\n", y, h.arena,
                       escape(h.address), h.bytes);
    y += 16;
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace bentoctl
