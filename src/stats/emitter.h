// stats/emitter.h: the report's one emitter interface and its three back ends. The report
// (report.cc) walks a snapshot once, in sections and rows, and hands every value with its
// table row (config/stat_fields.h); each back end renders the same walk:
//   TextEmitter        sections as headings, values as "name: value" runs, rows as tables
//   JsonEmitter        sections as objects, rows as arrays, values under their names
//   PrometheusEmitter  one family per (section path, name), samples labelled with the
//                      process (pid, comm) and by the instance sections (arena="3",
//                      bin="7"), then a bento_info series; the walk is repeated once
//                      per family so each family's samples come together, as the
//                      exposition format requires. The first pass names every value's
//                      family and keeps its number by the value's place in the walk
//                      (the walk is the same every pass), so a later pass skips the
//                      values of other families without naming them.
// Nothing here allocates: output goes through ReportOut's fixed buffer. State lives in the
// emitter object, on the caller's stack.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/stat_fields.h"
#include "stats/report_out.h"

namespace bento {

class Emitter {
 public:
  virtual ~Emitter() = default;
  // A section. With `label` set, an instance of one (key is its index: arena 3 is
  // begin("3", "arena")); Prometheus labels its samples by it, text heads it "arena 3".
  // `named`: whether the key is part of Prometheus's family names (false for wrappers
  // such as "stats"; a labelled section contributes its label).
  virtual void begin(const char* key, const char* label = nullptr, bool named = true) noexcept = 0;
  virtual void end() noexcept = 0;
  // A table: rows of the same fields, one per index (bins, large classes).
  virtual void begin_rows(const char* key, const char* label) noexcept = 0;
  virtual void row(unsigned index) noexcept = 0;  // starts row `index`, ends the one before
  virtual void end_rows() noexcept = 0;
  // A value and the facts of its row.
  virtual void value(const StatField& f, std::uint64_t v) noexcept = 0;
  virtual void value_signed(const StatField& f, std::int64_t v) noexcept = 0;
  // Descriptive values (options, version): text and JSON only.
  virtual void string(const char* key, std::string_view v) noexcept = 0;
  virtual void boolean(const char* key, bool v) noexcept = 0;
  virtual void number(const char* key, std::string_view literal) noexcept = 0;
  // Prometheus only: the walk is repeated while this says so.
  virtual bool another_pass() noexcept { return false; }
};

// Emits a value of any table type with its row.
inline void emit(Emitter& e, const StatField& f, long v) noexcept { e.value_signed(f, v); }
template <class T>
inline void emit(Emitter& e, const StatField& f, T v) noexcept {
  e.value(f, static_cast<std::uint64_t>(v));
}

class TextEmitter final : public Emitter {
 public:
  explicit TextEmitter(ReportOut& out) noexcept : out_(out) {}
  ~TextEmitter() override { flush_line(); }
  void begin(const char* key, const char* label, bool named) noexcept override;
  void end() noexcept override;
  void begin_rows(const char* key, const char* label) noexcept override;
  void row(unsigned index) noexcept override;
  void end_rows() noexcept override;
  void value(const StatField& f, std::uint64_t v) noexcept override;
  void value_signed(const StatField& f, std::int64_t v) noexcept override;
  void string(const char* key, std::string_view v) noexcept override;
  void boolean(const char* key, bool v) noexcept override;
  void number(const char* key, std::string_view literal) noexcept override;

 private:
  // Headings at the depth of their section's parent; the outermost section has none.
  int indent() const noexcept { return depth_ > 1 ? 2 * (depth_ - 1) : 0; }
  void pair(const char* key, std::string_view v) noexcept;
  template <class T>
  void number_value(const char* key, T v) noexcept;  // a cell in a table, else a pair
  void cell(const char* key, std::string_view v) noexcept;
  void flush_line() noexcept;
  void flush_row() noexcept;

  ReportOut& out_;
  int depth_ = 0;
  char line_[ReportOut::kLineMax];
  std::size_t line_len_ = 0;
  // The table being written: a header from the first row's names, then one line a row.
  bool in_rows_ = false;
  const char* rows_key_ = nullptr;
  bool header_done_ = false;
  const char* row_label_ = nullptr;
  long row_index_ = -1;
  char head_[ReportOut::kLineMax];
  std::size_t head_len_ = 0;
  char cells_[ReportOut::kLineMax];
  std::size_t cells_len_ = 0;
};

class JsonEmitter final : public Emitter {
 public:
  explicit JsonEmitter(ReportOut& out) noexcept : json_(out) {}
  void begin(const char* key, const char*, bool) noexcept override { json_.open(key); }
  void end() noexcept override { json_.close(); }
  void begin_rows(const char* key, const char*) noexcept override;
  void row(unsigned index) noexcept override;
  void end_rows() noexcept override;
  void value(const StatField& f, std::uint64_t v) noexcept override { json_.value(f.name, v); }
  void value_signed(const StatField& f, std::int64_t v) noexcept override { json_.value(f.name, v); }
  void string(const char* key, std::string_view v) noexcept override { json_.string(key, v); }
  void boolean(const char* key, bool v) noexcept override { json_.value(key, v); }
  void number(const char* key, std::string_view literal) noexcept override { json_.raw(key, literal); }

 private:
  JsonOut json_;
  bool row_open_ = false;
};

class PrometheusEmitter final : public Emitter {
 public:
  // pid and comm label every sample (comm escaped as a label value).
  PrometheusEmitter(ReportOut& out, int pid, std::string_view comm) noexcept;
  void begin(const char* key, const char* label, bool named) noexcept override;
  void end() noexcept override;
  void begin_rows(const char* key, const char* label) noexcept override;
  void row(unsigned index) noexcept override;
  void end_rows() noexcept override;
  void value(const StatField& f, std::uint64_t v) noexcept override { sample(f, v, false); }
  void value_signed(const StatField& f, std::int64_t v) noexcept override;
  void string(const char*, std::string_view) noexcept override {}
  void boolean(const char*, bool) noexcept override {}
  void number(const char*, std::string_view) noexcept override {}
  bool another_pass() noexcept override;
  // After the last pass: bento_info{pid,comm,version} 1.
  void info(std::string_view version) noexcept;

  static constexpr std::size_t kMaxFamilies = 512;
  // Values whose family the first pass remembers; those after are named on every pass.
  static constexpr std::size_t kMaxValues = 8192;

 private:
  struct Level {
    const char* name;   // its part of the family names, or null
    const char* label;  // set: a labelled level, whose instance is `index`
    char index[24];
    bool is_row;
  };
  void push(const char* name, const char* label, const char* index, bool is_row) noexcept;
  void sample(const StatField& f, std::uint64_t v, bool negative) noexcept;
  std::size_t family_name(const StatField& f, char* buf, std::size_t cap) const noexcept;

  ReportOut& out_;
  char process_labels_[96];  // pid="..",comm=".."
  Level stack_[8];
  int depth_ = 0;
  const char* row_label_ = nullptr;
  // Pass 0 lists the families in the order first met; pass k > 0 writes family k - 1.
  std::uint64_t families_[kMaxFamilies];
  std::size_t nfamilies_ = 0;
  std::size_t pass_ = 0;
  std::uint16_t family_of_[kMaxValues];  // by the value's place in the walk
  std::size_t nvalue_ = 0;               // the place of the next value in this pass
  bool header_done_ = false;
};

}  // namespace bento
