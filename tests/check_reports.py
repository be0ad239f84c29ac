#!/usr/bin/env python3
"""Validates procleak reports against the JSON Schema of procleak.report/1.

    check_reports.py SCHEMA ARCHIVE_DIR [MARKDOWN...]

Every report in ARCHIVE_DIR (the integration tests keep a copy of each
report they read there) and every JSON example of a report (a ```json block
that holds "procleak.report/1") in the MARKDOWN files must validate. Exit 0
when all do (the counts printed), 1 naming each one that does not, or
when the markdown files hold no example. An empty archive (a ctest -R run
of suites that read no report) is said, not failed.
"""
import glob
import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:
    # Another Python first on PATH (pyenv): Debian's, where
    # scripts/install-deps.sh puts python3-jsonschema.
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    sys.exit("check_reports: no jsonschema module (Debian: apt-get install python3-jsonschema)")


def main():
    schema_path, archive = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    files = sorted(glob.glob(archive + "/*.json"))
    if not files:
        print(f"check_reports: no report in {archive} (the suites that ran read none)")
    documents = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            documents.append((path, f.read()))
    examples = 0
    for md in sys.argv[3:]:
        text = open(md, encoding="utf-8").read()
        for n, block in enumerate(re.findall(r"```json\n(.*?)```", text, re.S)):
            if "procleak.report/1" in block:
                documents.append((f"{md} (JSON example {n + 1})", block))
                examples += 1
    if sys.argv[3:] and examples == 0:
        print(f"check_reports: no JSON example of a report in {' '.join(sys.argv[3:])}", file=sys.stderr)
        bad += 1
    for where, text in documents:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            print(f"check_reports: {where}: not JSON: {e}", file=sys.stderr)
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors[:5]:
            path = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"check_reports: {where}: {path}: {e.message}", file=sys.stderr)
        bad += bool(errors)
    print(f"check_reports: {len(documents) - bad} of {len(documents)} valid against {schema_path} "
          f"({len(files)} reports the suites read, {examples} examples)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
