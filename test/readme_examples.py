#!/usr/bin/python3
"""readme_examples.py -- run the SQL examples of README.md and compare their
output with the text shown after each of them.

Usage: readme_examples.py MODULE SHELL [README.md]
(README.md defaults to the one beside this script's directory.)

Every fenced ```sql block that is immediately followed by a fenced ```text
block is an example.  The examples run in order on one database file in a
fresh temporary directory, each block in a new sqlite3 process (so data must
survive the close and reopen between blocks) with the module loaded; the
block's stdout and stderr together must equal the text block.  Exit status 0
if all match, 1 otherwise (with a diff), 77 (skip) without a shell.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile


def examples(text):
    """Yield (line number, sql, expected) for each sql+text block pair."""
    pat = re.compile(r"^```sql\n(.*?)^```\n```text\n(.*?)^```\n",
                     re.S | re.M)
    for m in pat.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)


def main():
    module, shell = sys.argv[1:3]
    readme = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
    if not shell:
        print("sqlite3 shell not found")
        return 77
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    env = dict(os.environ)      # under sanitizers, pyrun.sh preloads ASan
    failed = 0
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "readme.db")
        for line, sql, expected in examples(text):
            count += 1
            out = subprocess.run([shell, "-batch", "-cmd", ".load " + module, db],
                                 input=sql, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 cwd=tmp, env=env)
            got = out.stdout
            if got != expected:
                failed += 1
                print("README.md line %d: output differs" % line)
                sys.stdout.writelines(difflib.unified_diff(
                    expected.splitlines(True), got.splitlines(True),
                    "expected", "got"))
    print("%d README examples, %d failed" % (count, failed))
    if count == 0:
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
