// stats/emitter.cc: the text, JSON and Prometheus back ends of the report's emitter.
// Each emitter's state is its own (on the caller's stack); nothing here allocates.
#include "stats/emitter.h"

#include <cstring>

#include "base/fixed_writer.h"
#include "sizeclass/size_classes.h"

namespace bento {

namespace {
constexpr std::size_t kTextWidth = 100;

void append(char* buf, std::size_t cap, std::size_t& len, std::string_view s) noexcept {
  const std::size_t n = s.size() < cap - len ? s.size() : cap - len;
  std::memcpy(buf + len, s.data(), n);
  len += n;
}

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

// ---------------------------------------------------------------- text

void TextEmitter::flush_line() noexcept {
  if (line_len_ == 0) return;
  out_.put(std::string_view(line_, line_len_));
  out_.put("\n");
  line_len_ = 0;
}

void TextEmitter::begin(const char* key, const char* label, bool) noexcept {
  flush_line();
  if (key != nullptr) {
    char head[96];
    FixedWriter w(head, sizeof(head));
    w.print("{:{}}", "", indent());
    if (label != nullptr) w.print("{} {}:", label, key);
    else w.print("{}:", key);
    out_.put(w.view());
    out_.put("\n");
  }
  ++depth_;
}

void TextEmitter::end() noexcept {
  flush_line();
  if (depth_ > 0) --depth_;
}

void TextEmitter::pair(const char* key, std::string_view v) noexcept {
  const std::size_t need = std::strlen(key) + 2 + v.size() + 2;
  if (line_len_ != 0 && line_len_ + need > kTextWidth) flush_line();
  if (line_len_ == 0) {
    for (int i = 0; i < indent() && line_len_ < sizeof(line_); ++i) line_[line_len_++] = ' ';
  } else {
    append(line_, sizeof(line_), line_len_, ", ");
  }
  append(line_, sizeof(line_), line_len_, key);
  append(line_, sizeof(line_), line_len_, ": ");
  append(line_, sizeof(line_), line_len_, v);
}

void TextEmitter::begin_rows(const char* key, const char* label) noexcept {
  flush_line();
  rows_key_ = key;  // headed at the first row: a table with none prints nothing
  in_rows_ = true;
  header_done_ = false;
  row_label_ = label;
  row_index_ = -1;
}

void TextEmitter::row(unsigned index) noexcept {
  if (row_index_ >= 0) flush_row();
  if (row_index_ < 0) {
    char head[96];
    FixedWriter w(head, sizeof(head));
    w.print("{:{}}{}:\n", "", indent(), rows_key_);
    out_.put(w.view());
  }
  row_index_ = index;
  FixedWriter h(head_, sizeof(head_));
  h.print("{:{}}{:>5}", "", indent() + 2, row_label_);
  head_len_ = h.size();
  FixedWriter c(cells_, sizeof(cells_));
  c.print("{:{}}{:>5}", "", indent() + 2, index);
  cells_len_ = c.size();
}

void TextEmitter::cell(const char* key, std::string_view v) noexcept {
  // Every row of a table lays its columns out alike: as wide as the name, 10 at least.
  const std::size_t klen = std::strlen(key);
  const std::size_t width = (klen > 10 ? klen : 10) + 1;
  if (!header_done_) {
    char pad[64];
    FixedWriter w(pad, sizeof(pad));
    w.print("{:>{}}", key, width);
    append(head_, sizeof(head_), head_len_, w.view());
  }
  char pad[64];
  FixedWriter w(pad, sizeof(pad));
  w.print("{:>{}}", v, width);
  append(cells_, sizeof(cells_), cells_len_, w.view());
}

void TextEmitter::flush_row() noexcept {
  if (!header_done_) {
    out_.put(std::string_view(head_, head_len_));
    out_.put("\n");
    header_done_ = true;
  }
  out_.put(std::string_view(cells_, cells_len_));
  out_.put("\n");
}

void TextEmitter::end_rows() noexcept {
  if (row_index_ >= 0) flush_row();
  in_rows_ = false;
  row_index_ = -1;
}

void TextEmitter::value(const StatField& f, std::uint64_t v) noexcept { number_value(f.name, v); }
void TextEmitter::value_signed(const StatField& f, std::int64_t v) noexcept { number_value(f.name, v); }

template <class T>
void TextEmitter::number_value(const char* key, T v) noexcept {
  char buf[24];
  FixedWriter w(buf, sizeof(buf));
  w.print("{}", v);
  if (in_rows_) cell(key, w.view());
  else pair(key, w.view());
}

void TextEmitter::string(const char* key, std::string_view v) noexcept {
  char buf[300];
  FixedWriter w(buf, sizeof(buf));
  w.print("\"{}\"", v);
  pair(key, w.view());
}
void TextEmitter::boolean(const char* key, bool v) noexcept { pair(key, v ? "true" : "false"); }
void TextEmitter::number(const char* key, std::string_view literal) noexcept { pair(key, literal); }

// ---------------------------------------------------------------- JSON

void JsonEmitter::begin_rows(const char* key, const char*) noexcept {
  json_.open_array(key);
  row_open_ = false;
}

void JsonEmitter::row(unsigned) noexcept {
  if (row_open_) json_.close();
  json_.open();
  row_open_ = true;
}

void JsonEmitter::end_rows() noexcept {
  if (row_open_) json_.close();
  row_open_ = false;
  json_.close_array();
}

// ---------------------------------------------------------------- Prometheus

namespace {
// A label value as the exposition format wants it: backslash, quote and newline escaped.
void put_label_value(FixedWriter& w, std::string_view v) noexcept {
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      const char esc[2] = {'\\', c};
      w.put(std::string_view(esc, 2));
    } else if (c == '\n') {
      w.put("\\n");
    } else {
      w.put(std::string_view(&c, 1));
    }
  }
}
}  // namespace

PrometheusEmitter::PrometheusEmitter(ReportOut& out, int pid, std::string_view comm) noexcept : out_(out) {
  FixedWriter w(process_labels_, sizeof(process_labels_) - 1);
  w.print("pid=\"{}\",comm=\"", pid);
  put_label_value(w, comm);
  w.put("\"");
  process_labels_[w.size()] = '\0';
}

void PrometheusEmitter::info(std::string_view version) noexcept {
  char line[ReportOut::kLineMax];
  FixedWriter w(line, sizeof(line));
  w.print("# HELP bento_info The bento library serving this process (always 1).\n# TYPE bento_info gauge\n");
  w.print("bento_info{{{},version=\"", process_labels_);
  put_label_value(w, version);
  w.put("\"} 1\n");
  out_.put(w.view());
}

void PrometheusEmitter::push(const char* name, const char* label, const char* index, bool is_row) noexcept {
  if (depth_ == static_cast<int>(sizeof(stack_) / sizeof(stack_[0]))) return;
  Level& l = stack_[depth_++];
  l.name = name;
  l.label = label;
  l.is_row = is_row;
  FixedWriter w(l.index, sizeof(l.index) - 1);
  w.put(index != nullptr ? index : "");
  l.index[w.size()] = '\0';
}

void PrometheusEmitter::begin(const char* key, const char* label, bool named) noexcept {
  push(label != nullptr ? label : (named ? key : nullptr), label, key, false);
}

void PrometheusEmitter::end() noexcept {
  if (depth_ > 0) --depth_;
}

// A table's rows are named and labelled by its label: bins -> bento_arena_bin_*{bin="3"}.
void PrometheusEmitter::begin_rows(const char*, const char* label) noexcept {
  push(label, nullptr, nullptr, false);
  row_label_ = label;
}

void PrometheusEmitter::row(unsigned index) noexcept {
  if (depth_ > 0 && stack_[depth_ - 1].is_row) --depth_;
  char buf[12];
  FixedWriter w(buf, sizeof(buf) - 1);
  w.print("{}", index);
  buf[w.size()] = '\0';
  push(nullptr, row_label_, buf, true);
}

void PrometheusEmitter::end_rows() noexcept {
  if (depth_ > 0 && stack_[depth_ - 1].is_row) --depth_;
  end();
}

std::size_t PrometheusEmitter::family_name(const StatField& f, char* buf, std::size_t cap) const noexcept {
  FixedWriter w(buf, cap - 1);
  w.put("bento");
  for (int i = 0; i < depth_; ++i) {
    if (stack_[i].name != nullptr) w.print("_{}", stack_[i].name);
  }
  std::string_view name = f.name;
  const bool time = f.unit == StatUnit::kNs || f.unit == StatUnit::kMs;
  if (time && ends_with(name, "_ns")) name.remove_suffix(3);
  if (time && ends_with(name, "_ms")) name.remove_suffix(3);
  w.print("_{}", name);
  if ((f.unit == StatUnit::kBytes || f.unit == StatUnit::kPages) && !ends_with(name, "bytes")) w.put("_bytes");
  if (time) w.put("_seconds");
  if (f.kind == StatKind::kCounter) w.put("_total");
  buf[w.size()] = '\0';
  return w.size();
}

void PrometheusEmitter::value_signed(const StatField& f, std::int64_t v) noexcept {
  if (v < 0) sample(f, static_cast<std::uint64_t>(-v), true);
  else sample(f, static_cast<std::uint64_t>(v), false);
}

void PrometheusEmitter::sample(const StatField& f, std::uint64_t v, bool negative) noexcept {
  const std::size_t place = nvalue_++;
  const bool remembered = place < kMaxValues;
  if (pass_ > 0 && remembered && family_of_[place] != pass_ - 1) return;  // another family's
  char name[160];
  const std::size_t len = family_name(f, name, sizeof(name));
  std::uint64_t id = 1469598103934665603ull;  // FNV-1a of the family name
  for (std::size_t i = 0; i < len; ++i) id = (id ^ static_cast<unsigned char>(name[i])) * 1099511628211ull;
  if (pass_ == 0) {
    std::size_t k = 0;
    while (k < nfamilies_ && families_[k] != id) ++k;
    if (k == nfamilies_ && nfamilies_ < kMaxFamilies) families_[nfamilies_++] = id;
    if (remembered) family_of_[place] = static_cast<std::uint16_t>(k);  // kMaxFamilies: dropped
    return;
  }
  if (families_[pass_ - 1] != id) return;
  if (!header_done_) {
    out_.print("# HELP {} {}\n# TYPE {} {}\n", name, f.doc, name, f.kind == StatKind::kCounter ? "counter" : "gauge");
    header_done_ = true;
  }
  char line[ReportOut::kLineMax];
  FixedWriter w(line, sizeof(line));
  w.print("{}{{{}", name, process_labels_);
  for (int i = 0; i < depth_; ++i) {
    if (stack_[i].label != nullptr) w.print(",{}=\"{}\"", stack_[i].label, stack_[i].index);
  }
  w.put("} ");
  if (negative) w.put("-");
  switch (f.unit) {
    case StatUnit::kPages: w.print("{}", v * kPageSize); break;
    case StatUnit::kNs: w.print("{}.{:09}", v / 1000000000, v % 1000000000); break;
    case StatUnit::kMs: w.print("{}.{:03}", v / 1000, v % 1000); break;
    default: w.print("{}", v); break;
  }
  w.put("\n");
  out_.put(w.view());
}

bool PrometheusEmitter::another_pass() noexcept {
  if (pass_ >= nfamilies_) return false;
  ++pass_;
  header_done_ = false;
  depth_ = 0;
  nvalue_ = 0;
  return true;
}

}  // namespace bento
