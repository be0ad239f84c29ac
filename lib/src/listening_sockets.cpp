#include "procleak/listening_sockets.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

namespace procleak {
namespace {

// The whitespace-separated fields of one line.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <typename F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    f(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

template <typename T>
bool hex(std::string_view s, T& out) {
  return !s.empty() && std::from_chars(s.data(), s.data() + s.size(), out, 16).ec == std::errc{} &&
         std::from_chars(s.data(), s.data() + s.size(), out, 16).ptr == s.data() + s.size();
}

// "0100007F:1F90" (IPv4) or 32 hex digits ":1F90" (IPv6): each 32-bit word
// as the kernel stores it, in host (little-endian) byte order.
bool format_address(std::string_view hex_address, bool v6, std::string& out, bool& any_port) {
  const auto colon = hex_address.find(':');
  if (colon == std::string_view::npos) return false;
  unsigned port = 0;
  if (!hex(hex_address.substr(colon + 1), port)) return false;
  const auto ip = hex_address.substr(0, colon);
  if (ip.size() != (v6 ? 32u : 8u)) return false;
  unsigned char bytes[16];
  for (std::size_t word = 0; word < ip.size() / 8; ++word) {
    std::uint32_t w = 0;
    if (!hex(ip.substr(word * 8, 8), w)) return false;
    for (int b = 0; b < 4; ++b) bytes[word * 4 + b] = static_cast<unsigned char>(w >> (8 * b));
  }
  char text[64];
  if (!v6) {
    std::snprintf(text, sizeof text, "%u.%u.%u.%u:%u", bytes[0], bytes[1], bytes[2], bytes[3], port);
  } else {
    // Eight groups, the longest run of zero groups (two or more) as "::".
    unsigned groups[8];
    for (int g = 0; g < 8; ++g) groups[g] = static_cast<unsigned>(bytes[2 * g] << 8 | bytes[2 * g + 1]);
    int best = -1, best_len = 0;
    for (int g = 0; g < 8;) {
      int len = 0;
      while (g + len < 8 && groups[g + len] == 0) ++len;
      if (len > best_len && len >= 2) {
        best = g;
        best_len = len;
      }
      g += len > 0 ? len : 1;
    }
    std::string s = "[";
    for (int g = 0; g < 8; ++g) {
      if (g == best) {
        s += "::";
        g += best_len - 1;
        continue;
      }
      if (s.size() > 1 && s.back() != ':') s += ':';
      char group[8];
      std::snprintf(group, sizeof group, "%x", groups[g]);
      s += group;
    }
    std::snprintf(text, sizeof text, "%s]:%u", s.c_str(), port);
  }
  out = text;
  any_port = port != 0;
  return true;
}

}  // namespace

std::vector<ListeningSocket> parse_inet_table(std::string_view text, std::string_view protocol) {
  std::vector<ListeningSocket> out;
  const bool v6 = protocol.ends_with('6');
  const bool tcp = protocol.starts_with("tcp");
  for_each_line(text, [&](std::string_view line) {
    const auto f = fields(line);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (f.size() < 10 || !f[0].ends_with(':')) return;
    unsigned state = 0;
    if (!hex(f[3], state)) return;
    std::string local, remote;
    bool local_port = false, remote_port = false;
    if (!format_address(f[1], v6, local, local_port) || !format_address(f[2], v6, remote, remote_port)) return;
    // TCP: LISTEN (0x0A). UDP: bound to a port and connected to no peer
    // (state 0x07, the kernel's TCP_CLOSE, with a zero remote port).
    const bool listening = tcp ? state == 0x0A : (state == 0x07 && local_port && !remote_port);
    if (!listening) return;
    std::uint64_t inode = 0;
    if (std::from_chars(f[9].data(), f[9].data() + f[9].size(), inode).ec != std::errc{} || inode == 0) return;
    out.push_back({inode, std::string(protocol) + ' ' + local});
  });
  return out;
}

std::vector<ListeningSocket> parse_unix_table(std::string_view text) {
  std::vector<ListeningSocket> out;
  constexpr unsigned kAcceptCon = 0x10000;  // __SO_ACCEPTCON: listen() was called
  for_each_line(text, [&](std::string_view line) {
    const auto f = fields(line);
    // Num RefCount Protocol Flags Type St Inode [Path]
    if (f.size() < 8 || !f[0].ends_with(':')) return;
    unsigned flags = 0;
    std::uint64_t inode = 0;
    if (!hex(f[3], flags) || (flags & kAcceptCon) == 0) return;
    if (std::from_chars(f[6].data(), f[6].data() + f[6].size(), inode).ec != std::errc{} || inode == 0) return;
    // The path is the rest of the line (it may hold spaces).
    const auto at = line.find(f[7], static_cast<std::size_t>(f[6].data() + f[6].size() - line.data()));
    out.push_back({inode, "unix " + std::string(line.substr(at))});
  });
  return out;
}

std::optional<std::vector<std::string>> listening_sockets(const ProcFs& proc, pid_t pid) {
  const std::string base = proc.root() + '/' + std::to_string(pid);
  std::vector<int> fds;
  if (proc.list_fds(pid, fds)) return std::nullopt;
  std::unordered_set<std::uint64_t> inodes;
  char target[64];
  for (const int fd : fds) {
    const std::string link = base + "/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n < 0 && errno != ENOENT) return std::nullopt;  // cannot look: unknown, not "none"
    if (n <= 0) continue;                                // closed since it was listed
    const std::string_view t(target, static_cast<std::size_t>(n));
    if (!t.starts_with("socket:[") || !t.ends_with(']')) continue;
    std::uint64_t inode = 0;
    if (std::from_chars(t.data() + 8, t.data() + t.size() - 1, inode).ec == std::errc{}) inodes.insert(inode);
  }
  std::vector<std::string> out;
  if (inodes.empty()) return out;
  std::string text;
  for (const char* protocol : {"tcp", "tcp6", "udp", "udp6", "unix"}) {
    if (const auto ec = read_small_file(base + "/net/" + protocol, text)) {
      if (ec == std::errc::no_such_process) continue;  // no such protocol here (or the process is gone)
      return std::nullopt;                             // cannot look: unknown, not "none"
    }
    const auto table = std::string_view(protocol) == "unix" ? parse_unix_table(text) : parse_inet_table(text, protocol);
    for (const auto& s : table) {
      if (inodes.contains(s.inode)) out.push_back(s.address);
    }
  }
  return out;
}

}  // namespace procleak
