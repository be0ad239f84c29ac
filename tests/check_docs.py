#!/usr/bin/env python3
"""Keeps README.md and docs/*.md true: every example in them is run or found
where the test suite runs it.

    check_docs.py links SOURCE_DIR
        README.md at most 300 lines; every relative link and #anchor of
        README.md and docs/*.md leads to a file and a heading that exist;
        docs/reference.md names every option each command's --help lists
        (BIN_DIR given as a third argument).
    check_docs.py examples SOURCE_DIR BUILD_DIR [--write]
        every fenced block of README.md and docs/*.md, by what precedes it:
        - a block whose first line starts with "$ " is a shell session: each
          command runs in a scratch folder where `build` is BUILD_DIR and
          BUILD_DIR/bin is first on PATH, and its output (stdout and stderr)
          must be the lines under it;
        - <!-- output of: COMMAND --> : COMMAND runs there, and its output must
          be the block (a json block is compared as JSON);
        - <!-- input of: COMMAND --> : the block is written to the file
          `input` there, and COMMAND must exit 0;
        - <!-- from: FILE[, FILE...] --> : each line of the block (comments
          and blank lines aside) is a line of one of those files, which the
          test suite builds or runs; <placeholders> in the block and shell
          variables in a shell file stand for any one word;
        any other block is an error: nothing would keep it true.
        Outputs are compared after PIDs, times, column padding and the
        absolute paths of this machine are normalised. --write puts the
        real outputs into the files instead (paths already made relative).
"""
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

README_MAX_LINES = 300
TAG = re.compile(r"^<!--\s*(output of|input of|from):\s*(.*?)\s*-->\s*$")
errors = []


def error(message):
    errors.append(message)


def documents(source):
    names = ["README.md"] + sorted("docs/" + n for n in os.listdir(os.path.join(source, "docs")) if n.endswith(".md"))
    return [(n, open(os.path.join(source, n)).read().split("\n")) for n in names]


def fenced_blocks(lines):
    """(tag kind, tag value, language, first content line index, end index)."""
    blocks = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start = i
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        tag = (None, None)
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k >= 0:
            t = TAG.match(lines[k].strip())
            if t:
                tag = (t.group(1), t.group(2))
        indent = len(m.group(1))
        content = [line[indent:] if line[:indent].strip() == "" else line for line in lines[start + 1:j]]
        blocks.append((tag, m.group(2), start + 1, j, content))
        i = j + 1
    return blocks


# ---------------------------------------------------------------- links

def slug(heading):
    text = heading.strip().lstrip("#").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(lines):
    found = set()
    infence = False
    for line in lines:
        if line.lstrip().startswith("```"):
            infence = not infence
        elif not infence and line.startswith("#"):
            base = slug(line)
            name, n = base, 1
            while name in found:
                name = f"{base}-{n}"
                n += 1
            found.add(name)
    return found


def check_links(source, bin_dir):
    docs = documents(source)
    readme_lines = len(docs[0][1]) - (1 if docs[0][1][-1] == "" else 0)
    if readme_lines > README_MAX_LINES:
        error(f"README.md: {readme_lines} lines, more than {README_MAX_LINES}")
    by_name = {name: anchors(lines) for name, lines in docs}
    for name, lines in docs:
        infence = False
        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith("```"):
                infence = not infence
                continue
            if infence:
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", line):
                if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
                    continue
                path, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(os.path.dirname(name), path)) if path else name
                if not os.path.exists(os.path.join(source, resolved)):
                    error(f"{name}:{number}: link to {target}: no file {resolved}")
                    continue
                if anchor:
                    if resolved not in by_name:
                        error(f"{name}:{number}: link to {target}: an anchor into a file that is not checked")
                    elif anchor not in by_name[resolved]:
                        error(f"{name}:{number}: link to {target}: {resolved} has no heading #{anchor}")
            # An indented code block (after a blank line, outside a list) is
            # never run, so it may only be a synopsis: [OPTIONS], FILE, DIR...
            if (line.startswith("    ") and number > 1 and not lines[number - 2].strip()
                    and not re.search(r"\[|\b[A-Z][A-Z-]{2,}\b", line)):
                error(f"{name}:{number}: an indented code block that is not a synopsis: "
                      f"put commands in a fenced block the check runs")
            for match in re.finditer(r"(?<![\w.])(/work/|/home/|/root/)\S*", line):
                error(f"{name}:{number}: an absolute path of a build machine: {match.group(0)}")
    if bin_dir:
        reference = open(os.path.join(source, "docs/reference.md")).read()
        for command in ("procleak-run", "procleak-ctest", "procleak-report"):
            help_text = subprocess.run([os.path.join(bin_dir, command), "--help"], capture_output=True,
                                       text=True).stdout
            for option in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", help_text))):
                if f"`{option}" not in reference:
                    error(f"docs/reference.md does not document {command} {option}")


# ---------------------------------------------------------------- examples

ROOTS = []  # (absolute prefix, what it reads as in the docs), longest first


def relative(text):
    for prefix, shown in ROOTS:
        text = text.replace(prefix, shown)
    return text


def set_roots(sandbox, source, build):
    """The scratch folder, the build tree (`build` there), the sources as the
    build compiled them (debug info names them) and as given."""
    compiled = source
    cache = os.path.join(build, "CMakeCache.txt")
    if os.path.exists(cache):
        m = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", open(cache).read(), re.M)
        if m:
            compiled = os.path.realpath(m.group(1))
    ROOTS[:] = sorted({(sandbox + "/", ""), (build + "/", "build/"), (compiled + "/", ""), (source + "/", "")},
                      key=lambda r: -len(r[0]))


def normalise_text(text, sandbox, source):
    out = []
    for line in text.split("\n"):
        line = relative(line)
        line = re.sub(r"\bPID \d+", "PID #", line)
        line = re.sub(r"\b\d+(\.\d+)? ?ms\b", "# ms", line)
        line = re.sub(r"\.\d+-\d+\.json\b", ".#.json", line)
        lead = len(line) - len(line.lstrip(" "))
        line = " " * lead + re.sub(r" {2,}", " ", line[lead:]).rstrip()
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


VOLATILE = {"pid", "ppid", "pgid", "sid", "original_parent", "started_at", "duration_ms", "age_ms",
            "cpu_usec", "memory_peak_bytes", "pids_peak"}


def normalise_json(value):
    if isinstance(value, dict):
        return {k: ("#" if k in VOLATILE and v is not None else normalise_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_json(v) for v in value]
    return value


def run(command, sandbox, env):
    try:
        done = subprocess.run(["bash", "-c", command], cwd=sandbox, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "timed out after 120 s\n"
    return done.returncode, done.stdout.decode("utf-8", "replace")


def sessions(content):
    """[(command, [expected output lines])] of a "$ " block."""
    result = []
    i = 0
    while i < len(content):
        line = content[i]
        if not line.startswith("$ "):
            raise ValueError(f"output before any command: {line!r}")
        command = line[2:]
        while command.endswith("\\") and i + 1 < len(content):
            i += 1
            command = command[:-1] + "\n" + content[i]
        i += 1
        expected = []
        while i < len(content) and not content[i].startswith("$ "):
            expected.append(content[i])
            i += 1
        result.append((command, expected))
    return result


def strip_comment(line, language):
    if language == "cpp":
        return re.sub(r"\s*//.*$", "", line)
    if language in ("cmake", "sh", "yaml", "meson", ""):
        return re.sub(r"(^|\s)#(?!include).*$", "", line)
    return line


WILD = "\x00"


def words(line, shell):
    line = re.sub(r"<[^<>]+>", WILD, line)
    if not shell:
        return line.split()
    line = re.sub(r"\"?\$\{?[A-Za-z_]\w*\}?[^\s\"]*\"?", WILD, line)
    tokens = line.split()
    # Redirections are the test's plumbing, not the command.
    tokens = [t for t in tokens if not re.match(r"^(\d*>>?|<)", t)]
    # So is the environment it is given.
    while tokens and (tokens[0] == "env" or re.match(r"^[A-Za-z_]\w*=", tokens[0]) or tokens[0] == WILD + "="):
        tokens.pop(0)
    return tokens


def same_line(shown, real, shell):
    a, b = words(shown, False), words(real, shell)
    return len(a) == len(b) and all(x == y or WILD in x or WILD in y for x, y in zip(a, b))


def logical_lines(lines, language):
    out = []
    for line in lines:
        line = strip_comment(line, language).rstrip()
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1][:-1].rstrip() + " " + line.strip()
        elif line.strip():
            out.append(line.strip())
    if language != "sh":
        return out
    # A shell line is its commands: `a && b` is two, and what follows
    # `||` or a pipe is the test's handling of the outcome.
    commands = []
    for line in out:
        for part in re.split(r"\s&&\s", line):
            part = re.split(r"\s(\|\||\|)\s", part)[0].strip()
            if part:
                commands.append(part)
    return commands


def check_from(name, first, content, language, files, source):
    real = []
    for f in files:
        path = os.path.join(source, f)
        if not os.path.isfile(path):
            error(f"{name}:{first}: from: {f}: no such file")
            return
        shell = f.endswith((".sh", "/run"))
        file_language = "sh" if shell else language
        real += [(line, shell) for line in logical_lines(open(path).read().split("\n"), file_language)]
    for line in logical_lines(content, language):
        if not any(same_line(line, r, shell) for r, shell in real):
            error(f"{name}:{first}: `{line}` is in none of {', '.join(files)}")


def environment_note(env):
    """What this machine gives a launcher, where it is not what the docs'
    examples were made on (root, the process-events connector, a writable
    cgroup v2): said beside the differences, which still fail the check."""
    with tempfile.TemporaryDirectory(prefix="procleak-docs-") as d:
        probe = os.path.join(d, "probe.json")
        subprocess.run(["procleak-run", "--report", probe, "--", "true"], env=env, capture_output=True)
        try:
            report = json.load(open(probe))
        except (OSError, ValueError) as e:
            return f"procleak-run wrote no report here ({e})"
    notes = []
    if report.get("lineage_unavailable"):
        notes.append(f"lineage unavailable: {report['lineage_unavailable']}")
    if report.get("containment") != "cgroup":
        reason = report.get("containment_reason")
        notes.append(f"containment {report.get('containment')}" + (f" ({reason})" if reason else ""))
    if not notes:
        return ""
    return ("the docs' examples are runs as root with the process-events connector and a writable "
            "cgroup v2; on this machine " + "; ".join(notes))


def check_examples(source, build, write):
    source = os.path.realpath(source)
    build = os.path.realpath(build)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROCLEAK_", "GTEST_", "GITHUB_"))}
    env["PATH"] = os.path.join(build, "bin") + os.pathsep + env["PATH"]
    env["GTEST_COLOR"] = "no"
    note = environment_note(env)
    for name, lines in documents(source):
        replacements = []
        for (kind, value), language, first, end, content in fenced_blocks(lines):
            with tempfile.TemporaryDirectory(prefix="procleak-docs-") as sandbox:
                sandbox = os.path.realpath(sandbox)
                os.symlink(build, os.path.join(sandbox, "build"))
                set_roots(sandbox, source, build)
                where = f"{name}:{first}"
                if content and content[0].startswith("$ "):
                    try:
                        steps = sessions(content)
                    except ValueError as e:
                        error(f"{where}: {e}")
                        continue
                    produced = []
                    last = 0
                    for command, expected in steps:
                        if command.strip() == "echo $?":
                            output = f"{last}\n"
                        else:
                            last, output = run(command, sandbox, env)
                        got = normalise_text(output, sandbox, source)
                        produced += ["$ " + command] + [relative(l) for l in output.rstrip("\n").split("\n")
                                                        if output.strip()]
                        want = normalise_text("\n".join(expected), sandbox, source)
                        if got != want:
                            diff = "\n".join(difflib.unified_diff(want, got, "shown", "produced", lineterm=""))
                            error(f"{where}: `{command}` printed something else:\n{diff}")
                    replacements.append((first, end, produced))
                elif kind == "output of":
                    status, output = run(value, sandbox, env)
                    output = relative(output)
                    replacements.append((first, end, output.rstrip("\n").split("\n")))
                    if language == "json":
                        try:
                            got = normalise_json(json.loads(output))
                            want = normalise_json(json.loads("\n".join(content)))
                        except json.JSONDecodeError as e:
                            error(f"{where}: not JSON ({e}): {output[:300]}")
                            continue
                        if got != want:
                            a = json.dumps(want, indent=1, sort_keys=True).split("\n")
                            b = json.dumps(got, indent=1, sort_keys=True).split("\n")
                            diff = "\n".join(difflib.unified_diff(a, b, "shown", "produced", lineterm=""))
                            error(f"{where}: `{value}` produced another report:\n{diff}")
                    else:
                        got = normalise_text(output, sandbox, source)
                        want = normalise_text("\n".join(content), sandbox, source)
                        if got != want:
                            diff = "\n".join(difflib.unified_diff(want, got, "shown", "produced", lineterm=""))
                            error(f"{where}: `{value}` printed something else:\n{diff}")
                elif kind == "input of":
                    with open(os.path.join(sandbox, "input"), "w") as f:
                        f.write("\n".join(content) + "\n")
                    status, output = run(value, sandbox, env)
                    if status != 0:
                        error(f"{where}: `{value}` over the block exited {status}: {output.strip()[:500]}")
                elif kind == "from":
                    check_from(name, first, content, language, [f.strip() for f in value.split(",")], source)
                else:
                    error(f"{where}: a ```{language} block that nothing checks: put it under "
                          f"<!-- from: FILE -->, <!-- output of: COMMAND -->, <!-- input of: COMMAND --> "
                          f"or start it with \"$ \" commands")
        if write and replacements:
            for first, end, produced in reversed(replacements):
                indent = re.match(r"^\s*", lines[first - 1]).group(0)
                lines[first:end] = [indent + l if l else l for l in produced]
            open(os.path.join(source, name), "w").write("\n".join(lines))
    if errors and note:
        error(note)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "links":
        check_links(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) >= 4 and sys.argv[1] == "examples":
        check_examples(sys.argv[2], sys.argv[3], "--write" in sys.argv[4:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"check_docs: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print("check_docs: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
