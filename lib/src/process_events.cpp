#include "procleak/process_events.hpp"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "procleak/report.hpp"

namespace procleak {
namespace {

// Linux 6.6's subscription with an event filter (struct proc_input, not in
// the headers of older distributions): only the three kinds the book uses.
struct ProcInput {
  std::uint32_t mcast_op;
  std::uint32_t event_type;
};
constexpr std::uint32_t kWanted = proc_event::PROC_EVENT_FORK | proc_event::PROC_EVENT_EXEC | proc_event::PROC_EVENT_EXIT;

bool kernel_at_least(int major, int minor) {
  utsname u{};
  if (::uname(&u) != 0) return false;
  int ma = 0, mi = 0;
  if (std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

std::string why(const char* step, int err) { return std::string(step) + " (" + errno_name(err) + ")"; }

// The kernel sends process events only to listeners in the initial PID and
// user namespaces (their /proc/self/ns inodes are fixed: PROC_PID_INIT_INO,
// PROC_USER_INIT_INO); elsewhere a subscription succeeds and stays silent.
std::string namespace_problem(const ProcFs& proc) {
  struct stat st{};
  if (::stat((proc.root() + "/self/ns/pid").c_str(), &st) == 0 && st.st_ino != 0xEFFFFFFCu) {
    return "procleak runs in a PID namespace other than the initial one, where the kernel sends no process events";
  }
  if (::stat((proc.root() + "/self/ns/user").c_str(), &st) == 0 && st.st_ino != 0xEFFFFFFDu) {
    return "procleak runs in a user namespace other than the initial one, where the kernel sends no process events";
  }
  return {};
}

}  // namespace

ProcessEvents ProcessEvents::open(const ProcFs& proc, pid_t owner) {
  ProcessEvents e;
  e.proc_ = proc;
  e.book_ = LineageBook(owner);
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR));
  if (!fd.valid()) {
    e.unavailable_ = why("the process-events connector cannot be opened: socket", errno);
    return e;
  }
  // Room for a burst of unrelated events while the launcher is busy (a
  // full buffer loses events: then lineage is unknown, never guessed).
  const int bytes = 4 << 20;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = CN_IDX_PROC;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    e.unavailable_ = why("the process-events connector refused the subscription: bind", errno);
    return e;
  }
  alignas(nlmsghdr) char buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof(ProcInput))] = {};
  auto* nh = reinterpret_cast<nlmsghdr*>(buf);
  auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nh));
  const bool filtered = kernel_at_least(6, 6);
  const ProcInput input{PROC_CN_MCAST_LISTEN, kWanted};
  const std::uint32_t plain = PROC_CN_MCAST_LISTEN;
  cn->id.idx = CN_IDX_PROC;
  cn->id.val = CN_VAL_PROC;
  cn->len = filtered ? sizeof input : sizeof plain;
  std::memcpy(cn->data, filtered ? static_cast<const void*>(&input) : &plain, cn->len);
  nh->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + cn->len);
  nh->nlmsg_type = NLMSG_DONE;
  if (::send(fd.get(), buf, nh->nlmsg_len, 0) < 0) {
    e.unavailable_ = why("the process-events connector refused the subscription: send", errno);
    return e;
  }
  e.fd_ = std::move(fd);
  e.unavailable_.clear();
  return e;
}

void ProcessEvents::expect(pid_t child, const std::string& exec_path, std::vector<std::string> argv) {
  expected_ = child;
  const auto slash = exec_path.rfind('/');
  expected_comm_ = exec_path.substr(slash == std::string::npos ? 0 : slash + 1, 15);
  expected_argv_ = std::move(argv);
  expected_exec_seen_ = false;
}

void ProcessEvents::handle(const void* data, std::size_t size) {
  // The shortest event the book reads is fork's; fields past size stay 0.
  if (size < offsetof(proc_event, event_data) + sizeof(proc_event::event_data.fork)) return;
  proc_event ev{};
  std::memcpy(&ev, data, std::min(size, sizeof ev));
  switch (ev.what) {
    case proc_event::PROC_EVENT_FORK: {
      const auto& f = ev.event_data.fork;
      if (f.child_pid != f.child_tgid) {  // a new thread, not a process
        book_.on_thread(f.child_tgid);
        return;
      }
      book_.on_fork(f.parent_tgid, f.child_tgid, f.parent_pid, ev.timestamp_ns);
      return;
    }
    case proc_event::PROC_EVENT_EXEC: {
      const pid_t pid = ev.event_data.exec.process_tgid;
      if (!book_.on_exec(pid)) return;
      if (pid == expected_ && !expected_exec_seen_) {  // the launcher's own exec of the test
        expected_exec_seen_ = true;
        book_.describe(pid, expected_comm_, expected_argv_);
        return;
      }
      // Read now, while it runs: after its exit its name is gone.
      // Gone already: its name is unknown (not its parent's, which it
      // inherited at fork and replaced now).
      ProcStat st;
      std::vector<std::string> cmdline;
      if (proc_.read_stat(pid, st)) st.comm.clear();
      (void)proc_.read_cmdline(pid, cmdline);
      book_.describe(pid, st.comm, std::move(cmdline));
      return;
    }
    case proc_event::PROC_EVENT_EXIT: {
      // Every thread's exit, the main thread's included: the process has
      // ended with its last thread (LineageBook::on_exit).
      const auto& x = ev.event_data.exit;
      book_.on_exit(x.process_tgid, x.exit_code);
      return;
    }
    default: return;
  }
}

void ProcessEvents::drain() {
  if (!fd_.valid()) return;
  constexpr unsigned kBatch = 32;
  alignas(nlmsghdr) char bufs[kBatch][256];
  iovec iov[kBatch];
  mmsghdr msgs[kBatch];
  sockaddr_nl from[kBatch];
  for (;;) {
    for (unsigned i = 0; i < kBatch; ++i) {
      iov[i] = {bufs[i], sizeof bufs[i]};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    const int n = ::recvmmsg(fd_.get(), msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {  // the socket overflowed: events were lost
        lost_ = true;
        continue;
      }
      // EAGAIN: all read. Anything else: what is waiting cannot be read,
      // so lineage is unknown from here on, never taken as complete.
      if (errno != EAGAIN && errno != EWOULDBLOCK && read_error_ == 0) read_error_ = errno;
      return;
    }
    for (int i = 0; i < n; ++i) {
      if (from[i].nl_pid != 0) continue;  // only the kernel speaks here
      auto len = static_cast<std::size_t>(msgs[i].msg_len);
      for (auto* h = reinterpret_cast<nlmsghdr*>(bufs[i]); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP) continue;
        const auto* cn = static_cast<const cn_msg*>(NLMSG_DATA(h));
        const std::size_t room = h->nlmsg_len - NLMSG_LENGTH(0);
        if (room < sizeof(cn_msg) || cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
        handle(cn->data, std::min<std::size_t>(cn->len, room - sizeof(cn_msg)));
      }
    }
    if (static_cast<unsigned>(n) < kBatch) return;
  }
}

std::string ProcessEvents::unavailable() {
  if (!unavailable_.empty()) return unavailable_;
  drain();
  if (lost_) return "the process-events connector lost events (its buffer overflowed: ENOBUFS)";
  if (read_error_ != 0) return why("the process-events connector's events cannot be read: recvmmsg", read_error_);
  // Where no event arrives, the subscription succeeded and stays silent.
  // The launcher knows by the test's own fork; the listener, which has no
  // such event to expect, asks the namespaces. Asked only here, when there
  // is a leak to describe, not on every start (two /proc lookups).
  const bool silent = expected_ != 0 && !book_.knows(expected_);
  if (silent || expected_ == 0) {
    if (!namespaces_checked_) {
      namespace_problem_ = namespace_problem(proc_);
      namespaces_checked_ = true;
    }
    if (!namespace_problem_.empty()) return namespace_problem_;
  }
  if (silent) return "the process-events connector delivered no event for the test (a kernel that needs root for it?)";
  return {};
}

}  // namespace procleak
