#!/usr/bin/env python3
"""Deterministic benchmark contexts for ctxpack.

  gen_context.py [--out DIR] monorepo   ~100k entries, ~1 GB (node_modules, .git
                                        with loose objects and a big pack, sources
                                        with logs and temp files, large assets)
  gen_context.py [--out DIR] wide       ~1M entries of small files in many dirs
  gen_context.py [--out DIR] paths      1M realistic relative paths (the wide
                                        shape's names) for `why --stdin`

Output goes to DIR/<shape> (DIR defaults to /tmp/ctxpack-bench/contexts), with
the benchmark .dockerignore at its root. Everything derives from a fixed seed,
so the same parameters give the same names, sizes and bytes. DIR/<shape>.stamp
records the parameters and totals; a run whose stamp matches is skipped.

Naming constraints the baselines in selection.py rely on (keep them when
editing): in node_modules the only *.md ending in "SE.md" is LICENSE.md, no
package is called test or __tests__, and packages nested in packages/* ship no
dist/; the only *.log ending in "t.log" is services/*/logs/audit.log; the only
.env.e* file is .env.example; the only root or docs/ name starting with "R" is
README.md and docs/ has no subdirectories beyond selection.DOCS_SUBDIRS; the only
.psd ending in "o" is assets/brand/logo.psd; nothing else is called dist, tmp,
coverage, .turbo, .cache or ends in ~, .tmp, .swp, .pem, .key, .pyc, .map.
"""

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import selection  # noqa: E402

SEED = 20240611
MiB = 1 << 20

SHAPES = {
    # node_modules packages fill the tree up to `entries`.
    "monorepo": dict(entries=100_000, workspaces=30, services=5, size_scale=1.0,
                     git_loose=4000, git_pack=150 * MiB, assets="full"),
    # workspace packages fill the tree up to `entries`.
    "wide": dict(entries=1_000_000, root_packages=600, services=8, size_scale=0.2,
                 git_loose=2000, git_pack=16 * MiB, assets="small"),
}
PATHS_COUNT = 1_000_000

WORDS = ("core util react parse stream path json async color event string array object "
         "http glob yaml babel plugin loader config types node fast deep micro merge clone "
         "debug chalk semver mime uuid socket cli date time format query url buffer crypto "
         "hash zlib cache store state router form table chart icon theme style layout grid "
         "auth token session client server proxy queue worker task job retry limit rate "
         "schema model field value input output render view page panel modal toast").split()
SCOPES = ("@babel", "@types", "@aws-sdk", "@emotion", "@mui", "@nestjs", "@octokit",
          "@radix-ui", "@sentry", "@smithy", "@tanstack", "@testing-library")
SRC_DIRS = ("components", "hooks", "utils", "api", "services", "models", "store", "lib",
            "routes", "views", "styles", "i18n", "helpers", "middleware", "types")
SERVICES = ("api", "worker", "web", "auth", "billing", "search", "notify", "gateway",
            "ingest", "report", "export", "admin")
LOG_NAMES = ("app.log", "error.log", "debug.log", "access.log", "worker.log")
CODE_LINES = ("import {{ {a} }} from './{b}';", "export function {a}({b}, options = {{}}) {{",
              "  const {a} = await {b}.{a}();", "  if (!{a}) throw new Error('{b} failed');",
              "  return {a}.map(({b}) => {b}.id);", "}}", "// TODO: {a} handles {b} retries",
              "module.exports = {{ {a}, {b} }};", "  {a}: {b},", "def {a}(self, {b}):",
              "    return self.{a}[{b}]", "", "  logger.debug('{a}', {{ {b} }});")


class Pools:
    """Content slices: code-like text and incompressible binary."""

    def __init__(self, rng):
        words = rng.choices(WORDS, k=600_000)
        lines = []
        for i in range(0, len(words) - 1, 2):
            lines.append(CODE_LINES[i % len(CODE_LINES)].format(a=words[i], b=words[i + 1]))
        self.text = ("\n".join(lines) + "\n").encode()
        self.binary = rng.randbytes(32 * MiB)

    def take(self, rng, size, binary):
        pool = self.binary if binary else self.text
        if size <= len(pool):
            start = rng.randrange(len(pool) - size + 1)
            return memoryview(pool)[start:start + size]
        reps = size // len(pool) + 1
        return (pool * reps)[:size]


class Writer:
    """Turns the planned entries into files, or into a path list."""

    def __init__(self, root, pools, paths_out=None):
        self.root = root
        self.pools = pools
        self.paths_out = paths_out
        self.content_rng = random.Random(SEED + 1)
        self.entries = self.files = self.dirs = self.symlinks = self.bytes = 0

    def dir(self, rel):
        self.entries += 1
        self.dirs += 1
        if self.paths_out is not None:
            self.paths_out.write(rel + "\n")
        else:
            os.mkdir(os.path.join(self.root, rel))

    def file(self, rel, size, binary=False, mode=0o644):
        self.entries += 1
        self.files += 1
        self.bytes += size
        if self.paths_out is not None:
            self.paths_out.write(rel + "\n")
            return
        fd = os.open(os.path.join(self.root, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            if size:
                data = self.pools.take(self.content_rng, size, binary)
                done = 0
                while done < size:
                    done += os.write(fd, data[done:done + 8 * MiB])
        finally:
            os.close(fd)

    def symlink(self, rel, target):
        self.entries += 1
        self.symlinks += 1
        if self.paths_out is not None:
            self.paths_out.write(rel + "\n")
        else:
            os.symlink(target, os.path.join(self.root, rel))


class Planner:
    def __init__(self, w, params):
        self.w = w
        self.p = params
        self.rng = random.Random(SEED)
        self.scale = params["size_scale"]
        self.used_names = set()

    def size(self, median, sigma=1.0, cap=4 * MiB):
        return min(cap, int(self.rng.lognormvariate(math.log(median * self.scale + 1), sigma)))

    def hexname(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    def pkg_name(self):
        while True:
            name = "-".join(self.rng.sample(WORDS, 2))
            if self.rng.random() < 0.15:
                name = self.rng.choice(SCOPES) + "/" + name
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    # -- building blocks -------------------------------------------------------

    def node_package(self, base, nested_ok=True, dist_ok=True):
        w, r = self.w, self.rng
        w.dir(base)
        w.file(base + "/package.json", self.size(900, 0.6))
        w.file(base + "/README.md", self.size(3000, 0.9))
        if r.random() < 0.5:
            w.file(base + "/LICENSE.md", 1080)
        else:
            w.file(base + "/LICENSE", 1080)
        if r.random() < 0.35:
            w.file(base + "/CHANGELOG.md", self.size(9000, 1.0))
        if r.random() < 0.1:
            w.file(base + "/HISTORY.md", self.size(6000, 1.0))
        w.file(base + "/index.js", self.size(400, 0.8))
        if r.random() < 0.5:
            w.file(base + "/index.d.ts", self.size(1500, 1.0))
        layout = r.choice(("lib", "lib", "src", "cjs", "esm"))
        self.code_tree(base + "/" + layout, r.randint(3, 30), maps=r.random() < 0.4,
                       depth=r.randint(0, 2))
        if dist_ok and r.random() < 0.3:
            w.dir(base + "/dist")
            for i in range(r.randint(1, 4)):
                name = "%s%s%s.js" % (r.choice(WORDS), self.uniq(), ("", ".min", ".esm")[i % 3])
                w.file(base + "/dist/" + name, self.size(12000, 1.0))
        if r.random() < 0.25:
            tests = r.choice(("test", "__tests__"))
            w.dir(base + "/" + tests)
            for _ in range(r.randint(2, 12)):
                w.file("%s/%s/%s%s.test.js" % (base, tests, r.choice(WORDS), self.uniq()),
                       self.size(2000))
        if r.random() < 0.08:
            w.dir(base + "/docs")
            for _ in range(r.randint(2, 8)):
                w.file("%s/docs/%s%s.md" % (base, r.choice(WORDS), self.uniq()), self.size(4000))
        if r.random() < 0.1:
            w.dir(base + "/bin")
            w.file(base + "/bin/cli.js", self.size(1500), mode=0o755)
        if nested_ok and r.random() < 0.06:
            w.dir(base + "/node_modules")
            for _ in range(r.randint(1, 3)):
                self.node_package(base + "/node_modules/" + self.plain_pkg_name(),
                                  nested_ok=False, dist_ok=dist_ok)

    def plain_pkg_name(self):
        return "-".join(self.rng.sample(WORDS, 2)) + self.uniq()

    def uniq(self):
        self._n = getattr(self, "_n", 0) + 1
        return "-%d" % self._n

    def code_tree(self, base, nfiles, maps=False, depth=1, ext=".js"):
        w, r = self.w, self.rng
        w.dir(base)
        dirs = [base]
        for _ in range(depth * r.randint(1, 4)):
            d = "%s/%s%s" % (r.choice(dirs), r.choice(SRC_DIRS), self.uniq())
            w.dir(d)
            dirs.append(d)
        for _ in range(nfiles):
            name = "%s/%s%s%s" % (r.choice(dirs), r.choice(WORDS), self.uniq(), ext)
            w.file(name, self.size(1800))
            if maps:
                w.file(name + ".map", self.size(3000))

    def node_modules(self, base, count, until=None):
        w, r = self.w, self.rng
        w.dir(base)
        w.dir(base + "/.bin")
        w.dir(base + "/.cache")
        for _ in range(r.randint(5, 20)):
            w.file("%s/.cache/%s" % (base, self.hexname(16)), self.size(20000))
        scopes = set()
        bins = []
        n = 0
        while (until is None and n < count) or (until is not None and w.entries < until):
            name = self.pkg_name()
            if "/" in name:
                scope = name.split("/")[0]
                if scope not in scopes:
                    scopes.add(scope)
                    w.dir(base + "/" + scope)
            self.node_package(base + "/" + name, dist_ok=base == "node_modules")
            if r.random() < 0.05:
                bins.append(name)
            n += 1
        for name in bins:
            w.symlink("%s/.bin/%s" % (base, name.split("/")[-1]), "../%s/index.js" % name)

    def workspace(self, base, nm_packages):
        w, r = self.w, self.rng
        w.dir(base)
        w.file(base + "/package.json", self.size(1200, 0.5))
        w.file(base + "/tsconfig.json", self.size(500, 0.5))
        w.file(base + "/README.md", self.size(2500))
        if r.random() < 0.3:
            w.file(base + "/.env.example", self.size(300))
            w.file(base + "/.env.local", self.size(300))
        self.code_tree(base + "/src", r.randint(20, 90), depth=r.randint(1, 3),
                       ext=r.choice((".ts", ".tsx", ".ts")))
        w.dir(base + "/test")
        for _ in range(r.randint(3, 20)):
            w.file("%s/test/%s%s.test.ts" % (base, r.choice(WORDS), self.uniq()), self.size(3000))
        if r.random() < 0.7:
            self.code_tree(base + "/dist", r.randint(10, 40), maps=True)
        if r.random() < 0.4:
            w.dir(base + "/coverage")
            w.file(base + "/coverage/lcov.info", self.size(60000))
            w.dir(base + "/coverage/lcov-report")
            for _ in range(r.randint(5, 30)):
                w.file("%s/coverage/lcov-report/%s%s.html" % (base, r.choice(WORDS), self.uniq()),
                       self.size(8000))
        if r.random() < 0.3:
            w.dir(base + "/.turbo")
            w.file(base + "/.turbo/turbo-build.log", self.size(4000))
        if r.random() < 0.2:
            w.file(base + "/npm-debug.log", self.size(20000))
        if r.random() < 0.2:
            w.file(base + "/src/.%s.ts.swp" % r.choice(WORDS), self.size(12000))
        if r.random() < 0.2:
            w.file(base + "/src/index.ts~", self.size(2000))
        if r.random() < 0.15:
            w.file(base + "/.DS_Store", 6148)
        if nm_packages:
            self.node_modules(base + "/node_modules", nm_packages)

    def service(self, base):
        w, r = self.w, self.rng
        w.dir(base)
        w.file(base + "/Dockerfile", self.size(900, 0.4))
        w.file(base + "/requirements.txt", self.size(600))
        w.file(base + "/.env.example", self.size(400))
        w.file(base + "/.env.production", self.size(400))
        self.code_tree(base + "/app", r.randint(40, 120), depth=2, ext=".py")
        w.dir(base + "/app/__pycache__")
        for _ in range(r.randint(10, 40)):
            w.file("%s/app/__pycache__/%s%s.cpython-311.pyc" % (base, r.choice(WORDS), self.uniq()),
                   self.size(4000))
        w.file(base + "/app/legacy_compat.pyc", self.size(3000))
        w.dir(base + "/logs")
        for name in LOG_NAMES[:r.randint(2, len(LOG_NAMES))]:
            w.file(base + "/logs/" + name, self.size(800_000, 1.2, cap=8 * MiB))
        w.file(base + "/logs/audit.log", self.size(200_000, 0.8))
        w.dir(base + "/tmp")
        for _ in range(r.randint(5, 40)):
            w.file("%s/tmp/%s.tmp" % (base, self.hexname(12)), self.size(30000, 1.5))
        w.dir(base + "/config")
        w.file(base + "/config/settings.yaml", self.size(2000))
        w.file(base + "/config/tls.pem", 1704)
        w.file(base + "/config/tls.key", 1704)
        w.dir(base + "/.pytest_cache")
        w.file(base + "/.pytest_cache/README.md", 302)
        w.dir(base + "/.pytest_cache/v")
        w.file(base + "/.pytest_cache/v/lastfailed", self.size(500))

    def git(self, base):
        w, r = self.w, self.rng
        w.dir(base)
        for name, size in (("HEAD", 21), ("config", 312), ("description", 73),
                           ("packed-refs", 4000), ("ORIG_HEAD", 41), ("FETCH_HEAD", 120)):
            w.file(base + "/" + name, size)
        w.file(base + "/index", self.size(3 * MiB, 0.2, cap=16 * MiB), binary=True)
        w.dir(base + "/hooks")
        for hook in ("pre-commit", "pre-push", "commit-msg", "post-update", "pre-rebase",
                     "prepare-commit-msg", "update", "applypatch-msg", "fsmonitor-watchman"):
            w.file("%s/hooks/%s.sample" % (base, hook), self.size(1500, 0.5), mode=0o755)
        for d in ("info", "logs", "logs/refs", "logs/refs/heads", "refs", "refs/heads",
                  "refs/tags", "refs/remotes", "refs/remotes/origin"):
            w.dir(base + "/" + d)
        w.file(base + "/info/exclude", 240)
        w.file(base + "/logs/HEAD", self.size(30000))
        w.file(base + "/logs/refs/heads/main", self.size(20000))
        w.file(base + "/refs/heads/main", 41)
        w.file(base + "/refs/remotes/origin/HEAD", 32)
        w.dir(base + "/objects")
        fanout = {}
        for _ in range(self.p["git_loose"]):
            obj = self.hexname(40)
            fanout.setdefault(obj[:2], []).append(obj[2:])
        for prefix in sorted(fanout):
            w.dir("%s/objects/%s" % (base, prefix))
            for rest in fanout[prefix]:
                w.file("%s/objects/%s/%s" % (base, prefix, rest), self.size(1200, 1.0), binary=True)
        w.dir(base + "/objects/info")
        w.dir(base + "/objects/pack")
        pack = self.hexname(40)
        w.file("%s/objects/pack/pack-%s.pack" % (base, pack), self.p["git_pack"], binary=True)
        w.file("%s/objects/pack/pack-%s.idx" % (base, pack), self.p["git_pack"] // 40, binary=True)

    def docs(self, base):
        w, r = self.w, self.rng
        w.dir(base)
        w.file(base + "/README.md", 4200)
        for _ in range(12):
            w.file("%s/%s%s.md" % (base, r.choice(WORDS), self.uniq()), self.size(6000))
        for sub in selection.DOCS_SUBDIRS:
            w.dir(base + "/" + sub)
            for _ in range(r.randint(20, 60)):
                if sub == "images":
                    w.file("%s/%s/%s%s.png" % (base, sub, r.choice(WORDS), self.uniq()),
                           self.size(120_000, 0.8), binary=True)
                else:
                    w.file("%s/%s/%s%s.md" % (base, sub, r.choice(WORDS), self.uniq()),
                           self.size(5000))

    def assets(self, base):
        w, r = self.w, self.rng
        full = self.p["assets"] == "full"
        w.dir(base)
        w.dir(base + "/brand")
        w.file(base + "/brand/logo.psd", 8 * MiB if full else 200_000, binary=True)
        for name in ("logo.svg", "logo.png", "logo-dark.png", "favicon.ico"):
            w.file(base + "/brand/" + name, self.size(40_000, 0.6), binary=True)
        w.dir(base + "/images")
        for _ in range(85 if full else 30):
            ext = r.choice((".jpg", ".png", ".webp"))
            w.file("%s/images/%s%s%s" % (base, r.choice(WORDS), self.uniq(), ext),
                   int(r.lognormvariate(math.log(1.6 * MiB if full else 40_000), 0.7)), binary=True)
        w.dir(base + "/fonts")
        for i in range(12):
            w.file("%s/fonts/inter-%d.woff2" % (base, i * 100 + 100), self.size(90_000, 0.3), binary=True)
        if full:
            w.dir(base + "/video")
            for i in range(4):
                w.file("%s/video/intro-%d.mp4" % (base, i), 45 * MiB + i * MiB, binary=True)
        w.dir(base + "/designs")
        for i in range(6):
            w.file("%s/designs/mockup-%03d.psd" % (base, i), (10 * MiB if full else 90_000) + i * 4096,
                   binary=True)
        w.dir(base + "/raw")
        for i in range(8 if full else 4):
            w.file("%s/raw/shoot-%03d.tiff" % (base, i), (9 * MiB if full else 60_000) + i * 512,
                   binary=True)

    def root_files(self):
        w, r = self.w, self.rng
        w.file(".dockerignore", len(selection.DOCKERIGNORE.encode()))
        for name in ("Dockerfile", "Dockerfile.dev", "Dockerfile.test", "docker-compose.yml",
                     "docker-compose.override.yml", "LICENSE", "package.json", "tsconfig.json",
                     ".gitignore", ".gitattributes", ".gitlab-ci.yml", ".editorconfig", ".nvmrc",
                     ".env", ".env.local", ".env.production", ".env.example", "turbo.json"):
            w.file(name, self.size(800, 0.6))
        for name in selection.ROOT_MARKDOWN:
            w.file(name, self.size(6000, 0.6))
        w.file("package-lock.json", self.size(1_500_000, 0.2, cap=8 * MiB))
        w.file(".DS_Store", 6148)
        w.dir(".github")
        w.dir(".github/workflows")
        for name in ("ci.yml", "release.yml", "codeql.yml", "deploy.yml"):
            w.file(".github/workflows/" + name, self.size(2000))
        w.file(".github/CODEOWNERS", 400)
        w.dir(".vscode")
        w.file(".vscode/settings.json", 600)
        w.file(".vscode/extensions.json", 200)
        w.dir(".idea")
        for name in ("workspace.xml", "modules.xml", "vcs.xml"):
            w.file(".idea/" + name, self.size(3000))
        w.dir("scripts")
        for name in ("build.sh", "release.sh", "migrate.sh", "seed.sh"):
            w.file("scripts/" + name, self.size(1500), mode=0o755)
        w.dir("logs")
        for name in LOG_NAMES:
            w.file("logs/" + name, self.size(1_500_000, 1.0, cap=12 * MiB))
        w.dir("tmp")
        for _ in range(30):
            w.file("tmp/%s.tmp" % self.hexname(10), self.size(50_000, 1.5))
        w.dir("coverage")
        w.file("coverage/lcov.info", self.size(400_000))
        w.dir(".nyc_output")
        for _ in range(10):
            w.file(".nyc_output/%s.json" % self.hexname(16), self.size(30000))

    # -- shapes --------------------------------------------------------------------

    def monorepo(self):
        p, r = self.p, self.rng
        self.root_files()
        self.git(".git")
        self.docs("docs")
        self.assets("assets")
        self.w.dir("services")
        for name in SERVICES[:p["services"]]:
            self.service("services/" + name)
        self.w.dir("packages")
        for _ in range(p["workspaces"]):
            self.workspace("packages/" + self.plain_pkg_name(), r.randint(0, 8))
        self.node_modules("node_modules", None, until=p["entries"])

    def wide(self):
        p, r = self.p, self.rng
        self.root_files()
        self.git(".git")
        self.docs("docs")
        self.assets("assets")
        self.w.dir("services")
        for name in SERVICES[:p["services"]]:
            self.service("services/" + name)
        self.node_modules("node_modules", p["root_packages"])
        self.w.dir("packages")
        while self.w.entries < p["entries"]:
            self.workspace("packages/" + self.plain_pkg_name(), r.randint(0, 6))


def generator_digest():
    """What the generated trees depend on: this file, the rules and the names
    selection.py shares, and the Python version behind `random`."""
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    h.update(repr((selection.DOCKERIGNORE, selection.ROOT_MARKDOWN, selection.DOCS_SUBDIRS,
                   sys.version_info[:2])).encode())
    return h.hexdigest()[:16]


def read_stamp(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def generate(out, shape, force=False):
    """Creates out/<shape> (or out/paths-1m.txt); returns the stamp dict."""
    os.makedirs(out, exist_ok=True)
    is_paths = shape == "paths"
    target = os.path.join(out, "paths-1m.txt" if is_paths else shape)
    stamp_path = target + ".stamp"
    params = dict(SHAPES["wide"], count=PATHS_COUNT) if is_paths else SHAPES[shape]
    want = {"shape": shape, "seed": SEED, "params": params, "generator": generator_digest()}
    stamp = read_stamp(stamp_path)
    if not force and stamp and os.path.exists(target) and \
            all(stamp.get(k) == v for k, v in want.items()):
        print("%s: up to date (%s)" % (target, stamp_path), file=sys.stderr)
        return stamp

    started = time.time()
    tmp = target + ".partial"
    for old in (tmp, target, stamp_path):
        if os.path.isdir(old) and not os.path.islink(old):
            shutil.rmtree(old)
        elif os.path.lexists(old):
            os.unlink(old)
    print("%s: generating..." % target, file=sys.stderr)
    pools = Pools(random.Random(SEED + 2))
    if is_paths:
        with open(tmp, "w") as f:
            lines = LimitedWriter(f, PATHS_COUNT)
            w = Writer(None, pools, paths_out=lines)
            planner = Planner(w, SHAPES["wide"])
            try:
                planner.wide()
            except LimitReached:
                pass
            if lines.count < PATHS_COUNT:
                raise SystemExit("paths: only %d paths planned" % lines.count)
    else:
        os.mkdir(tmp)
        w = Writer(tmp, pools)
        planner = Planner(w, params)
        getattr(planner, shape)()
        with open(os.path.join(tmp, ".dockerignore"), "w") as f:
            f.write(selection.DOCKERIGNORE)
    os.rename(tmp, target)
    stamp = dict(want, entries=w.entries, files=w.files, dirs=w.dirs, symlinks=w.symlinks,
                 bytes=w.bytes, seconds=round(time.time() - started, 1))
    if is_paths:
        stamp = dict(want, entries=PATHS_COUNT, seconds=stamp["seconds"])
    with open(stamp_path, "w") as f:
        json.dump(stamp, f, indent=1)
    print("%s: %d entries%s in %.0f s" % (
        target, stamp["entries"], "" if is_paths else ", %.1f MB" % (w.bytes / 1e6), stamp["seconds"]),
        file=sys.stderr)
    return stamp


class LimitReached(Exception):
    pass


class LimitedWriter:
    def __init__(self, f, limit):
        self.f, self.limit, self.count = f, limit, 0

    def write(self, line):
        if self.count >= self.limit:
            raise LimitReached
        self.f.write(line)
        self.count += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shape", nargs="+", choices=sorted(SHAPES) + ["paths"])
    ap.add_argument("--out", default="/tmp/ctxpack-bench/contexts")
    ap.add_argument("--force", action="store_true", help="regenerate even when up to date")
    args = ap.parse_args()
    for shape in args.shape:
        generate(args.out, shape, args.force)


if __name__ == "__main__":
    main()
