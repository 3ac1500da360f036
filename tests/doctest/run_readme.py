#!/usr/bin/env python3
"""Runs README's examples and compares their output with what README shows.

An example is a ```console block: lines starting with "$ " are commands
(run with bash -o pipefail, in README order, all in one temporary directory
holding a copy of data/), the lines after each, up to the next command, the
output it must print. Blank lines before a command only separate examples.

- stdout is a terminal 120 columns wide, as for a user typing the command, so
  the default format is the table; in a pipeline (`| head`) it is CSV.
  stderr is a pipe, so it never shows live progress. The output shown is
  stdout, then stderr.
- `…` in an expected line matches any text (timings: `… s`). mfrec prints `…`
  itself where it narrows names; those lines still match.
- A command whose expected output has a `mfrec: error:` line must fail
  (exit status not 0); every other command must succeed.
- ```console needs=ml-latest-small: the example reads ml-latest-small/ from the
  datasets folder (--datasets, default ../shared/datasets beside the
  repository); without it the block is skipped, and said so.

--update rewrites README's outputs from the binary: lines that still match
stay as written (with their `…`), changed lines take the new output, keeping
a `…` token of the old line where the new line has as many tokens, and in an
example that hides its timings, new timings (`0.02 s`) become `… s` too.
Review the result with `git diff README.md`.

scripts/demo.sh must train as the worked example does (checked too).

Python rather than cram: cram reads indented `  $ cmd` files, not Markdown
fences, interleaves stderr as the pipes happen to deliver it, and cannot give
the command a terminal, which is what README's examples show.
"""
import argparse
import difflib
import fcntl
import os
import pty
import re
import selectors
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

WILDCARD = "…"
COLUMNS = 120
FENCE = re.compile(r"^```console(?P<attrs>[^`]*)$")


class Example:
    """One command of a console block and the README lines of its output."""

    def __init__(self, line_no, command, expected):
        self.line_no, self.command = line_no, command
        self.expected = expected
        self.actual = None

    def expects_failure(self):
        return any(line.startswith("mfrec: error:") for line in self.expected)


class Block:
    def __init__(self, start, end, attrs):
        self.start, self.end = start, end  # README line indices, fences excluded
        self.needs = dict(a.split("=", 1) for a in attrs.split() if "=" in a).get("needs")
        self.examples = []


def parse(lines, name):
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            sys.exit(f"{name}:{i + 1}: console block never closed")
        block = Block(i + 1, end, m.group("attrs"))
        for j in range(i + 1, end):
            if lines[j].startswith("$ "):
                block.examples.append(Example(j + 1, lines[j][2:], []))
            elif block.examples:
                block.examples[-1].expected.append(lines[j])
            elif lines[j].strip():
                sys.exit(f"{name}:{j + 1}: output before any '$ ' command")
        for ex in block.examples:
            while ex.expected and not ex.expected[-1].strip():
                ex.expected.pop()
        blocks.append(block)
        i = end + 1
    return blocks


def open_terminal():
    """A pty for stdout: COLUMNS wide, no \\r added to line ends."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, COLUMNS, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


def run(command, cwd, env):
    """Runs one command; returns (exit status, stdout lines + stderr lines)."""
    master, slave = open_terminal()
    proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out, err = bytearray(), bytearray()
    sel = selectors.DefaultSelector()
    sel.register(master, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    while sel.get_map():
        for key, _ in sel.select():
            try:
                chunk = os.read(key.fd, 65536)
            except OSError:  # EIO: every writer of the pty has exited
                chunk = b""
            if chunk:
                key.data.extend(chunk)
            else:
                sel.unregister(key.fileobj)
    status = proc.wait()
    os.close(master)
    text = out.decode("utf-8", "replace") + err.decode("utf-8", "replace")
    return status, text.splitlines()


def matches(expected, actual):
    if WILDCARD not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split(WILDCARD))
    return re.fullmatch(pattern, actual) is not None


def same_output(ex):
    return len(ex.expected) == len(ex.actual) and all(
        matches(e, a) for e, a in zip(ex.expected, ex.actual))


def carry_wildcards(old, new):
    """new, with old's `…` tokens put back where both have as many tokens."""
    old_parts, new_parts = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    if WILDCARD not in old or len(old_parts) != len(new_parts):
        return new
    return "".join(o if WILDCARD in o and not o.isspace() else n
                   for o, n in zip(old_parts, new_parts))


def updated_output(ex):
    """The README lines for ex's actual output, reusing the expected ones. An
    example that hid its timings (`… s`) keeps hiding them in new lines."""
    hides_time = any(f"{WILDCARD} s" in line for line in ex.expected)
    result, p = [], 0
    for n, line in enumerate(ex.actual):
        hit = next((i for i in range(p, len(ex.expected)) if matches(ex.expected[i], line)), None)
        if hit is not None:
            result.append(ex.expected[hit])
            p = hit + 1
            continue
        if len(ex.expected) == len(ex.actual):
            line = carry_wildcards(ex.expected[n], line)
        if hides_time:
            line = re.sub(r"\b\d+\.\d+ s\b", f"{WILDCARD} s", line)
        result.append(line)
    return result


def rewrite(lines, blocks):
    """README's lines with every run block's outputs replaced."""
    out, pos = [], 0
    for block in blocks:
        if any(ex.actual is None for ex in block.examples):
            continue
        out.extend(lines[pos:block.start])
        for k, ex in enumerate(block.examples):
            if k:
                out.append("")
            out.append("$ " + ex.command)
            out.extend(updated_output(ex))
        pos = block.end
    out.extend(lines[pos:])
    return out


def check(ex, status):
    """Problems with one example's run, as text (empty when it passed)."""
    problems = []
    if ex.expects_failure() and status == 0:
        problems.append("exit status 0, but README shows an error")
    if not ex.expects_failure() and status != 0:
        problems.append(f"exit status {status}")
    if not same_output(ex):
        problems.extend(difflib.unified_diff(ex.expected, ex.actual, "README", "mfrec", lineterm="", n=2))
    return "\n".join(problems)


def demo_problem(root, blocks):
    """scripts/demo.sh must train as the worked example does (its first
    `mfrec train data/music.csv`), plus `-m mfrec.model`."""
    walkthrough = next((ex.command for b in blocks for ex in b.examples
                        if ex.command.startswith("mfrec train data/music.csv")), None)
    if walkthrough is None:
        return "no `mfrec train data/music.csv` example for scripts/demo.sh to follow"
    demo = (root / "scripts" / "demo.sh").read_text(encoding="utf-8").splitlines()
    if f"build/{walkthrough} -m mfrec.model" not in demo:
        return f"scripts/demo.sh does not run: build/{walkthrough} -m mfrec.model"
    return ""


def prepare(root, datasets, tmp):
    shutil.copytree(root / "data", tmp / "data")
    if (datasets / "ml-latest-small").is_dir():
        os.symlink((datasets / "ml-latest-small").resolve(), tmp / "ml-latest-small")


def environment(mfrec):
    env = {k: v for k, v in os.environ.items() if k not in ("MFREC_MODEL", "COLUMNS")}
    env["PATH"] = f"{mfrec.parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["LC_ALL"] = "C.UTF-8"
    return env


def arguments(root):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mfrec", type=Path, default=root / "build" / "mfrec", help="the binary to run")
    ap.add_argument("--readme", type=Path, default=root / "README.md")
    ap.add_argument("--datasets", type=Path,
                    default=Path(os.environ.get("MFREC_DATASETS", root.parent / "shared" / "datasets")))
    ap.add_argument("--update", action="store_true", help="rewrite README's outputs from the binary")
    return ap.parse_args()


def run_all(blocks, name, root, args, env):
    """Runs every block in one temporary directory; returns (passed, failed,
    skipped) and leaves each run example's output in ex.actual."""
    passed, failed, skipped = 0, 0, 0
    with tempfile.TemporaryDirectory(prefix="mfrec-readme-") as tmp:
        prepare(root, args.datasets, Path(tmp))
        for block in blocks:
            if block.needs and not (Path(tmp) / block.needs).exists():
                skipped += len(block.examples)
                print(f"skip {name}:{block.start}: needs {block.needs} in {args.datasets}")
                continue
            for ex in block.examples:
                status, ex.actual = run(ex.command, tmp, env)
                problems = check(ex, status)
                if problems:
                    failed += 1
                    print(f"FAIL {name}:{ex.line_no}: $ {ex.command}\n{problems}\n")
                else:
                    passed += 1
    return passed, failed, skipped


def main():
    root = Path(__file__).resolve().parents[2]
    args = arguments(root)
    mfrec = args.mfrec.resolve()
    if not os.access(mfrec, os.X_OK) or mfrec.name != "mfrec":
        sys.exit(f"run_readme: {mfrec} is not an mfrec binary")
    lines = args.readme.read_text(encoding="utf-8").split("\n")
    name = args.readme.name
    blocks = parse(lines, name)
    passed, failed, skipped = run_all(blocks, name, root, args, environment(mfrec))
    if args.update:
        args.readme.write_text("\n".join(rewrite(lines, blocks)), encoding="utf-8")
        print(f"updated {args.readme}: {failed} example(s) rewritten")
        failed = 0
    if args.readme.resolve() == root / "README.md" and demo_problem(root, blocks):
        print(f"FAIL {demo_problem(root, blocks)}")
        failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
