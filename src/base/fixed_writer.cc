// base/fixed_writer.cc: FixedWriter's formatting, the one place fmt's formatter is
// instantiated for the allocator's messages. No state of its own.
#include "base/fixed_writer.h"

namespace bento {

void FixedWriter::vprint(fmt::string_view f, fmt::format_args args) noexcept {
  const auto room = static_cast<std::size_t>(end_ - pos_);
  const auto r = fmt::vformat_to_n(pos_, room, f, args);
  needed_ += r.size;
  pos_ = r.size < room ? pos_ + r.size : end_;
}

}  // namespace bento
