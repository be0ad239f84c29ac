#!/bin/sh
# Runs an integration test binary inside a fresh PID namespace, the way CI
# containers run: there the caller's session and group leaders live outside the
# namespace and read as 0 (getsid, /proc/<pid>/stat). Exit 77 (skipped) only
# when this machine cannot create the namespace (not root, no unshare).
set -eu
if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
  echo "in_pid_namespace: cannot create a PID namespace here; skipped" >&2
  exit 77
fi
exec unshare --pid --fork --mount-proc "$@"
