#include "procleak/proc_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "procleak/unique_fd.hpp"

namespace procleak {
namespace {

// A file that is missing under /proc/<pid> means the process is gone.
std::error_code gone_or(int err) {
  if (err == ENOENT || err == ESRCH) return std::make_error_code(std::errc::no_such_process);
  return {err, std::generic_category()};
}

bool parse_pid(std::string_view text, pid_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out > 0;
}

// Calls fn(name) for each numeric entry of a directory: PIDs and TIDs are
// positive, fd numbers start at 0 (min_value).
template <typename Fn>
std::error_code for_each_numeric_entry(const std::string& path, Fn&& fn, int min_value = 1) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return gone_or(errno);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    int n = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc{} && end == name.data() + name.size() && !name.empty() && n >= min_value) fn(n);
  }
  ::closedir(dir);
  return {};
}

}  // namespace

void parse_pid_list(std::string_view rest, std::vector<pid_t>& out) {
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    pid_t pid = 0;
    if (parse_pid(rest.substr(0, space), pid)) out.push_back(pid);
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
}

namespace {

// Reads a whole file. With one_record, the file is a single record that the
// kernel hands out whole (/proc/<pid>/stat): a read that returns less than was
// asked for has all of it, so no second read waits for the end of the file
// (one system call fewer per process on every walk, sweep and scan).
std::error_code read_file(const std::string& path, std::string& out, bool one_record) {
  out.clear();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return gone_or(errno);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return gone_or(errno);
    }
    out.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || (one_record && static_cast<std::size_t>(n) < sizeof buf)) return {};
  }
}

}  // namespace

std::error_code read_small_file(const std::string& path, std::string& out) { return read_file(path, out, false); }

std::error_code check_proc_is_ours(const ProcFs& proc, std::string& why) {
  char buf[32];
  const std::string link = proc.root() + "/self";
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) {
    const int err = errno;
    why = "cannot read " + link + ": " + std::strerror(err) + " (is /proc mounted?)";
    return {err, std::generic_category()};
  }
  const std::string_view self(buf, static_cast<std::size_t>(n));
  const std::string ours = std::to_string(::getpid());
  if (self == ours) return {};
  why = proc.root() + " belongs to another PID namespace (" + link + " is " + std::string(self) +
        ", this process is PID " + ours + "): mount a /proc for this namespace (unshare --mount-proc, "
        "bwrap --proc /proc) or use --mode off";
  return std::make_error_code(std::errc::invalid_argument);
}

ProcFs::ProcFs(std::string root) : root_(std::move(root)) {}

std::error_code ProcFs::read_stat(pid_t pid, ProcStat& out) const {
  std::string content;
  if (auto ec = read_file(root_ + '/' + std::to_string(pid) + "/stat", content, /*one_record=*/true)) return ec;
  // An empty stat is what a process that vanished mid-read leaves behind.
  if (content.empty()) return std::make_error_code(std::errc::no_such_process);
  auto parsed = parse_proc_stat(content);
  if (!parsed) return std::make_error_code(std::errc::illegal_byte_sequence);
  out = std::move(*parsed);
  return {};
}

std::error_code ProcFs::read_cmdline(pid_t pid, std::vector<std::string>& out) const {
  out.clear();
  std::string content;
  if (auto ec = read_small_file(root_ + '/' + std::to_string(pid) + "/cmdline", content)) return ec;
  // NUL-separated, usually NUL-terminated; a process that rewrote its argv may
  // leave the last one unterminated.
  std::size_t start = 0;
  while (start < content.size()) {
    auto end = content.find('\0', start);
    if (end == std::string::npos) end = content.size();
    out.emplace_back(content, start, end - start);
    start = end + 1;
  }
  return {};
}

std::error_code ProcFs::read_children(pid_t pid, long num_threads, std::vector<pid_t>& out) const {
  const std::string task_dir = root_ + '/' + std::to_string(pid) + "/task";
  auto read_one = [&](pid_t tid) -> std::error_code {
    std::string content;
    if (auto ec = read_small_file(task_dir + '/' + std::to_string(tid) + "/children", content)) {
      return ec;
    }
    parse_pid_list(content, out);
    return {};
  };
  if (num_threads == 1) {
    const auto ec = read_one(pid);
    // The leader may have exited while other threads run on: list them.
    if (ec != std::errc::no_such_process) return ec;
  }
  std::error_code first_error;
  auto ec = for_each_numeric_entry(task_dir, [&](pid_t tid) {
    // A thread that exits during the listing is simply skipped.
    if (auto e = read_one(tid); e && e != std::errc::no_such_process && !first_error) first_error = e;
  });
  return ec ? ec : first_error;
}

std::error_code ProcFs::read_exe(pid_t pid, std::string& out) const {
  out.clear();
  char buf[4096];
  const std::string link = root_ + '/' + std::to_string(pid) + "/exe";
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  if (n < 0) return gone_or(errno);
  out.assign(buf, static_cast<std::size_t>(n));
  return {};
}

std::error_code ProcFs::list_fds(pid_t pid, std::vector<int>& out) const {
  out.clear();
  return for_each_numeric_entry(
      root_ + '/' + std::to_string(pid) + "/fd", [&](int fd) { out.push_back(fd); }, /*min_value=*/0);
}

}  // namespace procleak
