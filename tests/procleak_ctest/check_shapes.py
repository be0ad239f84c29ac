#!/usr/bin/env python3
"""The result rule of procleak-ctest, on the shapes real projects have.

Builds tests/procleak_ctest/shapes (GoogleTest discovery in both modes, every
property that decides pass or fail with and without a leak, hostile names,
NOT_AVAILABLE tests) with the given CMake and generator, runs it with plain
ctest and with procleak-ctest, and asserts for every test:
  - a test that leaks nothing gets exactly plain ctest's result;
  - a test that leaks is failed (SIGUSR1; Timeout where plain ctest says
    Timeout), whatever WILL_FAIL, its regular expressions or SKIP_RETURN_CODE say;
  - every test that ran has one report under its CTest name, with the verdict;
  - the exit status is plain ctest's, relative paths mean what they mean to
    the user's shell (--report-dir) or to ctest (--output-junit);
  - nothing the tests started survives procleak-ctest.

usage: check_shapes.py CMAKE_BIN_DIR PROCLEAK_CTEST SOURCE WORK GENERATOR [CONFIG...] [-DVAR=VALUE...]
(with configs, a multi-config tree: run once without -C, then with -C each;
-D arguments go to the configure step)
"""
import json
import os
import shutil
import re
import signal
import subprocess
import sys
import uuid

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what, flush=True)


def run(args, cwd, env=None, timeout=300):
    return subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, errors="surrogateescape")


def processes_marked(mark):
    """PIDs whose environment holds mark (the tests' leftovers)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if mark.encode() in f.read():
                    out.append(int(pid))
        except OSError:
            pass
    return out


def kill_marked(mark):
    for pid in processes_marked(mark):
        try:
            os.kill(pid, signal.SIGKILL)  # by PID: our own test leftovers only
        except ProcessLookupError:
            pass


def results(output):
    """test number -> ctest's word for a test that did not pass (None: passed)."""
    ran = {int(n) for n in re.findall(r"Test +#(\d+): ", output)}
    out = {n: None for n in ran}
    in_list = False
    for line in output.splitlines():
        if line.startswith("The following tests FAILED:") or line.startswith("The following tests did not run:"):
            in_list = True
            continue
        # CTest 4 adds the test's labels after the reason.
        m = re.match(r"^\s+(\d+) - (.*) \(([^()]*)\)(?:\s{2,}\S.*)?$", line)
        if in_list and m:
            out[int(m.group(1))] = m.group(3)
        elif in_list and line and not line.startswith("\t"):
            in_list = False
    return out


def main():
    bin_dir, procleak_ctest, source, work, generator = sys.argv[1:6]
    configs = [a for a in sys.argv[6:] if not a.startswith("-D")]
    defines = [a for a in sys.argv[6:] if a.startswith("-D")]
    ctest, cmake = os.path.join(bin_dir, "ctest"), os.path.join(bin_dir, "cmake")
    build = os.path.join(work, "build")
    os.makedirs(work, exist_ok=True)
    r = run([cmake, "-S", source, "-B", build, "-G", generator, "-Wno-dev"] + defines, work)
    check(r.returncode == 0, "configure:\n" + r.stdout)
    for config in configs or [None]:
        r = run([cmake, "--build", build] + (["--config", config] if config else []), work)
        check(r.returncode == 0, "build:\n" + r.stdout)
    if failures:
        return 1

    for config in ([None] + configs) if configs else [None]:
        c = ["-C", config] if config else []
        label = f"{generator}{' -C ' + config if config else ''}"
        listed = run([ctest, "--test-dir", build, "--show-only=json-v1"] + c, work)
        if listed.returncode != 0:
            # ctest cannot read the tree (multi-config without -C and PRE_TEST
            # discovery): procleak-ctest fails as ctest does, and runs nothing.
            plain = run([ctest, "--test-dir", build] + c, work)
            proc = run([procleak_ctest, "--test-dir", build] + c, work, dict(os.environ, PROCLEAK_CTEST=ctest))
            check(proc.returncode == plain.returncode, f"{label}: exit {proc.returncode}, plain {plain.returncode}")
            check(not re.search(r"Test +#\d+: ", proc.stdout), f"{label}: tests ran:\n{proc.stdout}")
            print(f"check_shapes: {label}: ctest cannot list the tests (exit {plain.returncode}), "
                  "procleak-ctest neither", flush=True)
            continue
        listing = json.loads(listed.stdout)
        leaky_names = set()
        for t in listing["tests"]:
            labels = next((p["value"] for p in t.get("properties", []) if p["name"] == "LABELS"), [])
            if "leaks" in labels or "Leaks" in t["name"]:
                leaky_names.add(t["name"])
        shown = run([ctest, "--test-dir", build, "-N"] + c, work).stdout
        names = {int(n): name for n, name in re.findall(r"^\s*Test +#(\d+): (.*)$", shown, re.M)}

        mark = "PROCLEAK_SHAPES_RUN=" + uuid.uuid4().hex
        env = dict(os.environ, PROCLEAK_SHAPES_RUN=mark.split("=", 1)[1])
        plain = run([ctest, "--test-dir", build, "-j2", "--output-junit", "junit-plain.xml"] + c, work, env)
        kill_marked(mark)  # plain ctest leaves the leaks running: that is the point

        reports = os.path.join(work, "reports-" + uuid.uuid4().hex[:8])
        env["PROCLEAK_CTEST"] = ctest
        rel_reports = os.path.relpath(reports, work)
        proc = run([procleak_ctest, "--report-dir", rel_reports, "--", "--test-dir", build, "-j2",
                    "--output-junit", "junit-procleak.xml"] + c, work, env)
        survivors = processes_marked(mark)
        kill_marked(mark)
        check(not survivors, f"{label}: processes survived procleak-ctest: {survivors}")

        want, got = results(plain.stdout), results(proc.stdout)
        check(plain.returncode == proc.returncode,
              f"{label}: exit {proc.returncode}, plain ctest {plain.returncode}\n{proc.stdout[-3000:]}")
        check(set(want) == set(got), f"{label}: tests run differ: plain {sorted(want)}, procleak {sorted(got)}")
        by_name = {}
        if os.path.isdir(reports):
            for f in os.listdir(reports):
                with open(os.path.join(reports, f)) as fh:
                    rep = json.load(fh)
                by_name.setdefault(rep["test"], []).append(rep)
        for n in sorted(want):
            name = names.get(n, f"#{n}")
            w, g = want[n], got.get(n)
            if name in leaky_names:
                expected = "Timeout" if w == "Timeout" else "SIGUSR1"
                check(g == expected, f"{label}: {name!r} leaks: procleak-ctest says {g}, want {expected} "
                                     f"(plain ctest: {w or 'Passed'})")
            else:
                check(g == w, f"{label}: {name!r}: procleak-ctest says {g or 'Passed'}, plain ctest {w or 'Passed'}")
            ran = w not in ("Not Run", "Disabled")
            reps = by_name.pop(name, [])
            if ran:
                check(len(reps) == 1, f"{label}: {name!r}: {len(reps)} reports, want one")
                for rep in reps:
                    verdict = "leaked" if name in leaky_names else "clean"
                    check(rep["verdict"] == verdict, f"{label}: {name!r}: verdict {rep['verdict']}, want {verdict}")
            else:
                check(not reps, f"{label}: {name!r} did not run but has a report")
        check(not by_name, f"{label}: reports of no test: {sorted(by_name)}")
        for j in ("junit-plain.xml", "junit-procleak.xml"):
            path = os.path.join(build, j)
            check(os.path.isfile(path), f"{label}: a relative --output-junit lands in the build tree ({path})")
            if os.path.isfile(path):
                os.remove(path)
        print(f"check_shapes: {label}: {len(want)} tests compared, {len(leaky_names)} leaky", flush=True)
    # Nothing stale: a configure that adds a test and a rebuild that adds a
    # discovered one show at once (procleak-ctest reuses a listing only while
    # the tree's test files are unchanged).
    c = ["-C", configs[0]] if configs else []
    r = run([cmake, "-S", source, "-B", build, "-DSHAPES_EXTRA=ON"] + defines, work)
    check(r.returncode == 0, "reconfigure:\n" + r.stdout)
    r = run([cmake, "--build", build] + (["--config", configs[0]] if configs else []), work)
    check(r.returncode == 0, "rebuild:\n" + r.stdout)
    env = dict(os.environ, PROCLEAK_CTEST=ctest)
    shown = run([procleak_ctest, "--test-dir", build, "-N"] + c, work, env).stdout
    names = set(re.findall(r"^\s*Test +#\d+: (.*)$", shown, re.M))
    # (CMake 3.25's GoogleTest module itself names the POST_BUILD ones
    # "post[;TEST_SUFFIX;]...": a "[" in TEST_PREFIX breaks its list; 4.x
    # names them "post[...]".)
    added = {n for n in names if "Extra.Added" in n}
    check("extra_added" in names and len(added) == (1 if "-DSHAPES_PRE_TEST=OFF" in defines else 2),
          f"after a rebuild, procleak-ctest does not list the added tests:\n{shown}")
    plain_names = set(re.findall(r"^\s*Test +#\d+: (.*)$", run([ctest, "--test-dir", build, "-N"] + c, work).stdout, re.M))
    check(names == plain_names, f"after a rebuild, procleak-ctest lists {sorted(names ^ plain_names)} unlike ctest")
    print(f"check_shapes: after a reconfigure and a rebuild, {len(names)} tests listed as by ctest", flush=True)

    # Relative PROCLEAK_REPORT_DIR and --suppressions mean what they mean in
    # the shell that started procleak-ctest, not in each test's WORKING_DIRECTORY.
    with open(os.path.join(work, "rules.supp"), "w") as f:
        f.write("comm:sleep\n")
    mark = "PROCLEAK_SHAPES_RUN=" + uuid.uuid4().hex
    # This run's reports only: the folder outlives a run in the same build tree.
    shutil.rmtree(os.path.join(work, "env-reports"), ignore_errors=True)
    env = dict(os.environ, PROCLEAK_CTEST=ctest, PROCLEAK_REPORT_DIR="env-reports",
               PROCLEAK_SHAPES_RUN=mark.split("=", 1)[1])
    r = run([procleak_ctest, "--suppressions", "rules.supp", "--", "--test-dir", build, "-R", "^plain_fails_leaks$"] + c,
            work, env)
    kill_marked(mark)
    reps = os.listdir(os.path.join(work, "env-reports")) if os.path.isdir(os.path.join(work, "env-reports")) else []
    check(len(reps) == 1, f"a relative PROCLEAK_REPORT_DIR: {len(reps)} reports in {work}/env-reports\n{r.stdout}")
    for f in reps:
        with open(os.path.join(work, "env-reports", f)) as fh:
            rep = json.load(fh)
        check(rep["verdict"] == "suppressed", f"a relative --suppressions file applies: {rep['verdict']}")
    check(re.search(r"plain_fails_leaks \.+\*\*\*Failed", r.stdout) is not None,
          f"a suppressed leak leaves plain ctest's result (Failed, exit 2):\n{r.stdout}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
