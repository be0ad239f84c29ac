#include "procleak/spawn_sites.hpp"

#include "libc_originals.hpp"
#include "symbolizer.hpp"

#include <execinfo.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sched.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>


namespace procleak::spawn_sites {
namespace {

constexpr int kFrames = 24;
constexpr std::size_t kCalls = 1024;  // the most recent calls; older ones are overwritten
constexpr std::size_t kCommand = 201;

// One recorded call. Written by the thread that made it, read at a check:
// seq is odd while it is being written (a seqlock, so a fork from another
// thread, or in a child whose parent was writing, never waits on a lock).
// Every field is atomic, written with release and read with acquire (plain
// moves on x86-64): a reader that reads a value of a write that began after
// its first look at seq has that write's odd seq visible when it looks
// again, and throws what it read away. No fences (ThreadSanitizer does not
// model them) and no data race.
template <typename T>
struct Field {
  std::atomic<T> value{};
  void operator=(T v) noexcept { value.store(v, std::memory_order_release); }
  [[nodiscard]] operator T() const noexcept { return value.load(std::memory_order_acquire); }
};

struct Call {
  std::atomic<std::uint64_t> seq{0};
  Field<pid_t> tid;
  Field<pid_t> child;  // 0: system, popen (the call does not return it)
  Field<std::uint64_t> start_ns;
  Field<std::uint64_t> end_ns;
  Field<int> frames;
  Field<void*> pcs[kFrames];
  // clone(CLONE_PARENT): the child's start time (/proc/<pid>/stat), which
  // with its PID names it; 0 for every other call.
  Field<std::uint64_t> clone_parent_start;
  Field<char> command[kCommand];  // system, popen: what they run; empty if longer than kCommand - 1 bytes
};

Call calls[kCalls];
std::atomic<std::size_t> next_call{0};
std::atomic<std::size_t> clone_parent_count{0};
std::atomic<bool> on{false};

std::uint64_t now_ns() noexcept {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);  // the clock of the kernel's process events
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(t.tv_nsec);
}

struct Pending {
  std::uint64_t start_ns;
  int frames;
  void* pcs[kFrames];
};

// Keeps the frames from the wrapper's caller on: the wrapper is the frame
// this function returns to (found by that address, since the unwinder, or a
// sanitizer's interceptor of it, may add frames of its own above).
__attribute__((noinline)) void begin(Pending& p) noexcept {
  void* all[kFrames + 4];
  const int n = ::backtrace(all, kFrames + 4);
  const void* into_wrapper = __builtin_return_address(0);
  int first = 2;
  for (int i = 0; i < n; ++i) {
    if (all[i] == into_wrapper) {
      first = i + 1;
      break;
    }
  }
  p.frames = 0;
  for (int i = first; i < n && p.frames < kFrames; ++i) p.pcs[p.frames++] = all[i];
  p.start_ns = now_ns();
}

void end(const Pending& p, pid_t child, const char* command = nullptr, std::uint64_t clone_parent_start = 0) noexcept {
  Call& c = calls[next_call.fetch_add(1, std::memory_order_relaxed) % kCalls];
  const std::uint64_t seq = c.seq.load(std::memory_order_relaxed);
  c.seq.store(seq | 1, std::memory_order_relaxed);
  c.tid = static_cast<pid_t>(::syscall(SYS_gettid));
  c.child = child;
  c.start_ns = p.start_ns;
  c.end_ns = now_ns();
  c.frames = p.frames;
  for (int i = 0; i < p.frames; ++i) c.pcs[i] = p.pcs[i];
  std::size_t n = 0;
  if (command != nullptr) {
    for (; n + 1 < kCommand && command[n] != '\0'; ++n) c.command[n] = command[n];
    if (command[n] != '\0') n = 0;  // too long: a cut command would name the shell wrongly
  }
  c.command[n] = '\0';
  c.clone_parent_start = clone_parent_start;
  c.seq.store((seq | 1) + 1, std::memory_order_release);
  if (clone_parent_start != 0) clone_parent_count.fetch_add(1, std::memory_order_release);
}

// The C library's own functions (libc_originals.hpp), with the unwinder
// loaded now, not in the first fork.
const LibcOriginals& real() {
  static const LibcOriginals& r = [] () -> const LibcOriginals& {
    void* warm[2];
    (void)::backtrace(warm, 2);
    return libc_originals();
  }();
  return r;
}
// Resolved at start-up, before any test can fork.
[[maybe_unused]] const LibcOriginals& resolved_at_start = real();

std::vector<SpawnFrame> symbolize(const void* const* pcs, int n) {
  std::vector<SpawnFrame> out;
  for (int i = 0; i < n; ++i) {
    // A return address: the call is the instruction before it.
    SpawnFrame frame = symbolize_address(reinterpret_cast<std::uintptr_t>(pcs[i]) - 1);
    // Up to the test body: GoogleTest's own frames below it say nothing.
    if (frame.function.starts_with("testing::") || frame.function.starts_with("void testing::") ||
        frame.function == "main") {
      break;
    }
    out.push_back(std::move(frame));
  }
  return out;
}

}  // namespace

void set_recording(bool enable) noexcept { on.store(enable, std::memory_order_relaxed); }
bool recording() noexcept { return on.load(std::memory_order_relaxed); }

std::optional<Scope::SpawnSite> find(const LineageBook::Origin& origin) {
  const std::size_t last = next_call.load(std::memory_order_acquire);
  const std::size_t count = last < kCalls ? last : kCalls;
  for (std::size_t k = 1; k <= count; ++k) {  // newest first
    const Call& c = calls[(last - k) % kCalls];
    const std::uint64_t seq = c.seq.load(std::memory_order_acquire);
    if (seq & 1) continue;  // being written
    const pid_t tid = c.tid, child = c.child;
    const std::uint64_t start = c.start_ns, end_ns = c.end_ns;
    const int frames = c.frames;
    void* pcs[kFrames];
    for (int i = 0; i < frames && i < kFrames; ++i) pcs[i] = c.pcs[i];
    char command[kCommand];
    for (std::size_t i = 0; i < kCommand; ++i) command[i] = c.command[i];
    if (c.seq.load(std::memory_order_relaxed) != seq) continue;  // overwritten meanwhile
    const bool in_time = origin.at_ns != 0 && start <= origin.at_ns && origin.at_ns <= end_ns;
    const bool same = child != 0 ? child == origin.pid && (origin.at_ns == 0 || in_time)
                                 : in_time && tid == origin.by_thread;
    if (!same) continue;
    Scope::SpawnSite site;
    site.frames = symbolize(pcs, frames);
    if (child == 0 && command[0] != '\0') site.origin_argv = {"sh", "-c", command};
    return site;
  }
  return std::nullopt;
}

std::size_t clone_parent_calls() noexcept { return clone_parent_count.load(std::memory_order_acquire); }

std::vector<OutsideRoot> started_with_clone_parent(std::uint64_t since_ns) {
  std::vector<OutsideRoot> out;
  const std::size_t last = next_call.load(std::memory_order_acquire);
  const std::size_t count = last < kCalls ? last : kCalls;
  for (std::size_t k = 1; k <= count; ++k) {
    const Call& c = calls[(last - k) % kCalls];
    const std::uint64_t seq = c.seq.load(std::memory_order_acquire);
    if (seq & 1) continue;
    const OutsideRoot root{c.child, c.clone_parent_start};
    const std::uint64_t start = c.start_ns;
    if (c.seq.load(std::memory_order_relaxed) != seq) continue;
    if (root.start_time != 0 && start >= since_ns) out.push_back(root);
  }
  return out;
}

}  // namespace procleak::spawn_sites

// The wrappers. The test's code, and the libraries it links, call these
// instead of the C library's (the executable's definitions come first).
using procleak::spawn_sites::real;

extern "C" pid_t fork() noexcept {
  if (!procleak::spawn_sites::recording()) return real().fork();
  procleak::spawn_sites::Pending p;
  procleak::spawn_sites::begin(p);
  const pid_t pid = real().fork();
  if (pid > 0) procleak::spawn_sites::end(p, pid);
  return pid;
}

namespace {

// posix_spawn and posix_spawnp alike: recorded with the child's PID.
template <typename Real>
int spawn_recorded(Real real_spawn, pid_t* pid, const char* file, const posix_spawn_file_actions_t* actions,
                   const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) noexcept {
  if (!procleak::spawn_sites::recording()) return real_spawn(pid, file, actions, attr, argv, envp);
  procleak::spawn_sites::Pending p;
  procleak::spawn_sites::begin(p);
  pid_t child = 0;
  const int err = real_spawn(&child, file, actions, attr, argv, envp);
  if (err == 0) procleak::spawn_sites::end(p, child);
  if (pid != nullptr && err == 0) *pid = child;
  return err;
}

}  // namespace

extern "C" int posix_spawn(pid_t* __restrict pid, const char* __restrict path,
                           const posix_spawn_file_actions_t* actions, const posix_spawnattr_t* __restrict attr,
                           char* const argv[], char* const envp[]) noexcept {
  return spawn_recorded(real().posix_spawn, pid, path, actions, attr, argv, envp);
}

extern "C" int posix_spawnp(pid_t* __restrict pid, const char* __restrict file,
                            const posix_spawn_file_actions_t* actions, const posix_spawnattr_t* __restrict attr,
                            char* const argv[], char* const envp[]) noexcept {
  return spawn_recorded(real().posix_spawnp, pid, file, actions, attr, argv, envp);
}

extern "C" int system(const char* command) {
  if (!procleak::spawn_sites::recording() || command == nullptr) return real().system(command);
  procleak::spawn_sites::Pending p;
  procleak::spawn_sites::begin(p);
  const int status = real().system(command);
  procleak::spawn_sites::end(p, 0, command);
  return status;
}

extern "C" FILE* popen(const char* command, const char* mode) {
  if (!procleak::spawn_sites::recording()) return real().popen(command, mode);
  procleak::spawn_sites::Pending p;
  procleak::spawn_sites::begin(p);
  FILE* stream = real().popen(command, mode);
  if (stream != nullptr) procleak::spawn_sites::end(p, 0, command);
  return stream;
}

// clone(2)'s C library wrapper (threads are started through glibc's own
// internal call, never this one). A child started with CLONE_PARENT is the
// binary's sibling, outside the tree the scopes walk: its PID and start time
// are kept, so the scope it started in checks it (Scope::adopt). The three
// optional arguments are passed on as they came.
extern "C" int clone(int (*fn)(void*), void* stack, int flags, void* arg, ...) noexcept {
  va_list rest;
  va_start(rest, arg);
  void* parent_tid = va_arg(rest, void*);
  void* tls = va_arg(rest, void*);
  void* child_tid = va_arg(rest, void*);
  va_end(rest);
  if (!procleak::spawn_sites::recording() || (flags & CLONE_THREAD) != 0) {
    return real().clone(fn, stack, flags, arg, parent_tid, tls, child_tid);
  }
  procleak::spawn_sites::Pending p;
  procleak::spawn_sites::begin(p);
  const int pid = real().clone(fn, stack, flags, arg, parent_tid, tls, child_tid);
  if (pid > 0) {
    std::uint64_t start = 0;
    if ((flags & CLONE_PARENT) != 0) {
      procleak::ProcStat stat;
      // Read before the check can see it: as it starts, not after its PID
      // could have gone to another process.
      if (!procleak::ProcFs().read_stat(pid, stat)) start = stat.start_time;
    }
    procleak::spawn_sites::end(p, pid, nullptr, start);
  }
  return pid;
}
