#!/usr/bin/env python3
"""--help, the man page and the completions cannot drift apart: every
command, flag and flag value --help lists is in the man page's section for
that command and in the bash, zsh and fish completions; bash and fish are
asked for real completions (flags, values, paths). Every command with
--json gives the same bytes for --format json."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def help_surface(ctxpack):
    """{command: {flag: [values]}} from --help; "" is the program itself."""
    top = run([ctxpack, "--help"]).stdout
    commands = re.findall(r"^  ([a-z]+) {2,}", top.split("Subcommands:")[1], re.M)
    surface = {"": options(top)}
    for c in commands:
        surface[c] = options(run([ctxpack, c, "--help"]).stdout)
    return surface


def options(help_text):
    result = {}
    section = help_text.split("Options:")[1]
    for m in re.finditer(r"^  (-[^\s]+)(?: [A-Z]+(?::\{([^}]*)\})?)?", section, re.M):
        values = m.group(2).split(",") if m.group(2) else []
        for flag in m.group(1).split(","):
            result[flag] = values
    return result


def man_sections(scd):
    """The man page source by command ("" for what every command shares)."""
    parts = re.split(r"^(#+ .*)$", scd, flags=re.M)
    sections = {}
    for heading, body in zip(parts[1::2], parts[2::2]):
        m = re.match(r"## ctxpack (\w+)", heading)
        key = m.group(1) if m else ("" if "COMMON" in heading or heading == "# SYNOPSIS" else None)
        if key is not None:
            sections[key] = sections.get(key, "") + body
    return sections


def check_man(surface, scd):
    sections = man_sections(scd)
    for cmd, flags in surface.items():
        if cmd and cmd not in sections:
            fail(f"man page: no section for {cmd}")
            continue
        text = sections.get(cmd, "") + sections[""]
        for flag, values in flags.items():
            lines = [line for line in text.splitlines() if f"*{flag}*" in line]
            if not lines:
                fail(f"man page: {cmd or 'ctxpack'} {flag} is not documented")
            for v in values:
                if not any(f"*{v}*" in line for line in lines):
                    fail(f"man page: {cmd} {flag} does not list the value {v}")


def bash_complete(script, words, cwd):
    line = " ".join(words)
    prog = f"""
source /usr/share/bash-completion/bash_completion
source {script}
COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}
_ctxpack ctxpack {words[-1]!r} {words[-2]!r}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    return set(run(["bash", "-c", prog], cwd=cwd).stdout.split())


def fish_complete(script, words, cwd):
    line = " ".join(words)
    r = run(["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"], cwd=cwd)
    return {l.split("\t")[0] for l in r.stdout.splitlines()}


def check_completer(name, complete, surface, cwd):
    commands = {c for c in surface if c}
    got = complete(["ctxpack", ""], cwd)
    if not commands <= got:
        fail(f"{name}: commands {sorted(commands - got)} are not completed")
    for cmd, flags in surface.items():
        if not cmd:
            continue
        got = complete(["ctxpack", cmd, "-"], cwd) | complete(["ctxpack", cmd, "--"], cwd)
        missing = sorted(f for f in flags if f not in got)
        if missing:
            fail(f"{name}: ctxpack {cmd} does not complete {missing}")
        for flag, values in flags.items():
            if values and complete(["ctxpack", cmd, flag, ""], cwd) != set(values):
                fail(f"{name}: ctxpack {cmd} {flag} does not complete exactly {values}")
    # Paths: the context is a directory, -f/-o any file.
    if "adir/" not in {w.rstrip("/") + "/" for w in complete(["ctxpack", "ls", "a"], cwd)}:
        fail(f"{name}: the context does not complete to directories")
    if "afile" in complete(["ctxpack", "ls", "a"], cwd):
        fail(f"{name}: the context completes to a file")
    for flag in ("-f", "--file"):
        if "afile" not in complete(["ctxpack", "report", flag, "a"], cwd):
            fail(f"{name}: report {flag} does not complete files")
    if "afile" not in complete(["ctxpack", "pack", "-o", "a"], cwd):
        fail(f"{name}: pack -o does not complete files")


def check_zsh(surface, script):
    """zsh is checked by reading: each command's case arm (with the shared
    arrays it expands) names every flag and every value."""
    text = open(script).read()
    arrays = dict(re.findall(r"^  (\w+)=\((.*?)^  \)", text, re.M | re.S))
    for cmd, flags in surface.items():
        if not cmd:
            continue
        m = re.search(rf"^    {cmd}\)(.*?);;", text, re.M | re.S)
        if not m:
            fail(f"zsh: no case for {cmd}")
            continue
        arm = m.group(1) + "".join(arrays.get(a, "") for a in re.findall(r"\$(\w+)", m.group(1)))
        for flag, values in flags.items():
            if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", arm):
                fail(f"zsh: ctxpack {cmd} does not complete {flag}")
            for v in values:
                if not re.search(rf"{re.escape(flag)}\[[^]]*\]:[^:]*:\([^)]*\b{v}\b", arm):
                    fail(f"zsh: ctxpack {cmd} {flag} does not complete the value {v}")


def check_format_json(ctxpack, surface, context):
    for cmd, flags in surface.items():
        if "--json" not in flags:
            continue
        # why judges a path in the context; diff compares two contexts.
        extra = {"why": [".env"], "diff": [context]}.get(cmd, [])
        a = run([ctxpack, cmd, "--json", context] + extra)
        b = run([ctxpack, cmd, "--format", "json", context] + extra)
        if a.stdout != b.stdout or a.returncode != b.returncode or not a.stdout.startswith("{"):
            fail(f"{cmd}: --format json differs from --json")
        if "json" not in flags.get("--format", []):
            fail(f"{cmd}: --format does not offer json")
        c = run([ctxpack, cmd, "--json", "--format", "text", context] + extra)
        if c.returncode != 2:
            fail(f"{cmd}: --json --format text is accepted")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    src = os.path.abspath(args.source_dir)
    args.ctxpack = os.path.abspath(args.ctxpack)
    surface = help_surface(args.ctxpack)
    if len(surface) < 6 or any(not f for f in surface.values()):
        fail(f"--help parsed to {surface}")
    check_man(surface, open(os.path.join(src, "doc/ctxpack.1.scd")).read())
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "adir"))
        open(os.path.join(tmp, "afile"), "w").close()
        comp = os.path.join(src, "completions")
        check_completer("bash", lambda w, cwd: bash_complete(os.path.join(comp, "ctxpack.bash"), w, cwd), surface, tmp)
        check_completer("fish", lambda w, cwd: fish_complete(os.path.join(comp, "ctxpack.fish"), w, cwd), surface, tmp)
    check_zsh(surface, os.path.join(src, "completions/_ctxpack"))
    check_format_json(args.ctxpack, surface, os.path.join(src, "testdata/example"))
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
