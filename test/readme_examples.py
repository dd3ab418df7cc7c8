#!/usr/bin/python3
"""readme_examples.py -- run every example of README.md and compare its
output with the text the README shows.

Usage: readme_examples.py MODULE SHELL [README.md]
(README.md defaults to the one beside this script's directory.)

Examples run in order, in one fresh temporary directory, so a later example
may use what an earlier one made (the SQL examples' database is readme.db
there, and their stores sit beside it).  Three kinds:

  ```sql then ```text   the SQL runs in a new sqlite3 process with the module
                        loaded, on readme.db (so data must survive the close
                        and reopen between blocks); stdout and stderr
                        together must equal the text block.
  ```console            lines starting "$ " are shell commands (sh -c, in
                        the temporary directory, with the build root first
                        on PATH so that lsmctl is the one just built, a
                        sqlite3 that is SHELL, python3 that is Debian's,
                        ./lsmvtab.so the module, and LD_LIBRARY_PATH the
                        build root, so ".load lsmvtab" resolves as it does
                        after make install);
                        the lines up to the next command are its expected
                        output (stdout and stderr).  A line "..." stands for
                        any number of lines.  The command must exit 0, or
                        N if the line ends with "# exit status N".
  ```c then ```text     the program is compiled against the engine in the
                        build tree and run with the argument example.lsm
                        (a store directory); its stdout must equal the text.
                        A C block must also be byte-for-byte a file under
                        test/examples/ (named in its first line), which
                        test/install.sh builds against the installed library
                        through pkg-config.

```sh blocks are build and install commands, which this script does not run:
it checks that the first line of each names one it knows (SH_BLOCKS), and
the test that runs the same steps.  The quick-start block is exactly what
.ci/run runs.  The system-wide install block is not run as written (it
writes into /usr): test/install.sh runs make install of the build's own
configuration into a scratch DESTDIR instead.  Any other fence kind than
these, "text" and plain ``` is an error, as is an sql block with no text
block after it.  Exit status 0 if all match, 1 otherwise (with a diff), 77
(skip) without a shell.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
EXIT_STATUS = re.compile(r"#\s*exit status (\d+)\s*$")

# The first command line of each sh block, and the test that runs it.
SH_BLOCKS = {
    "build-aux/quickstart.sh": ".ci/run (quick-start command 1)",
    "autoreconf -fi": "build-aux/test.sh (the same steps)",
    "build-aux/install-deps.sh": "test/install.sh (configure, make install)",
}


def blocks(text):
    """Yield (line number, kind, body) for each fenced block."""
    for m in FENCE.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)


def diff(line, expected, got):
    print("README.md line %d: output differs" % line)
    sys.stdout.writelines(difflib.unified_diff(
        expected.splitlines(True), got.splitlines(True), "expected", "got"))


def matches(expected, got):
    """True if got equals expected, a line "..." matching any lines."""
    exp = expected.splitlines()
    lines = got.splitlines()

    def walk(i, j):
        if i == len(exp):
            return j == len(lines)
        if exp[i] == "...":
            return any(walk(i + 1, k) for k in range(j, len(lines) + 1))
        return j < len(lines) and lines[j] == exp[i] and walk(i + 1, j + 1)
    return walk(0, 0)


def console_steps(body):
    """Split a console block into (command, expected output) pairs."""
    steps = []
    for ln in body.splitlines(True):
        if ln.startswith("$ "):
            steps.append([ln[2:].rstrip("\n"), ""])
        elif steps:
            steps[-1][1] += ln
        else:
            raise ValueError("console block does not start with '$ '")
    return steps


def plain_env(env):
    """env without the ASan preload meant for uninstrumented python/sqlite3
    (compilers and the instrumented lsmctl run without it)."""
    e = dict(env)
    e.pop("LD_PRELOAD", None)
    return e


def compile_c(src, tmp, builddir, top):
    """Compile src against the build tree's engine; return the binary."""
    cc = os.environ.get("CC", "cc")
    san = os.environ.get("SANITIZERS", "").split()
    exe = os.path.join(tmp, "readme_prog")
    path = os.path.join(tmp, "readme_prog.c")
    with open(path, "w", encoding="utf-8") as f:
        f.write(src)
    libs = os.path.join(builddir, ".libs")
    cmd = cc.split() + san + ["-std=c11", "-Wall", "-Wextra", "-Werror",
                              "-I" + os.path.join(top, "lsmcore"), path,
                              "-o", exe, "-L" + libs, "-llsmcore",
                              "-Wl,-rpath," + libs]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=plain_env(os.environ))
    if out.returncode != 0:
        print(" ".join(cmd))
        print(out.stdout)
        return None
    return exe


def main():
    module, shell = sys.argv[1:3]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    readme = sys.argv[3] if len(sys.argv) > 3 else os.path.join(top, "README.md")
    builddir = os.environ.get("LSMV_BUILDDIR", os.path.dirname(module))
    if not shell:
        print("sqlite3 shell not found")
        return 77
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    env = dict(os.environ)      # under sanitizers, pyrun.sh preloads ASan
    failed = 0
    count = 0
    items = list(blocks(text))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "readme.db")
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(shell), os.path.join(bindir, "sqlite3"))
        lsmctl = os.path.join(builddir, "lsmctl")
        if not os.path.exists(lsmctl):
            print("no %s: build it first" % lsmctl)
            return 1
        os.symlink(lsmctl, os.path.join(bindir, "lsmctl"))
        os.symlink(module + ".so", os.path.join(tmp, "lsmvtab.so"))
        os.symlink("/usr/bin/python3", os.path.join(bindir, "python3"))
        cenv = dict(env)
        cenv["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        # ".load lsmvtab" with no path finds the build's module as it finds
        # an installed one: through dlopen's search.
        cenv["LD_LIBRARY_PATH"] = os.path.abspath(builddir)
        for n, (line, kind, body) in enumerate(items):
            after = items[n + 1] if n + 1 < len(items) else None
            expected = after[2] if after and after[1] == "text" else None
            if kind == "sql":
                count += 1
                if expected is None:
                    failed += 1
                    print("README.md line %d: sql block without a text block "
                          "after it" % line)
                    continue
                out = subprocess.run([shell, "-batch", "-cmd", ".load " + module, db],
                                     input=body, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     cwd=tmp, env=env)
                if out.stdout != expected:
                    failed += 1
                    diff(line, expected, out.stdout)
            elif kind == "console":
                for cmd, want in console_steps(body):
                    count += 1
                    # lsmctl is instrumented itself: no preload for it.
                    e = plain_env(cenv) if cmd.startswith("lsmctl") else cenv
                    out = subprocess.run(["sh", "-c", cmd], stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True,
                                         cwd=tmp, env=e)
                    m = EXIT_STATUS.search(cmd)
                    status = int(m.group(1)) if m else 0
                    if not matches(want, out.stdout):
                        failed += 1
                        print("$ " + cmd)
                        diff(line, want, out.stdout)
                    elif out.returncode != status:
                        failed += 1
                        print("README.md line %d: $ %s\nexit status %d, not %d"
                              % (line, cmd, out.returncode, status))
            elif kind == "c":
                count += 1
                first = body.splitlines()[0] if body else ""
                m = re.search(r"(test/examples/[\w.]+)", first)
                same = False
                if m:
                    with open(os.path.join(top, m.group(1)), encoding="utf-8") as f:
                        same = f.read() == body
                if not same:
                    failed += 1
                    print("README.md line %d: C block is not a file of "
                          "test/examples/ named in its first line" % line)
                    continue
                exe = compile_c(body, tmp, builddir, top)
                if exe is None:
                    failed += 1
                    print("README.md line %d: C example does not compile" % line)
                    continue
                out = subprocess.run([exe, "example.lsm"], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     cwd=tmp, env=plain_env(env))
                if expected is None or out.stdout != expected or out.returncode:
                    failed += 1
                    diff(line, expected or "", out.stdout)
            elif kind == "sh":
                count += 1
                first = body.splitlines()[0].split("#")[0].strip()
                if first not in SH_BLOCKS:
                    failed += 1
                    print("README.md line %d: sh block '%s' is run by no test"
                          % (line, first))
            elif kind not in ("", "text"):
                count += 1
                failed += 1
                print("README.md line %d: a ```%s block, which no test runs"
                      % (line, kind))
    print("%d README examples, %d failed" % (count, failed))
    if count == 0:
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
