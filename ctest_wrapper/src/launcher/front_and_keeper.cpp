#include "front_and_keeper.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <cstring>

#include "forwarded_signals.hpp"
#include "inherited_state.hpp"
#include "procleak/process_handle.hpp"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PROCLEAK_KEEPER_FORKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PROCLEAK_KEEPER_FORKS 1
#endif
#endif

namespace procleak::launcher {
namespace {

// The keeper's PID while it is unreaped (so it cannot be reused); 0 after.
volatile sig_atomic_t keeper_pid = 0;

// Set by the keeper (wait_for_ctest_after_keeper): memory the two share, a
// plain variable with CLONE_VM, a shared page where the keeper forks.
volatile sig_atomic_t wait_for_ctest_flag = 0;
volatile sig_atomic_t* wait_for_ctest = &wait_for_ctest_flag;
constexpr int kCtestWaitSeconds = 60;

// kill() of an unreaped child with a valid signal cannot fail, so errno,
// shared with the keeper, is neither written nor needs saving.
extern "C" void forward_to_keeper(int sig) {
  if (keeper_pid > 0) ::kill(static_cast<pid_t>(keeper_pid), sig);
}

// Whether valgrind runs us: its core does not support clone(CLONE_VM)
// without CLONE_THREAD ("Unsupported clone() flags"), so the keeper forks.
[[maybe_unused]] bool under_valgrind() {
#ifdef RUNNING_ON_VALGRIND
  if (RUNNING_ON_VALGRIND) return true;
#endif
  const char* preload = ::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "vgpreload") != nullptr;
}

// The command line procleak-run started with (main's argv and envp, on the
// initial stack, which the keeper never writes): for the front's re-exec.
char** original_argv = nullptr;
char** original_envp = nullptr;

// After the keeper died of sig, in the memory the two shared: the keeper may
// have died inside malloc (a lock held, a free list half written), so the
// front must not allocate. It becomes procleak-run anew (the same PID, still
// the subreaper: PR_SET_CHILD_SUBREAPER survives execve), which cleans up
// on a heap of its own (kAfterKeeperVariable, main.cpp). Only system calls
// and the stack here; returns only if the exec failed.
void reexec_after_keeper(int sig) {
  if (original_argv == nullptr || original_envp == nullptr) return;
  std::size_t n = 0;
  while (original_envp[n] != nullptr) ++n;
  const std::size_t bytes = (n + 2) * sizeof(char*);
  void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return;
  auto** envp = static_cast<char**>(block);
  std::size_t k = 0;
  const std::size_t prefix = std::strlen(kAfterKeeperVariable);
  for (std::size_t i = 0; i < n; ++i) {
    // An inherited one (ours, or forged) never counts.
    if (std::strncmp(original_envp[i], kAfterKeeperVariable, prefix) != 0 || original_envp[i][prefix] != '=') {
      envp[k++] = original_envp[i];
    }
  }
  // NAME=SIG, written by hand (no libc formatting, which may allocate).
  char variable[64];
  std::size_t at = 0;
  for (const char* c = kAfterKeeperVariable; *c != '\0' && at < 40; ++c) variable[at++] = *c;
  variable[at++] = '=';
  char digits[12];
  int d = 0;
  for (unsigned v = static_cast<unsigned>(sig); d == 0 || v != 0; v /= 10) digits[d++] = static_cast<char>('0' + v % 10);
  while (d > 0) variable[at++] = digits[--d];
  variable[at] = '\0';
  envp[k++] = variable;
  envp[k] = nullptr;
  ::execve("/proc/self/exe", original_argv, envp);
  ::munmap(block, bytes);
}

// Starts with the forwarded signals blocked (since before the clone), so one
// sent before the handlers are in place waits for them instead of killing
// the front; original_mask lifts that.
[[noreturn]] void run_front(pid_t keeper, const sigset_t& original_mask, bool shared_memory,
                            const std::function<void(int)>& after_keeper_killed) {
  keeper_pid = keeper;
  for (const int sig : kForwardedSignals) {
    if (was_ignored(sig)) continue;  // ignored stays ignored, as for the test
    struct sigaction forward{};
    forward.sa_handler = forward_to_keeper;
    sigemptyset(&forward.sa_mask);
    forward.sa_flags = SA_RESTART;  // so the wait below never sees EINTR
    ::sigaction(sig, &forward, nullptr);
  }
  ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  // Wait without reaping, so the keeper's PID stays its own while a handler
  // may still signal it; then stop forwarding, then reap. From here on the
  // keeper has exited: the memory is the front's alone again.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(keeper), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  keeper_pid = 0;
  int status = 0;
  while (::waitpid(keeper, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    if (shared_memory) reexec_after_keeper(WTERMSIG(status));
    after_keeper_killed(WTERMSIG(status));
    std::fflush(nullptr);
    die_of_signal(WTERMSIG(status));
  }
  if (WIFEXITED(status) && *wait_for_ctest != 0) {
    // The keeper has cleaned up and reported; CTest's own TIMEOUT ends us
    // (SIGKILL, or its TIMEOUT_SIGNAL_NAME), so CTest says "Timeout". The
    // forwarded signals are blocked (above): taken here, then died of.
    const sigset_t forwarded = forwarded_signal_set();
    const timespec bound{kCtestWaitSeconds, 0};
    int sig = -1;
    while ((sig = ::sigtimedwait(&forwarded, nullptr, &bound)) < 0 && errno == EINTR) {
    }
    if (sig > 0) die_of_signal(sig);
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

struct KeeperStart {
  pid_t front;
  sigset_t original_mask;
  const std::function<int(const Keeper&)>* main;
};

// The keeper's first steps. A pidfd of the front, taken while the front is
// still our parent: then the PID is the front's, not a reused one.
int keeper_entry(void* arg) {
  const auto& start = *static_cast<KeeperStart*>(arg);
  Keeper keeper;
  keeper.original_mask = start.original_mask;
  keeper.front_gone = UniqueFd(pidfd_open(start.front));
  if (!keeper.front_gone.valid()) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != start.front) {
    // The front died before we watched it: the pidfd (if any) names a
    // stranger's PID or nothing. Say so by a descriptor that is readable now.
    int gone[2];
    if (::pipe2(gone, O_CLOEXEC) == 0) {
      ::close(gone[1]);
      keeper.front_gone = UniqueFd(gone[0]);
    }
  }
  const int code = (*start.main)(keeper);
  std::fflush(nullptr);
  return code;
}

}  // namespace

void wait_for_ctest_after_keeper() noexcept { *wait_for_ctest = 1; }

void keep_command_line(char** argv, char** envp) noexcept {
  original_argv = argv;
  original_envp = envp;
}

std::error_code run_as_front_and_keeper(const std::function<int(const Keeper&)>& keeper_main,
                                        const std::function<void(int)>& after_keeper_killed) {
  KeeperStart start{::getpid(), {}, &keeper_main};
  // So that a keeper killed alone hands its tree to us, not to init.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return {errno, std::generic_category()};
  // Blocked from here in both processes: each lifts or takes over the block
  // once its handling is in place (run_front, ForwardedSignals::install).
  const sigset_t forwarded = forwarded_signal_set();
  ::sigprocmask(SIG_BLOCK, &forwarded, &start.original_mask);
  const auto unblock_and_fail = [&start](int err) {
    ::sigprocmask(SIG_SETMASK, &start.original_mask, nullptr);
    return std::error_code(err, std::generic_category());
  };
#ifdef PROCLEAK_KEEPER_FORKS
  const bool fork_keeper = true;
#else
  const bool fork_keeper = under_valgrind();
#endif
  if (fork_keeper) {
    void* shared = ::mmap(nullptr, sizeof(sig_atomic_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) return unblock_and_fail(errno);
    wait_for_ctest = static_cast<volatile sig_atomic_t*>(shared);
    const pid_t child = ::fork();
    if (child < 0) return unblock_and_fail(errno);
    if (child == 0) std::exit(keeper_entry(&start));
    run_front(child, start.original_mask, /*shared_memory=*/false, after_keeper_killed);
  }
#ifndef PROCLEAK_KEEPER_FORKS
  // The keeper's stack, with a guard page below it. Never unmapped: the front
  // lives on until the keeper has exited, and then only exits itself.
  constexpr std::size_t kStack = 8u << 20;
  constexpr std::size_t kGuard = 4096;
  void* stack = ::mmap(nullptr, kStack + kGuard, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
  if (stack == MAP_FAILED) return unblock_and_fail(errno);
  ::mprotect(stack, kGuard, PROT_NONE);
  // The keeper returns its exit code from keeper_entry; clone then ends it
  // with _exit semantics, which is why keeper_entry flushes stdio itself.
  const pid_t child = ::clone(keeper_entry, static_cast<char*>(stack) + kStack + kGuard, CLONE_VM | SIGCHLD, &start);
  if (child < 0) {
    const int err = errno;
    ::munmap(stack, kStack + kGuard);
    return unblock_and_fail(err);
  }
  run_front(child, start.original_mask, /*shared_memory=*/true, after_keeper_killed);
#else
  __builtin_unreachable();  // the keeper always forks here, and run_front does not return
#endif
}

}  // namespace procleak::launcher
