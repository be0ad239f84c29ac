#!/bin/sh
# Runs an integration test binary with the program under test (procleak-run,
# the listener's scenario binary) in one of the environments CI really has:
#
#   in_environment.sh ENVIRONMENT HELPERS_DIR TEST_BINARY [ARGS...]
#
#   unprivileged     as the user nobody (setpriv: exec, no fork in between)
#   no_pidfd_enosys  pidfd_open and pidfd_send_signal fail with ENOSYS (gVisor, kernel < 5.3)
#   no_pidfd_eperm   ... with EPERM (a container's seccomp profile)
#   nofile64         RLIMIT_NOFILE 64, soft and hard
#   hidepid          /proc mounted with hidepid=2 in a private mount namespace, as nobody
#   ignored_signals  SIGCHLD and SIGHUP inherited as ignored
#   no_connector     socket(AF_NETLINK) refused (EPERM) by seccomp: the kernel's
#                    process-events connector out of reach, even for root, as on
#                    kernels that refuse it and in containers
#
# The test binary itself (and its oracle of the process table) runs as root
# with the machine's defaults: run_command puts PROCLEAK_TEST_WRAP in front of
# the program under test only (PROCLEAK_TEST_UNPRIVILEGED=1 says it runs as
# nobody). Exit 77 (skipped) only when the machine cannot
# make the environment (not root, no setpriv, no unshare).
set -eu
environment=$1
helpers=$2
shift 2
skip() { echo "in_environment: $environment: $1; skipped" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to set it up"
# Absolute paths: a test may run the launcher with a PATH of its own. A
# user's PATH holds no folder of root's (a test expects "command not found",
# not the EACCES of a PATH entry under /root).
safe_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
setpriv=$(command -v setpriv || true)
prlimit=$(command -v prlimit || true)
as_nobody="$setpriv --reuid=nobody --regid=nogroup --clear-groups --"
case $environment in
  unprivileged)
    [ -n "$setpriv" ] || skip "no setpriv"
    PATH=$safe_path PROCLEAK_TEST_WRAP=$as_nobody PROCLEAK_TEST_UNPRIVILEGED=1 exec "$@" ;;
  no_pidfd_enosys)
    PROCLEAK_TEST_WRAP="$helpers/helper_refuse_syscalls enosys pidfd_open,pidfd_send_signal" exec "$@" ;;
  no_pidfd_eperm)
    PROCLEAK_TEST_WRAP="$helpers/helper_refuse_syscalls eperm pidfd_open,pidfd_send_signal" exec "$@" ;;
  nofile64)
    [ -n "$prlimit" ] || skip "no prlimit"
    PROCLEAK_TEST_WRAP="$prlimit --nofile=64:64 --" exec "$@" ;;
  hidepid)
    [ -n "$setpriv" ] || skip "no setpriv"
    unshare -m true 2>/dev/null || skip "cannot make a mount namespace"
    export PROCLEAK_TEST_WRAP="$as_nobody" PROCLEAK_TEST_UNPRIVILEGED=1 PATH=$safe_path
    exec unshare -m sh -c 'mount -t proc -o hidepid=2 proc /proc && exec "$@"' in_environment "$@" ;;
  ignored_signals)
    PROCLEAK_TEST_WRAP="$helpers/helper_with_ignored CHLD,HUP" exec "$@" ;;
  no_connector)
    PROCLEAK_TEST_WRAP="$helpers/helper_refuse_syscalls eperm netlink_socket" PROCLEAK_TEST_NO_CONNECTOR=1 exec "$@" ;;
  *) echo "in_environment: unknown environment '$environment'" >&2; exit 2 ;;
esac
