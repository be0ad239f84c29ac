// Leaves a server running: a child that listens on TCP 127.0.0.1 (an
// ephemeral port), binds UDP 127.0.0.1, listens on TCP [::1] when IPv6 is
// there, and on the Unix socket PATH; it writes "tcp UDP tcp6" port numbers
// (0 when it has none) to PORTS_FILE once it listens, then lingers.
//   helper_server PORTS_FILE UNIX_PATH
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "bounded.hpp"

namespace {

int bound(int domain, int type, unsigned& port) {
  const int fd = socket(domain, type, 0);
  if (fd < 0) return -1;
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (domain == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    len = sizeof *in6;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) return close(fd), -1;
  if (type == SOCK_STREAM && listen(fd, 1) != 0) return close(fd), -1;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(domain == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                 : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::strlen(argv[2]) >= sizeof(sockaddr_un::sun_path)) return 2;
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child > 0) return 0;  // the server outlives its parent: an orphan
  unsigned tcp = 0, udp = 0, tcp6 = 0;
  if (bound(AF_INET, SOCK_STREAM, tcp) < 0 || bound(AF_INET, SOCK_DGRAM, udp) < 0) _exit(3);
  (void)bound(AF_INET6, SOCK_STREAM, tcp6);  // no IPv6 here: port 0
  const int unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, argv[2]);
  if (unix_fd < 0 || bind(unix_fd, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0 || listen(unix_fd, 1) != 0) _exit(4);
  const std::string tmp = std::string(argv[1]) + ".tmp";
  FILE* out = std::fopen(tmp.c_str(), "w");
  if (out == nullptr) _exit(5);
  std::fprintf(out, "%u %u %u\n", tcp, udp, tcp6);
  std::fclose(out);
  std::rename(tmp.c_str(), argv[1]);
  procleak_examples::linger();
}
