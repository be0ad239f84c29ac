// Where --report PATH is written, decided before the test runs, so that a
// path procleak-run cannot or must not write is refused (exit 125) before
// the test has any effect, and a report never replaces what PATH names:
//
//   a regular file, or nothing      written atomically (temporary + rename)
//   a symlink                       its target, by the rules above and below;
//                                   the link stays a link
//   a FIFO, a character device,     written straight into it (not atomic:
//   /dev/fd/N, /dev/stdout          there is no file to rename over)
//   anything else                   refused (a folder, a socket, a block device)
#pragma once

#include <string>
#include <system_error>

namespace procleak::launcher {

struct ReportTarget {
  enum class Kind { none, atomic, stream };
  Kind kind = Kind::none;
  std::string path;  // atomic: the file to create or replace (a symlink's target); stream: PATH as given
};

// Decides where PATH is written. On a path that cannot be written (a missing
// or unwritable folder, a folder or socket at PATH), returns Kind::none and a
// one-line reason in error. Reads the file system only.
[[nodiscard]] ReportTarget resolve_report_target(const std::string& path, std::string& error);

// Writes content to the target (ReportTarget::Kind::atomic or stream).
[[nodiscard]] std::error_code write_report_target(const ReportTarget& target, const std::string& content);

// Whether the folder can take new files, as the user procleak-run runs as
// (its effective IDs). An empty string, or a one-line reason.
[[nodiscard]] std::string check_writable_folder(const std::string& dir);

}  // namespace procleak::launcher
