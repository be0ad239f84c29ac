#include "report_target.hpp"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "procleak/report_json.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak::launcher {
namespace {

std::string folder_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

const char* what_it_is(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  return "not a file procleak-run writes";
}

}  // namespace

std::string check_writable_folder(const std::string& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) return dir + ": " + std::strerror(errno);
  if (!S_ISDIR(st.st_mode)) return dir + ": not a folder";
  // AT_EACCESS: as the effective user, who creates the files; EROFS too.
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    return dir + ": cannot create files there: " + std::strerror(errno);
  }
  return {};
}

ReportTarget resolve_report_target(const std::string& path, std::string& error) {
  ReportTarget target;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {  // follows symlinks to what they name
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
      target.kind = ReportTarget::Kind::stream;
      target.path = path;
      return target;
    }
    if (!S_ISREG(st.st_mode)) {
      error = path + ": is " + what_it_is(st.st_mode) + "; the report goes into a file, a FIFO or a device";
      return {};
    }
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) {
      error = path + ": " + std::strerror(errno);
      return {};
    }
    target.path = resolved;
  } else if (errno == ENOENT) {
    // Nothing there, or a symlink to nothing: the name to create is at the
    // end of the links (at most 40, as the kernel follows them).
    std::string name = path;
    for (int hops = 0;; ++hops) {
      struct stat lst{};
      if (::lstat(name.c_str(), &lst) != 0 || !S_ISLNK(lst.st_mode)) break;
      if (hops == 40) {
        error = path + ": too many levels of symbolic links";
        return {};
      }
      char link[PATH_MAX];
      const ssize_t n = ::readlink(name.c_str(), link, sizeof link - 1);
      if (n < 0) {
        error = path + ": " + std::strerror(errno);
        return {};
      }
      link[n] = '\0';
      name = link[0] == '/' ? std::string(link) : folder_of(name) + '/' + link;
    }
    target.path = name;
  } else {
    error = path + ": " + std::strerror(errno);
    return {};
  }
  if (auto why = check_writable_folder(folder_of(target.path)); !why.empty()) {
    error = path + ": " + why;
    return {};
  }
  target.kind = ReportTarget::Kind::atomic;
  return target;
}

std::error_code write_report_target(const ReportTarget& target, const std::string& content) {
  if (target.kind == ReportTarget::Kind::atomic) return write_file_atomically(target.path, content);
  if (target.kind != ReportTarget::Kind::stream) return std::make_error_code(std::errc::invalid_argument);
  // O_NONBLOCK: a FIFO nobody reads is ENXIO at once, not a hang; then
  // blocking writes, as a reader is there.
  UniqueFd fd(::open(target.path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return {errno, std::generic_category()};
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) (void)::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {errno, std::generic_category()};
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace procleak::launcher
