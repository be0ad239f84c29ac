#include "process_oracle.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

namespace procleak_test {

std::vector<OracleProcess> scan_all_processes() {
  std::vector<OracleProcess> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (const dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream status(std::string("/proc/") + e->d_name + "/status");
    OracleProcess p;
    p.pid = static_cast<pid_t>(pid);
    std::string line;
    bool have_ppid = false;
    while (std::getline(status, line)) {
      if (line.rfind("Name:\t", 0) == 0) p.name = line.substr(6);
      if (line.rfind("State:\t", 0) == 0 && line.size() > 7) p.state = line[7];
      if (line.rfind("PPid:\t", 0) == 0) {
        p.ppid = static_cast<pid_t>(std::strtol(line.c_str() + 6, nullptr, 10));
        have_ppid = true;
      }
    }
    if (have_ppid) out.push_back(p);
  }
  closedir(dir);
  return out;
}

std::vector<OracleProcess> descendants_of(pid_t root) {
  const auto all = scan_all_processes();
  std::multimap<pid_t, const OracleProcess*> by_parent;
  for (const auto& p : all) by_parent.emplace(p.ppid, &p);
  std::vector<OracleProcess> out;
  std::vector<pid_t> frontier{root};
  while (!frontier.empty()) {
    const pid_t parent = frontier.back();
    frontier.pop_back();
    const auto [lo, hi] = by_parent.equal_range(parent);
    for (auto it = lo; it != hi; ++it) {
      out.push_back(*it->second);
      frontier.push_back(it->second->pid);
    }
  }
  return out;
}

bool exists(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  return status.good();
}

bool is_running(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:\t", 0) == 0) return line.size() > 7 && line[7] != 'Z' && line[7] != 'X';
  }
  return false;
}

void become_subreaper_or_die() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    std::perror("prctl(PR_SET_CHILD_SUBREAPER)");
    std::abort();
  }
}

int kill_all_descendants() {
  int killed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    const auto left = descendants_of(getpid());
    if (left.empty() || std::chrono::steady_clock::now() > deadline) return killed;
    for (const auto& p : left) {
      if (p.state == 'Z' || p.pid <= 1 || p.pid == getpid()) continue;
      const int fd = static_cast<int>(syscall(SYS_pidfd_open, p.pid, 0));
      if (fd < 0) continue;
      if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0) == 0) ++killed;
      close(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool outside_initial_pid_namespace() {
  struct stat st{};
  return ::stat("/proc/self/ns/pid", &st) == 0 && st.st_ino != 0xEFFFFFFCu;
}

bool lineage_refused(const nlohmann::json& report) {
  const auto& why = report["lineage_unavailable"];
  if (why.is_null()) return false;
  const std::string reason = why.is_string() ? why.get<std::string>() : why.dump();
  const bool other_namespace = outside_initial_pid_namespace() &&
                               reason.find("PID namespace other than the initial one") != std::string::npos;
  // The program under test runs as nobody where in_environment.sh says so.
  const char* unprivileged = std::getenv("PROCLEAK_TEST_UNPRIVILEGED");
  const bool root = ::geteuid() == 0 && (unprivileged == nullptr || std::string(unprivileged) != "1");
  const char* no_connector = std::getenv("PROCLEAK_TEST_NO_CONNECTOR");  // refused by seccomp, even to root
  const bool refusable = !root || (no_connector != nullptr && std::string(no_connector) == "1");
  const bool refused_to_user = refusable && reason.find("process-events connector") != std::string::npos &&
                               reason.find("(EPERM)") != std::string::npos;
  EXPECT_TRUE(other_namespace || refused_to_user)
      << "lineage unavailable where this environment gives no reason for it: " << reason;
  for (const auto& leak : report["leaks"]) EXPECT_TRUE(leak["lineage"].is_null()) << leak.dump(2);
  return true;
}

}  // namespace procleak_test
