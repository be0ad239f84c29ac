// A test that starts a server on a loopback port and forgets to stop it.
// The server keeps the test's stdout open: without procleak, ctest would wait
// for it until its timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "bounded.hpp"

int main() {
  const pid_t server = fork();
  if (server < 0) return 2;
  if (server == 0) {
    const int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // any free port
    if (sock < 0 || bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(sock, 1) != 0) {
      _exit(3);
    }
    procleak_examples::linger();
  }
  std::printf("server_left_running_test: started server PID %d, test passes\n", server);
  return 0;
}
