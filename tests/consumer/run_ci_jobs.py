#!/usr/bin/env python3
"""Runs the two CI jobs README.md shows (ci_jobs/github-actions.yml and
ci_jobs/gitlab-ci.yml) on the FetchContent project (fetchcontent/ with the
tests every consumer shares), the way their runners would, and checks what
they decide.

Usage: run_ci_jobs.py CMAKE_BIN_DIR PROCLEAK_SOURCE WORK_DIR

- procleak is fetched by git: the files of the tree under test (tracked and
  untracked, as `git ls-files` lists them) are committed into a repository
  under WORK_DIR, whose file URL and commit fill in the project's two
  placeholders, as a user fills them with procleak's URL and a tag;
- every `run` step (GitHub: a failed step skips the rest but those with
  `if: always()`) and every `script` line (GitLab: the first failure ends the
  script; `after_script` runs anyway) runs with bash -e in the project, with
  CMAKE_BIN_DIR first on PATH; the `apt-get install` line is not run (no
  network): each package it names is checked to exist in Debian's lists, and
  to be installed here; `uses:` steps are the runner's (checkout: the project
  is already there; upload-artifact: its path must exist);
- GitHub's job must fail at ctest (the project has four leaky tests), and its
  gate must exit 1 with a JUnit file of those four failures; then a baseline
  written from those reports (`--write-baseline`, the README's adoption step)
  makes GitLab's job pass, and no process of either job is left running.
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print(f"run_ci_jobs: {message}", file=sys.stderr)
    sys.exit(1)


def run(command, cwd, env, log):
    print(f"$ {command}", file=log, flush=True)
    return subprocess.run(["bash", "-e", "-c", command], cwd=cwd, env=env, stdout=log,
                          stderr=subprocess.STDOUT).returncode


def check_apt_line(line):
    """An apt-get line: not run; each package exists in Debian's lists and here."""
    packages = [w for w in line.split("install", 1)[1].split() if not w.startswith("-")]
    if not packages:
        fail(f"no packages in: {line}")
    for package in packages:
        shown = subprocess.run(["apt-cache", "show", package], capture_output=True, text=True)
        if shown.returncode != 0 or not shown.stdout.strip():
            fail(f"the job installs {package}, which Debian's lists do not have")
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        if "install ok installed" not in status.stdout:
            fail(f"the job installs {package}, which this machine lacks (scripts/install-deps.sh)")


def procleak_repository(source, work):
    """A git repository of the tree under test, and its commit."""
    repo = os.path.join(work, "procleak.git")
    listed = subprocess.run(["git", "-C", source, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = os.path.join(source, name)
        if not os.path.lexists(src) or os.path.isdir(src):
            continue  # deleted in the working tree
        dst = os.path.join(repo, name)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    git = ["git", "-C", repo, "-c", "user.name=ci", "-c", "user.email=ci@localhost"]
    subprocess.run(["git", "init", "-q", repo], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "procleak under test"], check=True)
    commit = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    return "file://" + repo, commit


def run_github(job, project, env, log):
    """Returns the exit status of each step, by its run line."""
    statuses = {}
    failed = False
    for step in job["steps"]:
        always = str(step.get("if", "")).strip() == "always()"
        if failed and not always:
            continue
        if "uses" in step:
            if step["uses"].startswith("actions/upload-artifact"):
                path = step["with"]["path"]
                if not os.path.exists(os.path.join(project, path)):
                    fail(f"the artifact {path} does not exist")
            continue
        command = step["run"]
        if "apt-get install" in command:
            check_apt_line(command)
            continue
        status = run(command, project, env, log)
        statuses[command] = status
        failed = failed or status != 0
    return statuses


def run_gitlab(job, project, env, log):
    status = 0
    for line in job["script"]:
        if "apt-get install" in line:
            check_apt_line(line)
            continue
        status = run(line, project, env, log)
        if status != 0:
            break
    for line in job.get("after_script", []):
        run(line, project, env, log)
    for path in job["artifacts"]["paths"]:
        if not os.path.exists(os.path.join(project, path)):
            fail(f"the artifact {path} does not exist")
    return status, os.path.join(project, job["artifacts"]["reports"]["junit"])


def junit_failures(path):
    if not os.path.exists(path):
        fail(f"the gate wrote no {path}")
    root = ET.parse(path).getroot()
    return sorted(case.get("name") for case in root.iter("testcase") if case.find("failure") is not None)


def main():
    if len(sys.argv) != 4:
        fail("usage: run_ci_jobs.py CMAKE_BIN_DIR PROCLEAK_SOURCE WORK_DIR")
    cmake_bin, source, work = (os.path.abspath(a) for a in sys.argv[1:])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    url, commit = procleak_repository(source, work)

    project = os.path.join(work, "project")
    shutil.copytree(os.path.join(HERE, "fetchcontent"), project)
    shutil.copytree(os.path.join(HERE, "common"), project, dirs_exist_ok=True)
    cmakelists = os.path.join(project, "CMakeLists.txt")
    text = open(cmakelists).read()
    for placeholder, value in (("<URL of procleak's git repository>", url), ("<a tag or commit of it>", commit)):
        if placeholder not in text:
            fail(f"fetchcontent/CMakeLists.txt lacks the placeholder {placeholder}")
        text = text.replace(placeholder, value)
    open(cmakelists, "w").write(text)

    marker = f"PROCLEAK_CI_JOBS_RUN={os.getpid()}"
    env = dict(os.environ, PATH=cmake_bin + os.pathsep + os.environ["PATH"])
    env[marker.split("=")[0]] = marker.split("=")[1]
    env.pop("GITHUB_ACTIONS", None)
    gate = "build/_deps/procleak-build/bin/procleak-report"

    with open(os.path.join(work, "github.log"), "w") as log:
        github = yaml.safe_load(open(os.path.join(HERE, "ci_jobs", "github-actions.yml")))["jobs"]["test"]
        # The runner sets GITHUB_ACTIONS; the gate then annotates.
        statuses = run_github(github, project, dict(env, GITHUB_ACTIONS="true"), log)
    by_program = {re.split(r"\s", c)[0]: s for c, s in statuses.items()}
    log_text = open(os.path.join(work, "github.log")).read()
    if by_program.get("cmake") != 0:
        fail(f"GitHub job: the build failed:\n{log_text[-4000:]}")
    if by_program.get("ctest") in (None, 0):
        fail(f"GitHub job: ctest passed, but four tests leak:\n{log_text[-4000:]}")
    if by_program.get(gate) != 1:
        fail(f"GitHub job: the gate exited {by_program.get(gate)}, not 1:\n{log_text[-4000:]}")
    if "::error" not in log_text:
        fail("GitHub job: the gate wrote no annotation")
    expected = ["Consumer.LeavesAServer", "hangs_and_leaks", "leaky_program", "leaky_script"]
    found = junit_failures(os.path.join(project, "procleak-junit.xml"))
    if found != expected:
        fail(f"GitHub job: the gate's JUnit fails {found}, not {expected}")

    reports = os.path.join(project, "build/procleak-reports")
    checked = subprocess.run([sys.executable, os.path.join(source, "tests/check_reports.py"),
                              os.path.join(source, "docs/procleak.report.schema.json"), reports],
                             capture_output=True, text=True)
    if checked.returncode != 0:
        fail(f"GitHub job: a report does not validate against the schema: {checked.stderr}")

    # Adopting the gate: a baseline of today's leaks, committed beside the job.
    subprocess.run([os.path.join(project, gate), "--write-baseline", os.path.join(project, "procleak-baseline.json"),
                    os.path.join(project, "build/procleak-reports")], check=True, capture_output=True)
    shutil.rmtree(os.path.join(project, "build/procleak-reports"))
    os.remove(os.path.join(project, "procleak-junit.xml"))
    with open(os.path.join(work, "gitlab.log"), "w") as log:
        gitlab = yaml.safe_load(open(os.path.join(HERE, "ci_jobs", "gitlab-ci.yml")))["test"]
        status, junit = run_gitlab(gitlab, project, env, log)
    log_text = open(os.path.join(work, "gitlab.log")).read()
    if status != 0:
        fail(f"GitLab job with the baseline: exit {status}, not 0:\n{log_text[-4000:]}")
    if junit_failures(junit):
        fail(f"GitLab job: the JUnit file fails {junit_failures(junit)} despite the baseline")

    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in open(f"/proc/{pid}/environ", "rb").read():
                left.append(pid)
        except OSError:
            pass
    if left:
        fail(f"processes left behind: {left}")
    print(f"run_ci_jobs: both jobs ran as their runners would run them: ok ({url} at {commit[:12]})")


if __name__ == "__main__":
    main()
