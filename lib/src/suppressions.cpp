#include "procleak/suppressions.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "procleak/unique_fd.hpp"

#include "procleak/glob.hpp"
#include "procleak/proc_fs.hpp"

namespace procleak {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// '#' starts a comment at the start of a line or after white space, so a
// glob can still contain '#' (as in "cmdline:*#1*").
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || is_space(line[i - 1]))) return line.substr(0, i);
  }
  return line;
}

// Parses "comm:X", "exe:X" or "cmdline:X" into rule; returns an error or "".
std::string parse_match(std::string_view text, SuppressionRule& rule) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return "expected comm:, exe:, cmdline: or test:GLOB RULE, got '" + std::string(text) + "'";
  }
  const auto kind = text.substr(0, colon);
  const auto pattern = trim(text.substr(colon + 1));
  if (kind == "comm") {
    rule.field = SuppressionRule::Field::comm;
  } else if (kind == "exe") {
    rule.field = SuppressionRule::Field::exe;
  } else if (kind == "cmdline") {
    rule.field = SuppressionRule::Field::cmdline;
  } else if (kind == "test") {
    return "a test: rule needs a rule after its glob (test:GLOB RULE)";
  } else {
    return "unknown rule type '" + std::string(kind) + ":' (expected comm:, exe:, cmdline: or test:)";
  }
  if (pattern.empty()) return "empty pattern after '" + std::string(kind) + ":'";
  rule.pattern = pattern;
  return {};
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out.push_back(' ');
    out += a;
  }
  return out;
}

}  // namespace

std::optional<Suppressions> Suppressions::parse(std::string_view content, std::string_view origin,
                                                std::string& error) {
  Suppressions out;
  int line_no = 0;
  while (!content.empty() || line_no == 0) {
    ++line_no;
    const auto nl = content.find('\n');
    const auto raw = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    const auto line = trim(strip_comment(raw));
    if (line.empty()) {
      if (content.empty()) break;
      continue;
    }
    SuppressionRule rule;
    rule.line = line_no;
    rule.text = line;
    std::string_view match = line;
    if (line.starts_with("test:")) {
      auto rest = line.substr(5);
      const auto space = rest.find_first_of(" \t");
      rule.test_pattern = rest.substr(0, space);
      match = space == std::string_view::npos ? std::string_view() : trim(rest.substr(space));
      if (rule.test_pattern.empty()) {
        error = std::string(origin) + ':' + std::to_string(line_no) + ": empty test glob after 'test:'";
        return std::nullopt;
      }
      if (match.empty()) {
        error = std::string(origin) + ':' + std::to_string(line_no) +
                ": a test: rule needs a rule after its glob (test:GLOB RULE)";
        return std::nullopt;
      }
    }
    if (auto err = parse_match(match, rule); !err.empty()) {
      error = std::string(origin) + ':' + std::to_string(line_no) + ": " + err;
      return std::nullopt;
    }
    out.rules_.push_back(std::move(rule));
    if (content.empty()) break;
  }
  return out;
}

std::optional<Suppressions> Suppressions::load(const std::string& path, std::string& error) {
  // A regular file of a sane size only: a FIFO would block the launcher, and
  // /dev/zero would never end. O_NONBLOCK so that opening a FIFO cannot wait.
  constexpr off_t kMaxSize = 1 << 20;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  struct stat st{};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
    error = path + ": cannot read: " + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
    return std::nullopt;
  }
  if (st.st_size > kMaxSize) {
    error = path + ": larger than 1 MiB (" + std::to_string(st.st_size) + " bytes); is it a suppressions file?";
    return std::nullopt;
  }
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": cannot read: " + std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) break;  // shrank while read
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return parse(content, path, error);
}

std::optional<std::string> Suppressions::match(const Leak& leak, std::string_view test) const {
  std::string cmdline;  // joined once, only if a cmdline rule needs it
  bool have_cmdline = false;
  for (const auto& rule : rules_) {
    if (!rule.test_pattern.empty() && !glob_match(rule.test_pattern, test)) continue;
    bool hit = false;
    switch (rule.field) {
      case SuppressionRule::Field::comm: hit = glob_match(rule.pattern, leak.comm); break;
      case SuppressionRule::Field::exe: hit = !leak.exe.empty() && glob_match(rule.pattern, leak.exe); break;
      case SuppressionRule::Field::cmdline:
        if (!have_cmdline) {
          cmdline = joined(leak.cmdline);
          have_cmdline = true;
        }
        hit = glob_match(rule.pattern, cmdline);
        break;
    }
    if (hit) return rule.text;
  }
  return std::nullopt;
}

void Suppressions::apply(std::vector<Leak>& leaks, std::string_view test) const {
  if (rules_.empty()) return;
  for (auto& leak : leaks) leak.suppressed_by = match(leak, test);
}

}  // namespace procleak
