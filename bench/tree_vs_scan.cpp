// One leak check of a test's own tree, against what a naive tool does: read
// /proc/*/stat for every process on the machine. Google Benchmark; run by
// bench/tree_vs_scan.sh with the machine as it is and with 3,000 unrelated
// sleeping processes added.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "bounded.hpp"
#include "procleak/proc_fs.hpp"
#include "procleak/process_tree.hpp"
#include "procleak/scope.hpp"

namespace {

// A test's typical tree: three helpers, one with a child of its own.
std::vector<pid_t> helpers;

void start_tree() {
  for (int i = 0; i < 3; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      if (i == 0 && fork() == 0) procleak_examples::linger();
      procleak_examples::linger();
    }
    helpers.push_back(pid);
  }
  usleep(50'000);  // let the grandchild exist
}

void stop_tree() {
  for (const pid_t pid : helpers) kill(pid, SIGKILL);
  for (const pid_t pid : helpers) waitpid(pid, nullptr, 0);
}

// The walk a leak check does when the tree changed: from this process down.
void BM_OwnedTreeWalk(benchmark::State& state) {
  const procleak::ProcFs proc;
  std::vector<procleak::ProcStat> tree;
  for (auto _ : state) {
    tree.clear();
    (void)procleak::walk_descendants(proc, getpid(), tree);
    benchmark::DoNotOptimize(tree.data());
  }
  state.counters["processes"] = static_cast<double>(tree.size());
}

// The whole check as the listener runs it after a clean test: scope opened,
// helpers in the baseline, nothing new (the tree's shape is re-read only).
void BM_ScopeCheckNothingNew(benchmark::State& state) {
  procleak::ScopeOptions options;
  options.role = procleak::OwnerRole::in_process;
  procleak::Scope scope;
  if (procleak::Scope::open(options, scope)) {
    state.SkipWithError("cannot open scope");
    return;
  }
  for (auto _ : state) {
    auto leaks = scope.check({});
    benchmark::DoNotOptimize(leaks.data());
  }
}

// What a naive tool does per check: every /proc/<pid>/stat on the machine.
void BM_FullProcScan(benchmark::State& state) {
  const procleak::ProcFs proc;
  std::size_t seen = 0;
  for (auto _ : state) {
    seen = 0;
    DIR* dir = opendir("/proc");
    while (const dirent* e = readdir(dir)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
      procleak::ProcStat stat;
      if (pid > 0 && !proc.read_stat(pid, stat)) ++seen;
    }
    closedir(dir);
    benchmark::DoNotOptimize(seen);
  }
  state.counters["processes"] = static_cast<double>(seen);
}

BENCHMARK(BM_OwnedTreeWalk);
BENCHMARK(BM_ScopeCheckNothingNew);
BENCHMARK(BM_FullProcScan);

}  // namespace

int main(int argc, char** argv) {
  procleak::become_subreaper();
  start_tree();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  stop_tree();
  return 0;
}
