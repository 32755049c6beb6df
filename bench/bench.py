#!/usr/bin/env python3
"""Runs the ctxpack benchmark suite and writes BENCHMARKS.md (see run.sh).

Every command writes into a pipe (`| wc -c`), never to /dev/null (GNU tar
skips reading files when its output is /dev/null). Commands of one group run
round-robin, after one warm-up pass, so noise from the shared machine falls on
all of them alike; ratios are taken between medians of the same group. Peak
RSS and CPU time come from /usr/bin/time around the measured command alone.
A command that fails is reported as failed, with its exit status and stderr.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import selection  # noqa: E402

RSS_LIMIT_KIB = 10 * 1024


class Command:
    def __init__(self, key, label, argv, stdin=None, ok_codes=(0,), ctxpack=False):
        self.key = key
        self.label = label
        self.argv = argv
        self.stdin = stdin
        self.ok_codes = ok_codes
        self.ctxpack = ctxpack
        self.times, self.cpu, self.rss, self.out_bytes = [], [], [], []
        self.error = None

    def shell(self):
        cmd = " ".join(shlex.quote(a) for a in self.argv)
        if self.stdin:
            cmd += " < " + shlex.quote(self.stdin)
        return cmd

    @property
    def failed(self):
        return self.error is not None

    def median(self):
        return statistics.median(self.times) if self.times else None


class Runner:
    def __init__(self, scratch):
        self.scratch = scratch

    def run(self, cmd, cwd):
        """One measured run: returns (seconds, cpu seconds, peak RSS KiB, output bytes)."""
        rss_file = os.path.join(self.scratch, "time.out")
        err_file = os.path.join(self.scratch, "stderr.out")
        script = "set -o pipefail; /usr/bin/time -f '%%M %%U %%S' -o %s %s 2>%s | wc -c" % (
            shlex.quote(rss_file), cmd.shell(), shlex.quote(err_file))
        start = time.perf_counter()
        proc = subprocess.run(["bash", "-c", script], cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        status = proc.returncode
        try:
            with open(rss_file) as f:
                last = f.read().strip().splitlines()[-1].split()
            rss, cpu = int(last[0]), float(last[1]) + float(last[2])
        except (OSError, IndexError, ValueError):
            rss, cpu = None, None
        if status not in cmd.ok_codes:
            with open(err_file, errors="replace") as f:
                err = f.read().strip()
            if status == 127 or "No such file" in err and not os.path.exists(cmd.argv[0]):
                reason = "not found (%s)" % cmd.argv[0]
            else:
                reason = "exit status %d" % status
            cmd.error = "%s: %s" % (reason, " | ".join(err.splitlines()[:3])[:300] or "no message")
            return None
        return elapsed, cpu, rss, int(proc.stdout.strip() or 0)

    def group(self, cmds, cwd, runs, budget):
        """Warm-up pass, then round-robin timed runs."""
        plan = {}
        for cmd in cmds:
            result = self.run(cmd, cwd)
            if result is None:
                continue
            if result[0] >= budget:
                # Docker's code on 1M entries takes minutes: its warm-up run,
                # on inputs the selection check already read, is the sample.
                self.record(cmd, result)
                continue
            plan[cmd.key] = max(1, min(runs, int(budget // max(result[0], 1e-3))))
        for i in range(runs):
            for cmd in cmds:
                if cmd.failed or plan.get(cmd.key, 0) <= i:
                    continue
                result = self.run(cmd, cwd)
                if result is not None:
                    self.record(cmd, result)

    @staticmethod
    def record(cmd, result):
        elapsed, cpu, rss, nbytes = result
        cmd.times.append(elapsed)
        cmd.cpu.append(cpu)
        cmd.rss.append(rss)
        cmd.out_bytes.append(nbytes)


# -- selection check -----------------------------------------------------------

def tar_members(argv, cwd):
    """(name, type, size) of every member of the tar argv writes; names as stored."""
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        return None, "cannot run %s: %s" % (argv[0], e.strerror)
    members = []
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tf:
            for m in tf:
                members.append((m.name + ("/" if m.isdir() and not m.name.endswith("/") else ""),
                                m.type.decode(), m.size))
    except tarfile.TarError as e:
        proc.kill()
        proc.wait()
        return None, "unreadable tar: %s" % e
    err = proc.stderr.read().decode(errors="replace").strip()
    if proc.wait() != 0:
        return None, "exit status %d: %s" % (proc.returncode, err[:300])
    return members, None


def tar_names(argv, cwd):
    """Stored member names via GNU tar's lister (fast enough for 1M entries)."""
    script = "set -o pipefail; %s 2>/dev/null | tar --quoting-style=literal -tf -" % (
        " ".join(shlex.quote(a) for a in argv))
    proc = subprocess.run(["bash", "-c", script], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        return None, "exit status %d%s" % (proc.returncode, (": " + err[0][:200]) if err else "")
    return proc.stdout.decode("utf-8", "surrogateescape").splitlines(), None


def lines_of(argv, cwd, ok_codes=(0,)):
    try:
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        return None, "cannot run %s: %s" % (argv[0], e.strerror)
    if proc.returncode not in ok_codes:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        return None, "exit status %d: %s" % (proc.returncode, " | ".join(err[:3])[:300])
    return proc.stdout.decode("utf-8", "surrogateescape").splitlines(), None


def norm(name):
    if name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def compare(reference, names):
    """Differences between two name collections, directories told apart."""
    ref = {norm(n) for n in reference if norm(n) not in ("", ".")}
    got = {norm(n) for n in names if norm(n) not in ("", ".")}
    extra, missing = sorted(got - ref), sorted(ref - got)
    if not extra and not missing:
        return "identical"
    def show(xs):
        return ", ".join("`%s`" % x for x in xs[:5]) + (" …" if len(xs) > 5 else "")
    parts = []
    if extra:
        parts.append("%d extra (%s)" % (len(extra), show(extra)))
    if missing:
        parts.append("%d missing (%s)" % (len(missing), show(missing)))
    return "; ".join(parts)


def cached(work, name, inputs, compute):
    """compute()'s JSON-able result, kept in WORK while the input files stay the same.

    Docker's code takes minutes on the 1M shapes; its reference output only
    changes with its binary, the generated inputs or the rules.
    """
    h = hashlib.sha256(selection.DOCKERIGNORE.encode())
    for path in inputs:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    path = os.path.join(work, "reference-%s.json" % name)
    try:
        with open(path) as f:
            saved = json.load(f)
        if saved["key"] == h.hexdigest():
            return saved["value"]
    except (OSError, ValueError, KeyError):
        pass
    value = compute()
    with open(path + ".tmp", "w") as f:
        json.dump({"key": h.hexdigest(), "value": value}, f)
    os.replace(path + ".tmp", path)
    return value


# -- report --------------------------------------------------------------------

def fmt_s(x):
    return "—" if x is None else ("%.3f" % x if x < 10 else "%.2f" % x)


def fmt_bytes(n):
    if n is None:
        return "—"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return "%.1f %s" % (n / size, unit)
    return "%d B" % n


def fmt_rss(kib):
    return "—" if kib is None else "%.1f MiB" % (kib / 1024)


def machine_info():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": "%.1f GiB" % (mem_kib / 1048576),
            "kernel": platform.release()}


def tool_version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=10).stdout
        return out.strip().splitlines()[0] if out.strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not available"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Suite:
    def __init__(self, args):
        self.args = args
        self.bin = args.bin
        self.ctxpack = args.ctxpack
        self.runner = Runner(tempfile.mkdtemp(prefix="ctxpack-bench-"))
        self.sections = []      # markdown chunks per shape
        self.targets = []       # (target, measured, threshold, verdict)
        self.results = {}       # (shape, key) -> Command
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.load_start = loadavg()

    def ctx(self, *args):
        return [self.ctxpack, *args]

    def add_group(self, md, shape, title, cwd, cmds, runs, reference=None, note=None):
        print("[%s] %s: %d commands x %d runs" % (shape, title, len(cmds), runs), file=sys.stderr)
        load0 = loadavg()
        self.runner.group(cmds, cwd, runs, self.args.budget)
        for c in cmds:
            self.results[(shape, c.key)] = c
        md.append("### %s\n" % title)
        if note:
            md.append(note + "\n")
        md.append("Load average before/after: %s / %s. Working directory: `%s`.\n" % (load0, loadavg(), cwd))
        ref = next((c for c in cmds if c.key == reference), None)
        md.append("| command | runs | median s | min s | max s | CPU s (median) | peak RSS (max) | output | %s |"
                  % ("time / " + ref.label if ref else "—"))
        md.append("|---|---|---|---|---|---|---|---|---|")
        for c in cmds:
            if c.failed:
                md.append("| %s | — | FAILED: %s | | | | | | |" % (c.label, c.error.replace("|", "\\|")))
                continue
            ratio = "—"
            if ref and not ref.failed and ref.median():
                ratio = "%.2f×" % (c.median() / ref.median())
            sizes = set(c.out_bytes)
            out = fmt_bytes(c.out_bytes[0]) + ("" if len(sizes) == 1 else " (varied!)")
            md.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                c.label, len(c.times), fmt_s(c.median()), fmt_s(min(c.times)), fmt_s(max(c.times)),
                fmt_s(statistics.median(c.cpu)) if None not in c.cpu else "—",
                fmt_rss(max(c.rss)) if None not in c.rss else "—", out, ratio))
        md.append("\nExact commands:\n\n```")
        for c in cmds:
            md.append("%-20s %s | wc -c" % (c.label + ":", c.shell()))
        md.append("```\n")

    # -- per shape ------------------------------------------------------------------

    def shape(self, shape, runs, with_compression):
        root = os.path.join(self.args.work, "contexts", shape)
        with open(root + ".stamp") as f:
            stamp = json.load(f)
        md = ["## %s context (%s entries)\n" % (shape, format(stamp["entries"], ","))]
        md.append("Generated by `bench/gen_context.py %s` (seed %d): %s entries (%s files, %s directories, "
                  "%s symlinks), %s of file content, the 40-rule `.dockerignore` from `bench/selection.py`.\n"
                  % (shape, stamp["seed"], format(stamp["entries"], ","), format(stamp["files"], ","),
                     format(stamp["dirs"], ","), format(stamp["symlinks"], ","), fmt_bytes(stamp["bytes"])))
        dockertar = [os.path.join(self.bin, "dockertar"), "."]

        # Docker's selection is the reference; the check also warms the caches.
        print("[%s] selection check" % shape, file=sys.stderr)
        def docker_members():
            members, err = tar_members(dockertar, root)
            if members is None:
                raise SystemExit("Docker's TarWithOptions failed on %s: %s" % (root, err))
            return members
        ref = [tuple(m) for m in cached(self.args.work, "dockertar-" + shape,
                                        [dockertar[0], root + ".stamp"], docker_members)]
        ref_names = [m[0] for m in ref]
        files = [m for m in ref if m[1].encode() in (tarfile.REGTYPE, tarfile.AREGTYPE)]
        content = sum(m[2] for m in files)
        md.append("Docker's legacy selection (TarWithOptions): %s entries, %s regular files, %s of content.\n"
                  % (format(len(ref), ","), format(len(files), ","), fmt_bytes(content)))
        file_list = os.path.join(self.args.work, shape + ".files0")
        with open(file_list, "wb") as f:
            for m in files:
                f.write(m[0].encode("utf-8", "surrogateescape") + b"\0")

        find_pruned = ["find", ".", "-mindepth", "1", *selection.FIND_PRUNE, "-prune", "-o", "-print"]
        gnutar = ["tar", "-cf", "-", *selection.GNUTAR_EXCLUDES, "."]
        bsdtar = ["bsdtar", "-cf", "-", *selection.BSDTAR_EXCLUDES, "."]
        checks = [("GNU tar", *tar_names(gnutar, root)), ("bsdtar", *tar_names(bsdtar, root)),
                  ("find (pruned)", *lines_of(find_pruned, root)),
                  ("ctxpack ls --builder legacy", *lines_of(self.ctx("ls", ".", "--builder", "legacy"), root)),
                  ("ctxpack ls (buildkit)", *lines_of(self.ctx("ls", "."), root)),
                  ("ctxpack pack --builder legacy", *tar_names(self.ctx("pack", ".", "--builder", "legacy",
                                                                        "-o", "-"), root))]
        md.append("Selection check against Docker's TarWithOptions (names, directories included; the legacy "
                  "builder sends no entry for an excluded directory it descends into, e.g. `docs/`):\n")
        md.append("| tool | entries | difference |")
        md.append("|---|---|---|")
        for label, names, err in checks:
            if names is None:
                md.append("| %s | — | FAILED: %s |" % (label, err.replace("|", "\\|")))
                continue
            verdict = compare(ref_names, names)
            if label.endswith("legacy"):
                same_order = [norm(n) for n in names] == [norm(n) for n in ref_names]
                verdict += "; order %s" % ("identical" if same_order else "DIFFERS")
            md.append("| %s | %s | %s |" % (label, format(len(names), ","), verdict))
        md.append("")
        if shape == "monorepo":
            self.pack_check(md, root, ref)

        floor = Command("floor", "cat (floor)", ["xargs", "-0", "cat"], stdin=file_list)
        pack_legacy = Command("pack-legacy", "ctxpack legacy", self.ctx("pack", ".", "--builder", "legacy", "-o", "-"), ctxpack=True)
        pack_bk = Command("pack", "ctxpack buildkit", self.ctx("pack", ".", "-o", "-"), ctxpack=True)
        docker = Command("docker", "Docker TarWithOptions", dockertar)
        gnu = Command("gnutar", "GNU tar", gnutar)
        bsd = Command("bsdtar", "bsdtar", bsdtar)
        self.add_group(md, shape, "pack, uncompressed", root,
                       [floor, pack_legacy, pack_bk, docker, gnu, bsd], runs, reference="pack-legacy",
                       note="`cat (floor)` reads every regular file Docker sends into the pipe: the read/write floor.")
        if with_compression:
            self.gzip_group(md, shape, root, dockertar)
            self.threaded_groups(md, shape, root)
        self.add_group(md, shape, "ls (walk and select)", root, [
            Command("find", "find, pruned", find_pruned),
            Command("ls", "ctxpack ls", self.ctx("ls", "."), ctxpack=True),
            Command("ls-legacy", "ctxpack ls legacy", self.ctx("ls", ".", "--builder", "legacy"), ctxpack=True),
            Command("find-all", "find, no rules", ["find", ".", "-mindepth", "1"]),
        ], runs, reference="find",
            note="`find, pruned` applies the same 40 rules (bench/selection.py); `find, no rules` walks everything.")
        self.add_group(md, shape, "report", root, [
            Command("report", "ctxpack report", self.ctx("report", "."), ctxpack=True),
            Command("report-json", "ctxpack report --json", self.ctx("report", ".", "--json"), ctxpack=True),
            Command("ls-ref", "ctxpack ls", self.ctx("ls", "."), ctxpack=True),
        ], runs, reference="ls-ref")
        self.sections.append("\n".join(md))

    def gzip_group(self, md, shape, root, dockertar):
        cores = os.cpu_count()
        gnutar = ["tar", "-cf", "-", *selection.GNUTAR_EXCLUDES, "."]
        cmds = [
            Command("pack-gzip", "ctxpack gzip", self.ctx("pack", ".", "--builder", "legacy", "-o", "-",
                                                          "--compress", "gzip"), ctxpack=True),
            Command("pack-gzip-1", "ctxpack gzip --jobs 1", self.ctx("pack", ".", "--builder", "legacy", "-o", "-",
                                                                     "--compress", "gzip", "--jobs", "1"),
                    ctxpack=True),
            Command("pigz", "GNU tar into pigz -p%d -6" % cores,
                    ["bash", "-c", "set -o pipefail; %s | pigz -p %d -6" % (shlex.join(gnutar), cores)]),
        ]
        if dockertar:
            cmds += [
                Command("docker-gzip", "Docker gzip", [dockertar[0], "-compress", "gzip", "."]),
                Command("gnutar-gzip", "GNU tar -z", ["tar", "-czf", "-", *selection.GNUTAR_EXCLUDES, "."]),
                Command("bsdtar-gzip", "bsdtar -z", ["bsdtar", "-czf", "-", *selection.BSDTAR_EXCLUDES, "."]),
            ]
        self.add_group(md, shape, "pack, gzip", root, cmds, self.args.compress_runs, reference="pack-gzip",
                       note="`ctxpack gzip` uses every core (%d here, the default `--jobs`), as does pigz; "
                            "GNU tar, bsdtar and Docker's code compress on one." % cores)

    def threaded_groups(self, md, shape, root):
        """zstd and xz on every core, against GNU tar into the same compressor with -T0 at the same level."""
        cores = os.cpu_count()
        gnutar = ["tar", "-cf", "-", *selection.GNUTAR_EXCLUDES, "."]
        for kind, level in (("zstd", 3), ("xz", 6)):
            self.add_group(md, shape, "pack, %s" % kind, root, [
                Command("pack-" + kind, "ctxpack %s" % kind,
                        self.ctx("pack", ".", "--builder", "legacy", "-o", "-", "--compress", kind,
                                 "--level", str(level)), ctxpack=True),
                Command(kind + "-t0", "GNU tar into %s -T0 -%d" % (kind, level),
                        ["bash", "-c", "set -o pipefail; %s | %s -T0 -%d -c" % (shlex.join(gnutar), kind, level)]),
            ], self.args.compress_runs, reference="pack-" + kind,
                note="Both use every core (%d here): ctxpack through libarchive's `threads` option (the default "
                     "`--jobs`), the CLI with `-T0`; level %d, each tool's default." % (cores, level))

    def compress_only(self, shape):
        """The compressed groups alone, without Docker's code (--only compress)."""
        root = os.path.join(self.args.work, "contexts", shape)
        md = ["## %s context: pack, compressed only\n" % shape]
        self.gzip_group(md, shape, root, None)
        self.threaded_groups(md, shape, root)
        self.sections.append("\n".join(md))

    def pack_check(self, md, root, ref):
        """ctxpack's legacy tar against Docker's, member by member (name, type, size)."""
        got, err = tar_members(self.ctx("pack", ".", "--builder", "legacy", "-o", "-"), root)
        if got is None:
            md.append("Member check of `ctxpack pack --builder legacy` against Docker's tar: FAILED: %s\n" % err)
            return
        diffs = [(a, b) for a, b in zip(ref, got) if (a[0], a[1], a[2]) != (b[0], b[1], b[2])]
        if len(ref) != len(got):
            diffs.append((("%d members" % len(ref),), ("%d members" % len(got),)))
        md.append("Member check of `ctxpack pack --builder legacy` against Docker's tar (name, type, size, "
                  "in order): %s\n" % ("identical" if not diffs else "%d differences, first: `%s` vs `%s`"
                                       % (len(diffs), diffs[0][0], diffs[0][1])))

    def why(self, runs):
        paths = os.path.join(self.args.work, "contexts", "paths-1m.txt")
        ignore = os.path.join(self.args.work, "dockerignore-40")
        with open(ignore, "w") as f:
            f.write(selection.DOCKERIGNORE)
        md = ["## why --stdin: 1,000,000 paths against the 40 rules\n",
              "Paths: `bench/gen_context.py paths` (the wide shape's names). Docker's side reads the rules "
              "with docker's ignore-file reader and judges each path with patternmatcher 0.5.0 "
              "`MatchesOrParentMatches`, printing a verdict line per path (bench/go/src/ctxbench/dockermatch).\n"]
        go = Command("dockermatch", "Docker patternmatcher", [os.path.join(self.bin, "dockermatch"), ignore],
                     stdin=paths)
        why = Command("why", "ctxpack why --stdin", self.ctx("why", "--ignore-file", ignore, "--stdin"),
                      stdin=paths, ok_codes=(0, 1), ctxpack=True)
        self.add_group(md, "paths", "why --stdin", self.args.work, [why, go], runs, reference="why")
        if not go.failed and not why.failed:
            same = self.same_verdicts(go, why)
            md.append("Verdicts compared path by path: %s\n" % same)
        self.sections.append("\n".join(md))

    def micro(self):
        """Google Benchmark's matcher micro-benchmarks, on the 40 rules and the 1M paths."""
        md = ["## Matcher micro-benchmarks\n",
              "`matcher_bench` (bench/micro, Google Benchmark) on the 40 rules and the first 1M paths of "
              "`paths-1m.txt`; `BM_ManyRules` and `BM_Compile` use synthetic rules. One core; time per item.\n"]
        exe = self.args.micro
        if not exe or not os.path.exists(exe):
            md.append("Not run: no matcher_bench binary (Google Benchmark missing at build time).\n")
            self.sections.append("\n".join(md))
            return
        print("[micro] matcher_bench", file=sys.stderr)
        env = dict(os.environ, CTXPACK_BENCH_RULES=os.path.join(self.args.work, "dockerignore-40"),
                   CTXPACK_BENCH_PATHS=os.path.join(self.args.work, "contexts", "paths-1m.txt"))
        res = subprocess.run([exe, "--benchmark_format=json", "--benchmark_min_time=1"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if res.returncode != 0:
            md.append("FAILED: exit status %d: %s\n" % (res.returncode, res.stderr.decode(errors="replace")[-300:]))
            self.sections.append("\n".join(md))
            return
        md.append("| benchmark | ns per item (CPU) | items per second | DFA states |")
        md.append("|---|---|---|---|")
        for b in json.loads(res.stdout)["benchmarks"]:
            ips = b.get("items_per_second")
            states = b.get("dfa_states")
            md.append("| %s | %.1f | %s | %s |" % (
                b["name"], b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")],
                format(int(ips), ",") if ips else "—", format(int(states), ",") if states else "—"))
        self.sections.append("\n".join(md) + "\n")

    def same_verdicts(self, go, why):
        def verdicts(cmd):
            with open(cmd.stdin, "rb") as stdin:
                out = subprocess.run(cmd.argv, stdin=stdin, stdout=subprocess.PIPE, cwd=self.args.work).stdout
            return "".join(line[:1].decode() for line in out.splitlines())
        a = cached(self.args.work, "dockermatch-verdicts", [go.argv[0], go.stdin, go.argv[1]],
                   lambda: verdicts(go))
        b = verdicts(why)
        if len(a) != len(b):
            return "DIFFER: %d verdict lines vs %d" % (len(a), len(b))
        bad = sum(1 for x, y in zip(a, b) if x != y)
        return "identical" if not bad else "DIFFER on %d paths" % bad

    # -- targets ------------------------------------------------------------------------

    def ratio(self, shape, num, den):
        a, b = self.results.get((shape, num)), self.results.get((shape, den))
        if not a or not b or a.failed or b.failed or not a.times or not b.times:
            failed = [c for c in (a, b) if c and c.failed]
            return None, ("%s failed" % failed[0].label) if failed else "not measured"
        return a.median() / b.median(), None

    def target(self, name, shape, num, den, threshold, higher_is_better, explain):
        value, why_not = self.ratio(shape, num, den)
        if value is None:
            self.targets.append((name, why_not, threshold, "not measured"))
            return
        met = value >= threshold if higher_is_better else value <= threshold
        # On a shared machine wall time also measures the neighbours; the
        # ratio of CPU time (user + sys) tells whether the code itself is there.
        a, b = self.results[(shape, num)], self.results[(shape, den)]
        cpu = ""
        if None not in a.cpu + b.cpu and statistics.median(b.cpu) > 0:
            cpu = "; CPU time %.2f×" % (statistics.median(a.cpu) / statistics.median(b.cpu))
        self.targets.append((name, "%.3f× (%s%s)" % (value, explain, cpu), threshold,
                             "met" if met else "MISSED"))

    def rss_target(self, shape, key, label):
        c = self.results.get((shape, key))
        name = "peak RSS of `%s`, %s" % (label, shape)
        if not c or not c.times or None in c.rss:
            self.targets.append((name, ("%s failed" % c.label) if c and c.failed else "not measured",
                                 "≤ 10 MiB", "not measured"))
            return
        peak = max(c.rss)
        self.targets.append((name, fmt_rss(peak), "≤ 10 MiB", "met" if peak <= RSS_LIMIT_KIB else "MISSED"))

    def evaluate(self, shapes):
        for shape in shapes:
            self.target("pack ≥ GNU tar, %s" % shape, shape, "gnutar", "pack-legacy", 1.0, True,
                        "GNU tar time / ctxpack pack --builder legacy time")
            self.target("pack ≥ 2.5× Docker's TarWithOptions, %s" % shape, shape, "docker", "pack-legacy", 2.5,
                        True, "TarWithOptions time / ctxpack pack --builder legacy time")
            self.target("ls within 1.3× of find with the same pruning, %s" % shape, shape, "ls", "find", 1.3,
                        False, "ctxpack ls time / find time")
        self.compress_targets()
        self.target("why --stdin ≥ 30× Docker's matcher, 1M paths", "paths", "dockermatch", "why", 30, True,
                    "patternmatcher time / ctxpack why time")
        for shape in shapes:
            for key, label in (("ls", "ctxpack ls"), ("ls-legacy", "ctxpack ls --builder legacy"),
                               ("pack-legacy", "ctxpack pack --builder legacy"), ("pack", "ctxpack pack")):
                self.rss_target(shape, key, label)

    def compress_targets(self):
        self.target("pack --compress gzip ≥ 1.5× GNU tar into pigz (all cores), monorepo", "monorepo", "pigz",
                    "pack-gzip", 1.5, True, "tar into pigz time / ctxpack gzip time")
        for kind in ("zstd", "xz"):
            if ("monorepo", "pack-" + kind) in self.results:
                self.target("pack --compress %s ≥ GNU tar into %s -T0, monorepo" % (kind, kind), "monorepo",
                            kind + "-t0", "pack-" + kind, 1.0, True, "tar into %s -T0 time / ctxpack time" % kind)
        # The compressors' own memory comes on top of the uncompressed pack's
        # 10 MiB: libdeflate ~4.5 MiB per worker (two 1 MiB blocks in and out,
        # its compressor), zstd -3's multithreaded jobs, xz -6's 94 MiB encoder
        # plus block buffers per thread (xz(1)); these are measured, not checked.
        for kind in ("gzip", "zstd", "xz"):
            c = self.results.get(("monorepo", "pack-" + kind))
            if c and c.times and None not in c.rss:
                self.targets.append(("peak RSS of `ctxpack pack --compress %s`, monorepo" % kind,
                                     fmt_rss(max(c.rss)), "10 MiB + the compressor's", "measured"))
        a, b = self.results.get(("monorepo", "pack-gzip")), self.results.get(("monorepo", "pigz"))
        name = "gzip output ≤ 1.03× pigz's, monorepo"
        if not a or not b or not a.out_bytes or not b.out_bytes:
            self.targets.append((name, "not measured", 1.03, "not measured"))
            return
        size = a.out_bytes[0] / b.out_bytes[0]
        self.targets.append((name, "%.3f× (%s / %s)" % (size, fmt_bytes(a.out_bytes[0]), fmt_bytes(b.out_bytes[0])),
                             1.03, "met" if size <= 1.03 else "MISSED"))

    def write(self, shapes, skipped):
        m = machine_info()
        a = self.args
        out = ["# Benchmarks", "",
               "Written by `bench/run.sh%s` on %s UTC (took %.0f s). Warm page cache; every command writes into "
               "a pipe (`| wc -c`); commands of a group run round-robin after one warm-up run (a command whose "
               "warm-up takes longer than %.0f s is measured by that run alone); medians over "
               "the runs shown; ratios are between medians measured side by side in the same group." % (
                   (" --quick" if a.quick else "") + (" --only " + a.only if a.only else ""), self.started.strftime("%Y-%m-%d %H:%M"),
                   (datetime.datetime.now(datetime.timezone.utc) - self.started).total_seconds(),
                   a.budget), "",
               "## Machine", "",
               "| nproc | CPU | memory | kernel | load average at start / end |",
               "|---|---|---|---|---|",
               "| %d | %s | %s | %s | %s / %s |" % (m["nproc"], m["cpu"], m["memory"], m["kernel"],
                                                  self.load_start, loadavg()), "",
               "The machine is shared with other work; the load averages show how much. Numbers from a busy "
               "machine are noisy, ratios less so.", "",
               "Tools: ctxpack `%s` (%s); %s; %s; %s; %s; Docker code: moby 20.10.24 `pkg/archive` and "
               "patternmatcher 0.5.0 from Debian, built with %s." % (
                   self.ctxpack, tool_version([self.ctxpack, "--version"]) if os.path.exists(self.ctxpack)
                   else "binary missing", tool_version(["tar", "--version"]), tool_version(["bsdtar", "--version"]),
                   tool_version(["find", "--version"]), tool_version(["zstd", "--version"]),
                   tool_version(["go", "version"])), "",
               "## Targets", "",
               "| target | measured | threshold | verdict |", "|---|---|---|---|"]
        for name, measured, threshold, verdict in self.targets:
            thr = threshold if isinstance(threshold, str) else (
                "≥ %g×" % threshold if "≥" in name else "≤ %g×" % threshold)
            out.append("| %s | %s | %s | %s |" % (name, measured, thr, verdict))
        out += ["", "Verdicts use wall time, the targets' measure; the CPU-time ratio beside it is the same "
                "comparison without the waiting a busy machine adds."]
        if skipped:
            out += ["", "Not run: %s." % skipped]
        out += ["", *self.sections]
        text = "\n".join(out).rstrip() + "\n"
        with open(a.out, "w") as f:
            f.write(text)
        print("wrote %s" % a.out, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True, help="directory with contexts/ (from gen_context.py)")
    ap.add_argument("--bin", required=True, help="directory with the dockertar and dockermatch baselines")
    ap.add_argument("--ctxpack", required=True)
    ap.add_argument("--micro", help="the matcher_bench binary (bench/micro); its section is skipped without it")
    ap.add_argument("--out", required=True, help="BENCHMARKS.md to write")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command, 100k shape")
    ap.add_argument("--runs-1m", type=int, default=3, help="timed runs per command, 1M shape and why")
    ap.add_argument("--compress-runs", type=int, default=3, help="timed runs per compressed pack")
    ap.add_argument("--budget", type=float, default=60,
                    help="seconds a command may take over its runs; slower ones run fewer times")
    ap.add_argument("--quick", action="store_true", help="100k shape and why only")
    ap.add_argument("--only", choices=["compress", "why"],
                    help="only the compressed groups on the 100k shape (no Docker baseline), or only why --stdin")
    args = ap.parse_args()
    args.ctxpack = os.path.abspath(args.ctxpack)

    suite = Suite(args)
    if args.only == "compress":
        suite.compress_only("monorepo")
        suite.compress_targets()
        suite.write([], "everything but the compressed groups (--only compress)")
        return
    if args.only == "why":
        suite.why(args.runs_1m)
        suite.target("why --stdin ≥ 30× Docker's matcher, 1M paths", "paths", "dockermatch", "why", 30, True,
                     "patternmatcher time / ctxpack why time")
        suite.write([], "everything but why --stdin (--only why)")
        return
    shapes = ["monorepo"] if args.quick else ["monorepo", "wide"]
    suite.shape("monorepo", args.runs, with_compression=True)
    suite.why(args.runs_1m)
    suite.micro()
    if not args.quick:
        suite.shape("wide", args.runs_1m, with_compression=False)
    suite.evaluate(shapes)
    suite.write(shapes, "the 1M-entry shape (--quick)" if args.quick else "")


if __name__ == "__main__":
    main()
