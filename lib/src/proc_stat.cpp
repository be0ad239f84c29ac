#include "procleak/proc_stat.hpp"

#include <charconv>

namespace procleak {
namespace {

// Splits the space-separated fields after comm, one at a time.
class FieldReader {
 public:
  explicit FieldReader(std::string_view rest) : rest_(rest) {}

  std::string_view next() {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    const auto end = rest_.find_first_of(" \n");
    const auto field = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end);
    return field;
  }

 private:
  std::string_view rest_;
};

template <typename T>
bool to_number(std::string_view field, T& out) {
  if (field.empty()) return false;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  return ec == std::errc{} && end == field.data() + field.size();
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view content) noexcept {
  // "pid (comm) state ppid pgrp session ... starttime ...". comm is free text,
  // so it runs from the first '(' to the LAST ')': a name like "a) (b" must
  // not shift the fields after it.
  const auto open = content.find('(');
  const auto close = content.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      open == 0 || content[open - 1] != ' ') {
    return std::nullopt;
  }
  ProcStat stat;
  if (!to_number(content.substr(0, open - 1), stat.pid) || stat.pid <= 0) return std::nullopt;
  try {
    stat.comm.assign(content.substr(open + 1, close - open - 1));
  } catch (...) {
    return std::nullopt;
  }

  FieldReader fields(content.substr(close + 1));
  const auto state = fields.next();  // field 3
  if (state.size() != 1) return std::nullopt;
  stat.state = state.front();
  if (!to_number(fields.next(), stat.ppid)) return std::nullopt;     // 4
  if (!to_number(fields.next(), stat.pgrp)) return std::nullopt;     // 5
  if (!to_number(fields.next(), stat.session)) return std::nullopt;  // 6
  // Fields 7..19 are not used; 20 is num_threads, 22 starttime.
  for (int field = 7; field <= 19; ++field) {
    if (fields.next().empty()) return std::nullopt;
  }
  if (!to_number(fields.next(), stat.num_threads)) return std::nullopt;  // 20
  if (fields.next().empty()) return std::nullopt;                         // 21
  if (!to_number(fields.next(), stat.start_time)) return std::nullopt;    // 22
  // The kernel always writes more fields after starttime: requiring the next
  // one means a read cut short inside starttime is rejected, not misread.
  if (fields.next().empty()) return std::nullopt;                         // 23
  // 24..31 are not used; 32 blocked, 33 sigignore, when present.
  for (int field = 24; field <= 31; ++field) {
    if (fields.next().empty()) return stat;
  }
  std::uint64_t blocked = 0;
  std::uint64_t ignored = 0;
  if (to_number(fields.next(), blocked) && to_number(fields.next(), ignored)) {
    stat.signal_masks_known = true;
    stat.blocked = blocked;
    stat.ignored = ignored;
  }
  return stat;
}

}  // namespace procleak
