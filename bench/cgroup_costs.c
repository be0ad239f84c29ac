// What the kernel charges for containment by cgroup, per test, apart from
// procleak: mkdir and rmdir of a cgroup, and starting `true` and waiting for
// it by vfork, by fork, and by clone3(CLONE_INTO_CGROUP) (fork's semantics,
// born in the cgroup), 200 rounds each, alternating. Needs root and a
// writable cgroup2 at /sys/fs/cgroup/unified or /sys/fs/cgroup.
//   bench_cgroup_costs [CGROUP2_FOLDER]
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <string.h>
static double now(){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec*1e6+t.tv_nsec/1e3;}
extern char** environ;
int main(int argc, char** argv0){
  const char* base = argc > 1 ? argv0[1] : (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0 ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup");
  const int N=200; char*argv[]={"/bin/true",0};
  double t0,tm=0,tr=0,tv=0,tc=0,tcf=0;
  for(int i=0;i<N;i++){
    char d[128]; snprintf(d,128,"%s/procleak-bench-%d",base,i);
    t0=now(); if(mkdir(d,0755)!=0){perror(d);return 1;} int fd=open(d,O_RDONLY|O_DIRECTORY); tm+=now()-t0;
    // vfork + exec true, no cgroup
    t0=now(); pid_t p=vfork(); if(p==0){execve("/bin/true",argv,environ);_exit(127);} waitpid(p,0,0); tv+=now()-t0;
    // fork + exec (no cgroup)
    t0=now(); p=fork(); if(p==0){execve("/bin/true",argv,environ);_exit(127);} waitpid(p,0,0); tcf+=now()-t0;
    // clone3 into cgroup + exec
    struct clone_args ca; memset(&ca,0,sizeof ca); ca.flags=CLONE_INTO_CGROUP; ca.exit_signal=SIGCHLD; ca.cgroup=fd;
    t0=now(); p=syscall(SYS_clone3,&ca,sizeof ca); if(p==0){execve("/bin/true",argv,environ);_exit(127);} waitpid(p,0,0); tc+=now()-t0;
    close(fd);
    t0=now(); rmdir(d); tr+=now()-t0;
  }
  printf("per round, means of %d: mkdir+open %.0f us, rmdir %.0f us, vfork+exec %.0f, fork+exec %.0f, clone3-into-cgroup+exec %.0f\n", N, tm/N,tr/N,tv/N,tcf/N,tc/N);
}
