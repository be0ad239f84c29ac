// Runs a command with pidfd system calls refused, as gVisor and old kernels
// (ENOSYS) or a container's seccomp profile (EPERM) refuse them:
//
//   helper_no_pidfd enosys|eperm open|signal|both COMMAND [ARG...]
//
// open refuses pidfd_open, signal refuses pidfd_send_signal, both both. The
// filter is inherited by everything the command starts. A raw BPF program,
// so the helper needs no library.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: helper_no_pidfd enosys|eperm open|signal|both COMMAND [ARG...]\n");
    return 2;
  }
  const bool enosys = strcmp(argv[1], "enosys") == 0;
  if (!enosys && strcmp(argv[1], "eperm") != 0) return 2;
  const bool open = strcmp(argv[2], "open") == 0 || strcmp(argv[2], "both") == 0;
  const bool signal = strcmp(argv[2], "signal") == 0 || strcmp(argv[2], "both") == 0;
  if (!open && !signal) return 2;
  const unsigned err = enosys ? ENOSYS : EPERM;

  std::vector<sock_filter> prog = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  auto refuse = [&](unsigned nr) {
    prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
    prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err));
  };
  if (open) refuse(SYS_pidfd_open);
  if (signal) refuse(SYS_pidfd_send_signal);
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));

  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
    perror("helper_no_pidfd: seccomp");
    return 2;
  }
  execvp(argv[3], argv + 3);
  perror("helper_no_pidfd: exec");
  return 127;
}
