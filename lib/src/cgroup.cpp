#include "procleak/cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>

#include "procleak/process_handle.hpp"

namespace procleak {
namespace {

std::error_code errno_code(int err = errno) { return {err, std::generic_category()}; }

std::error_code read_fd(int fd, std::string& out) {
  out.clear();
  char buf[4096];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0) return errno_code();
    if (n == 0) return {};
    out.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
}

std::error_code read_file(const std::string& path, std::string& out) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_code();
  return read_fd(fd.get(), out);
}

std::error_code write_file(const std::string& path, std::string_view text) {
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_code();
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) return errno_code();
  return {};
}

// The value of "key N" in a flat-keyed file (cgroup.events, cpu.stat).
std::optional<std::uint64_t> keyed_value(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(at, end - at);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      std::uint64_t v = 0;
      const auto digits = line.substr(key.size() + 1);
      if (std::from_chars(digits.data(), digits.data() + digits.size(), v).ec == std::errc{}) return v;
      return std::nullopt;
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> single_value(const std::string& path) {
  std::string text;
  if (read_file(path, text)) return std::nullopt;
  std::uint64_t v = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), v).ec != std::errc{}) return std::nullopt;
  return v;
}

// Mountinfo escapes spaces and the like in paths as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (std::size_t k = 1; k <= 3; ++k) {
        const char c = s[i + k];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Every directory below dir, deepest first.
void subdirectories(const std::string& dir, std::vector<std::string>& out, int depth = 0) {
  if (depth > 64) return;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> here;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR || std::string_view(e->d_name) == "." || std::string_view(e->d_name) == "..") continue;
    here.push_back(dir + '/' + e->d_name);
  }
  ::closedir(d);
  for (const auto& sub : here) {
    subdirectories(sub, out, depth + 1);
    out.push_back(sub);
  }
}

// Waits until cgroup.events has key at want (poll wakes on every change).
std::error_code wait_for_event(int events_fd, std::string_view key, std::uint64_t want, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string text;
  for (;;) {
    if (auto ec = read_fd(events_fd, text)) return ec;
    const auto v = keyed_value(text, key);
    if (!v) return errno_code(EINVAL);
    if (*v == want) return {};
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= Duration::zero()) return errno_code(ETIMEDOUT);
    pollfd p{events_fd, POLLPRI, 0};
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(ms, 1000))) < 0 && errno != EINTR) return errno_code();
  }
}

}  // namespace

OwnCgroup find_own_cgroup(const ProcFs& proc) {
  OwnCgroup out;
  std::string text;
  if (auto ec = read_file(proc.root() + "/self/cgroup", text)) {
    out.why_not = "cannot read /proc/self/cgroup (" + ec.message() + ")";
    return out;
  }
  std::string path;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  }
  if (path.empty()) {
    out.why_not = "no cgroup v2 hierarchy (no \"0::\" line in /proc/self/cgroup)";
    return out;
  }
  // "(deleted)" or a path outside our cgroup namespace: not usable.
  if (path.front() != '/') {
    out.why_not = "this process's cgroup v2 path is not usable (" + path + ")";
    return out;
  }
  // Where cgroup2 usually is, checked before the mount table is read (the
  // kernel writes mountinfo out whole, about 0.1 ms): the folder must be on
  // a cgroup2 file system and list this process in its cgroup.procs.
  if (proc.root() == "/proc") {
    for (const char* mount_point : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      const std::string dir = std::string(mount_point) + (path == "/" ? "" : path);
      struct statfs fs{};
      if (::statfs(dir.c_str(), &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) continue;
      std::string procs;
      if (read_file(dir + "/cgroup.procs", procs)) continue;
      std::vector<pid_t> pids;
      for (char& c : procs) {
        if (c == '\n') c = ' ';
      }
      parse_pid_list(procs, pids);
      if (std::find(pids.begin(), pids.end(), ::getpid()) == pids.end()) continue;
      out.dir = dir;
      out.path = path;
      return out;
    }
  }
  if (auto ec = read_file(proc.root() + "/self/mountinfo", text)) {
    out.why_not = "cannot read /proc/self/mountinfo (" + ec.message() + ")";
    return out;
  }
  std::istringstream mounts(text);
  for (std::string line; std::getline(mounts, line);) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream before(line.substr(0, dash));
    std::string id, parent, devno, root, mount_point;
    before >> id >> parent >> devno >> root >> mount_point;
    root = unescape(root);
    mount_point = unescape(mount_point);
    // The mount shows the hierarchy from root down: our cgroup must be at or below it.
    std::string rel;
    if (root == "/") {
      rel = path == "/" ? "" : path;
    } else if (path == root) {
      rel = "";
    } else if (path.rfind(root + '/', 0) == 0) {
      rel = path.substr(root.size());
    } else {
      continue;
    }
    struct stat st{};
    const std::string dir = mount_point + rel;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    out.dir = dir;
    out.path = path;
    return out;
  }
  out.why_not = "no cgroup2 mount shows this process's cgroup (" + path + ")";
  return out;
}

std::string cgroup_name(const LauncherIdentity& id) {
  return "procleak-" + std::to_string(id.pid_namespace) + '-' + std::to_string(id.front_pid) + '.' +
         std::to_string(id.front_start) + '-' + std::to_string(id.keeper_pid) + '.' + std::to_string(id.keeper_start);
}

std::uint64_t own_pid_namespace(const ProcFs& proc) {
  char link[64];
  const ssize_t n = ::readlink((proc.root() + "/self/ns/pid").c_str(), link, sizeof link - 1);
  if (n <= 0) return 0;
  const std::string_view text(link, static_cast<std::size_t>(n));  // "pid:[4026531836]"
  const auto open = text.find('[');
  std::uint64_t inode = 0;
  if (open == std::string_view::npos ||
      std::from_chars(text.data() + open + 1, text.data() + text.size(), inode).ec != std::errc{}) {
    return 0;
  }
  return inode;
}

std::optional<LauncherIdentity> parse_cgroup_name(std::string_view name) {
  constexpr std::string_view kPrefix = "procleak-";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  LauncherIdentity id;
  const char* p = name.data();
  const char* end = name.data() + name.size();
  const auto number = [&](auto& v, char then) {
    const auto r = std::from_chars(p, end, v);
    if (r.ec != std::errc{} || r.ptr == p) return false;
    p = r.ptr;
    if (then == '\0') return p == end;
    if (p == end || *p != then) return false;
    ++p;
    return true;
  };
  if (!number(id.pid_namespace, '-') || !number(id.front_pid, '.') || !number(id.front_start, '-') ||
      !number(id.keeper_pid, '.') || !number(id.keeper_start, '\0')) {
    return std::nullopt;
  }
  if (id.pid_namespace == 0 || id.front_pid <= 1 || id.keeper_pid <= 1) return std::nullopt;
  return id;
}

namespace {
// Gone on the kernel's word, or a start time that is not the one recorded
// (the PID serves another process), or a corpse (it holds nothing any more).
bool process_gone(const ProcFs& proc, pid_t pid, std::uint64_t start) {
  ProcStat st;
  const auto ec = proc.read_stat(pid, st);
  if (!ec) return st.start_time != start || st.is_zombie();
  return means_gone(ec) && means_gone(pid_exists(pid));
}
}  // namespace

bool launcher_gone(const ProcFs& proc, const LauncherIdentity& id) {
  if (id.pid_namespace == 0 || id.pid_namespace != own_pid_namespace(proc)) return false;  // its PIDs are not ours
  return process_gone(proc, id.front_pid, id.front_start) && process_gone(proc, id.keeper_pid, id.keeper_start);
}

std::error_code TestCgroup::create(const std::string& parent_dir, const std::string& name, TestCgroup& out) {
  out = TestCgroup();
  const std::string dir = parent_dir + '/' + name;
  if (::mkdir(dir.c_str(), 0755) != 0) return errno_code();
  out.dir_ = dir;
  if (auto ec = out.open_files()) {
    (void)::rmdir(dir.c_str());
    out = TestCgroup();
    return ec;
  }
  return {};
}

std::error_code TestCgroup::open_existing(const std::string& dir, TestCgroup& out) {
  out = TestCgroup();
  out.dir_ = dir;
  if (auto ec = out.open_files()) {
    out = TestCgroup();
    return ec;
  }
  return {};
}

std::error_code TestCgroup::open_files() {
  // Writing into cgroup.procs takes write access to it here and to the
  // cgroup.procs of the cgroup the process leaves: checked when the test's
  // child joins, which fails the spawn (and auto falls back).
  dir_fd_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd_.valid()) return errno_code();
  procs_.reset(::open((dir_ + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!procs_.valid()) return errno_code();
  events_.reset(::open((dir_ + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
  if (!events_.valid()) return errno_code();
  return {};
}

std::error_code TestCgroup::set_note(const std::string& key, const std::string& value) const {
  const std::string name = "user.procleak." + key;
  if (::setxattr(dir_.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) return errno_code();
  return {};
}

std::optional<std::string> TestCgroup::note(const std::string& key) const {
  const std::string name = "user.procleak." + key;
  std::string value(4096, '\0');
  const ssize_t n = ::getxattr(dir_.c_str(), name.c_str(), value.data(), value.size());
  if (n < 0) return std::nullopt;
  value.resize(static_cast<std::size_t>(n));
  return value;
}

std::error_code TestCgroup::populated(bool& out) const {
  std::string text;
  if (auto ec = read_fd(events_.get(), text)) return ec;
  const auto v = keyed_value(text, "populated");
  if (!v) return errno_code(EINVAL);
  out = *v != 0;
  return {};
}

std::error_code TestCgroup::wait_empty(Duration timeout) const {
  return wait_for_event(events_.get(), "populated", 0, timeout);
}

std::error_code TestCgroup::freeze(Duration timeout) const {
  if (auto ec = write_file(dir_ + "/cgroup.freeze", "1")) return ec;
  return wait_for_event(events_.get(), "frozen", 1, timeout);
}

std::error_code TestCgroup::thaw() const { return write_file(dir_ + "/cgroup.freeze", "0"); }

std::error_code TestCgroup::members(std::vector<pid_t>& out) const {
  out.clear();
  std::vector<std::string> dirs;
  subdirectories(dir_, dirs);
  dirs.push_back(dir_);
  std::string text;
  for (const auto& d : dirs) {
    if (auto ec = read_file(d + "/cgroup.procs", text)) {
      if (ec.value() == ENOENT) continue;  // removed meanwhile
      return ec;
    }
    // One PID per line.
    for (char& c : text) {
      if (c == '\n') c = ' ';
    }
    parse_pid_list(text, out);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return {};
}

std::error_code TestCgroup::kill_all() const { return write_file(dir_ + "/cgroup.kill", "1"); }

std::error_code TestCgroup::remove() {
  std::vector<std::string> dirs;
  // The common case, a cgroup the test made none below: one rmdir.
  if (::rmdir(dir_.c_str()) != 0 && errno != ENOENT) subdirectories(dir_, dirs);
  if (!dirs.empty() || ::access(dir_.c_str(), F_OK) == 0) dirs.push_back(dir_);
  for (const auto& d : dirs) {
    if (::rmdir(d.c_str()) == 0 || errno == ENOENT) continue;
    // EBUSY: a process still on its way out (killed, not yet past the
    // point where it leaves its cgroup). Waited for on cgroup.events, once.
    if (errno != EBUSY || wait_empty(std::chrono::seconds(1)) || (::rmdir(d.c_str()) != 0 && errno != ENOENT)) {
      return errno_code();
    }
  }
  dir_fd_.reset();
  procs_.reset();
  events_.reset();
  return {};
}

CgroupResources TestCgroup::resources() const {
  CgroupResources r;
  std::string text;
  if (!read_file(dir_ + "/cpu.stat", text)) r.cpu_usec = keyed_value(text, "usage_usec");
  r.memory_peak_bytes = single_value(dir_ + "/memory.peak");
  r.pids_peak = single_value(dir_ + "/pids.peak");
  return r;
}

std::optional<bool> in_cgroup(const ProcFs& proc, pid_t pid, const std::string& cgroup_path) {
  std::string text;
  if (read_file(proc.root() + '/' + std::to_string(pid) + "/cgroup", text)) return std::nullopt;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("0::", 0) != 0) continue;
    const std::string path = line.substr(3);
    return path == cgroup_path || path.rfind(cgroup_path + '/', 0) == 0;
  }
  return std::nullopt;
}

}  // namespace procleak
