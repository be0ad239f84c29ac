#include "procleak/output_sharing.hpp"

#include <linux/kcmp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "procleak/process_handle.hpp"

namespace procleak {
namespace {

// The streams a leftover can keep CTest waiting on: the launcher's stdout and
// stderr (its stdin does not: CTest waits for the output to end).
constexpr int kTestStreams[] = {STDOUT_FILENO, STDERR_FILENO};

bool is_pipe_or_socket(const struct stat& st) { return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode); }

}  // namespace

std::optional<bool> holds_test_output(const ProcFs& proc, pid_t pid) {
  std::vector<int> fds;
  if (const auto ec = proc.list_fds(pid, fds)) {
    if (means_gone(ec) && means_gone(pid_exists(pid))) return false;  // gone: holds nothing
    return std::nullopt;
  }
  const pid_t self = ::getpid();
  bool kcmp_refused = false;
  for (const int fd : fds) {
    for (const int ours : kTestStreams) {
      // kcmp returns 0 when both fds are the same open file description.
      const long r = ::syscall(SYS_kcmp, self, pid, KCMP_FILE, ours, fd);
      if (r == 0) return true;
      if (r < 0 && (errno == EPERM || errno == EACCES || errno == ENOSYS)) kcmp_refused = true;
    }
    if (kcmp_refused) break;
  }
  if (!kcmp_refused) return false;

  // kcmp refused: compare the objects behind the fds. Exact only for pipes
  // and sockets: a match there is certain; no match is certain only when
  // every test stream is one.
  struct stat streams[2]{};
  bool comparable[2]{};
  bool some_unknown = false;
  for (int i = 0; i < 2; ++i) {
    if (::fstat(kTestStreams[i], &streams[i]) != 0) continue;  // closed: nothing to hold
    comparable[i] = is_pipe_or_socket(streams[i]);
    some_unknown |= !comparable[i];
  }
  const std::string dir = proc.root() + '/' + std::to_string(pid) + "/fd/";
  for (const int fd : fds) {
    struct stat st{};
    if (::stat((dir + std::to_string(fd)).c_str(), &st) != 0) {
      if (errno != ENOENT) some_unknown = true;  // ENOENT: closed since the listing
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (comparable[i] && st.st_dev == streams[i].st_dev && st.st_ino == streams[i].st_ino) return true;
    }
  }
  if (some_unknown) return std::nullopt;
  return false;
}

}  // namespace procleak
