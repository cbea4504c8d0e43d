// ctl/heap_svg.h: turns the daemon's `map` answer into an SVG picture of the heap: one row
// per chunk, pages coloured by size class, free (clean or dirty), large and header pages,
// so fragmentation shows at a glance. Also the parsed form for --json.
#pragma once
#include <string>
#include <vector>

namespace bentoctl {

struct ChunkRow {
  int arena;
  std::string address;
  std::string pages;  // one character per page (see doc/daemon.md)
};
struct HugeObject {
  int arena;
  std::string address;
  unsigned long long bytes;
};
struct HeapMap {
  std::vector<ChunkRow> chunks;
  std::vector<HugeObject> huge;
};

HeapMap parse_map(const std::string& body);
std::string render_svg(const HeapMap& map, int pid);

}  // namespace bentoctl
