// Runs a command with some system calls refused, as gVisor and old kernels
// (ENOSYS) or a container's seccomp profile (EPERM) refuse them:
//
//   helper_refuse_syscalls enosys|eperm NAME[,NAME...] COMMAND [ARG...]
//
// NAME is pidfd_open, pidfd_send_signal, kcmp, clone3, socket, or netlink_socket
// (socket(AF_NETLINK, ...) only: the kernel's process-events connector out of
// reach, every other socket allowed). The filter is inherited by
// everything the command starts. A raw BPF program, so the helper needs no
// library.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: helper_refuse_syscalls enosys|eperm NAME[,NAME...] COMMAND [ARG...]\n");
    return 2;
  }
  const bool enosys = strcmp(argv[1], "enosys") == 0;
  if (!enosys && strcmp(argv[1], "eperm") != 0) return 2;
  const unsigned err = enosys ? ENOSYS : EPERM;

  std::vector<sock_filter> prog = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  std::string names = argv[2];
  for (std::size_t start = 0; start <= names.size();) {
    auto end = names.find(',', start);
    if (end == std::string::npos) end = names.size();
    const std::string name = names.substr(start, end - start);
    start = end + 1;
    if (name == "netlink_socket") {
      // socket(AF_NETLINK, ...) refused; any other socket call goes on to
      // the next check with the system call number loaded again.
      prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 4));
      prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
      prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1));
      prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err));
      prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
      continue;
    }
    long nr = -1;
    if (name == "pidfd_open") nr = SYS_pidfd_open;
    if (name == "pidfd_send_signal") nr = SYS_pidfd_send_signal;
    if (name == "kcmp") nr = SYS_kcmp;
    if (name == "clone3") nr = SYS_clone3;
    if (name == "socket") nr = SYS_socket;
    if (nr < 0) {
      fprintf(stderr, "helper_refuse_syscalls: unknown system call '%s'\n", name.c_str());
      return 2;
    }
    prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1));
    prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err));
  }
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));

  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
    perror("helper_refuse_syscalls: seccomp");
    return 2;
  }
  execvp(argv[3], argv + 3);
  perror("helper_refuse_syscalls: exec");
  return 127;
}
