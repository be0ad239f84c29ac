// What a leaked process listens on: the most common leak is "a stray server
// holds a port", and the report names the port. Its socket inodes come from
// /proc/<pid>/fd, their addresses from /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}
// (the tables of the process's own network namespace).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "procleak/proc_fs.hpp"

namespace procleak {

// One listening socket: its inode and how the report shows it.
struct ListeningSocket {
  std::uint64_t inode = 0;
  std::string address;  // "tcp 127.0.0.1:8080", "tcp6 [::1]:8080", "udp 0.0.0.0:5353", "unix /tmp/app.sock"
};

// The listening (tcp, tcp6: LISTEN) or bound (udp, udp6: a local port, no
// peer) sockets of one /proc/net table; protocol is "tcp", "tcp6", "udp" or
// "udp6". Pure: lines it cannot read are skipped.
[[nodiscard]] std::vector<ListeningSocket> parse_inet_table(std::string_view text, std::string_view protocol);
// The listening sockets of /proc/net/unix that have a path ("@name" for an
// abstract one).
[[nodiscard]] std::vector<ListeningSocket> parse_unix_table(std::string_view text);

// The addresses pid listens on, in table order (tcp, tcp6, udp, udp6, unix);
// nullopt when its descriptors cannot be listed (then it is unknown, not
// "nothing").
[[nodiscard]] std::optional<std::vector<std::string>> listening_sockets(const ProcFs& proc, pid_t pid);

}  // namespace procleak
