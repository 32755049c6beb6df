#!/usr/bin/env python3
"""`report --format sarif` on a throwaway git repository whose context is a
subdirectory: SARIF 2.1.0's required structure, one rule per finding code
that the JSON report can give, every result agreeing with the JSON
report's finding (code, level, message), and every location resolving,
from the repository root, to the file that holds the problem and, for an
ignore-file rule, to the line holding it. Then every document the test
made, and those of contexts with no findings, with findings only the
builder comparison makes and with no Dockerfile, is judged against SARIF
2.1.0's schema twice: by the published schema itself (sarif-schema-2.1.0.json,
see README.md) with Debian's python3-jsonschema, and by sarifcheck/, which
rejects properties the schema does not define (the schema allows them), from
the object model Debian packages, generated from that schema."""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

import jsonschema

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
HERE = os.path.dirname(os.path.abspath(__file__))
# golang-github-haya14busa-go-sarif-dev: SARIF 2.1.0's schema as Go types.
MODEL = "/usr/share/gocode/src/github.com/haya14busa/go-sarif/sarif/sarif.go"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def make_repo(root):
    subprocess.run(["git", "init", "-q", root], check=True)
    ctx = os.path.join(root, "svc", "api")
    os.makedirs(os.path.join(ctx, "web", "node_modules", "x"))
    os.makedirs(os.path.join(ctx, "my conf#1"))
    files = {
        "Dockerfile": "FROM scratch\nCOPY . /app\n",
        ".dockerignore": "*.log # logs\nbuild/\nnode_modules\n",
        # A name a URI must escape.
        "my conf#1/.env": "API_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n",
        "web/node_modules/x/index.js": "x\n",
    }
    for name, text in files.items():
        with open(os.path.join(ctx, name), "w") as f:
            f.write(text)
    return ctx


def check(sarif, report, root, cwd):
    if sarif.get("version") != "2.1.0" or "sarif-schema-2.1.0" not in sarif.get("$schema", ""):
        fail(f"version/$schema: {sarif.get('version')} {sarif.get('$schema')}")
    runs = sarif.get("runs", [])
    if len(runs) != 1:
        return fail(f"{len(runs)} runs")
    run = runs[0]
    driver = run["tool"]["driver"]
    if driver.get("name") != "ctxpack" or not driver.get("version"):
        fail(f"driver {driver.get('name')} {driver.get('version')}")
    rules = driver.get("rules", [])
    ids = [r["id"] for r in rules]
    if len(set(ids)) != len(ids):
        fail("rule ids repeat")
    for r in rules:
        if not r.get("help", {}).get("text") or not r.get("shortDescription", {}).get("text"):
            fail(f"rule {r['id']} has no help text")
        if r.get("defaultConfiguration", {}).get("level") not in ("error", "warning", "note"):
            fail(f"rule {r['id']} default level")
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    if base != "file://" + urllib.parse.quote(os.path.realpath(root)) + "/":
        fail(f"SRCROOT is {base}, not the repository root {root}")
    results = run["results"]
    findings = report["findings"]
    if len(results) != len(findings) or not findings:
        return fail(f"{len(results)} results for {len(findings)} findings")
    for res, f in zip(results, findings):
        if res["ruleId"] != f["code"] or ids[res["ruleIndex"]] != f["code"]:
            fail(f"result {res['ruleId']} (rule index {res.get('ruleIndex')}) for finding {f['code']}")
        if res["level"] != LEVELS[f["severity"]]:
            fail(f"{f['code']}: level {res['level']} for a {f['severity']}")
        if f["message"] not in res["message"]["text"]:
            fail(f"{f['code']}: message {res['message']['text']!r}")
        loc = res["locations"][0]["physicalLocation"]
        art = loc["artifactLocation"]
        if art.get("uriBaseId") != "SRCROOT":
            fail(f"{f['code']}: {art} is not relative to the repository root")
            continue
        path = os.path.join(root, urllib.parse.unquote(art["uri"]))
        if not os.path.exists(path):
            fail(f"{f['code']}: {art['uri']} does not exist below the repository root")
        line = loc.get("region", {}).get("startLine")
        if f["rule"] and not f["rule"].startswith("(docker CLI)"):
            # "FILE:LINE:PATTERN", FILE as the user named it from cwd.
            file, number, _ = f["rule"].split(":", 2)
            if not os.path.samefile(path, os.path.join(cwd, file)) or line != int(number):
                fail(f"{f['code']}: located at {art['uri']}:{line}, the rule is {f['rule']}")
        elif f["path"] and not os.path.samefile(path, os.path.join(root, "svc/api", f["path"])):
            fail(f"{f['code']}: located at {art['uri']}, the finding is about {f['path']}")
    codes = {r["ruleId"] for r in results}
    for expected in ("secret-file", "inline-comment", "trailing-slash", "root-only-pattern"):
        if expected not in codes:
            fail(f"no {expected} result (the fixture was made to have one)")


def build_checker(tmp):
    """sarifcheck, built in GOPATH mode against the packaged model (no network)."""
    binary = os.path.join(tmp, "sarifcheck")
    env = dict(os.environ, GO111MODULE="off", GOFLAGS="", GOPROXY="off", GOPATH="/usr/share/gocode",
               GOCACHE=os.path.join(tmp, "gocache"))
    subprocess.run(["go", "build", "-o", binary, "."], cwd=os.path.join(HERE, "sarifcheck"), env=env, check=True)
    return binary


def report(ctxpack, args, cwd):
    sarif = subprocess.run([ctxpack, "report", *args, "--format", "sarif"], cwd=cwd, capture_output=True, text=True)
    as_json = subprocess.run([ctxpack, "report", *args, "--format", "json"], cwd=cwd, capture_output=True, text=True)
    if sarif.returncode != as_json.returncode or sarif.returncode not in (0, 1):
        fail(f"report {args}: exit status {sarif.returncode}, --format json gives {as_json.returncode}")
    return sarif.stdout, json.loads(sarif.stdout), json.loads(as_json.stdout)


def check_results(sarif, report, where):
    """What any document must say: one result per finding, at its level,
    under a rule the driver lists."""
    run = sarif["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results, findings = run["results"], report["findings"]
    if len(results) != len(findings):
        return fail(f"{where}: {len(results)} results for {len(findings)} findings")
    for res, f in zip(results, findings):
        if res["ruleId"] != f["code"] or ids[res["ruleIndex"]] != f["code"] or res["level"] != LEVELS[f["severity"]]:
            fail(f"{where}: result {res['ruleId']} {res['level']} for finding {f['code']} {f['severity']}")


def other_contexts(tmp):
    """(directory, report arguments, what the document must hold)."""
    quiet = os.path.join(tmp, "quiet")
    os.makedirs(quiet)
    for name, text in {"Dockerfile": "FROM scratch\nCOPY a /a\n", "a": "a\n"}.items():
        with open(os.path.join(quiet, name), "w") as f:
            f.write(text)
    split = os.path.join(tmp, "split")
    os.makedirs(os.path.join(split, "x"))
    for name, text in {"Dockerfile": "FROM scratch\nCOPY . /a\n", ".dockerignore": "*\n!**/keep.py\n",
                       "x/keep.py": "\n"}.items():
        with open(os.path.join(split, name), "w") as f:
            f.write(text)
    bare = os.path.join(tmp, "bare")
    os.makedirs(bare)
    return [(quiet, ["."], "no findings"), (split, ["."], "builder-disagreement"),
            (bare, ["."], "dockerfile-missing")]


def schema_validator():
    with open(os.path.join(HERE, "sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = cls.FORMAT_CHECKER
    # Without python3-rfc3987 jsonschema skips "format": "uri" silently.
    if "uri" not in checker.checkers:
        fail("jsonschema cannot check URIs (python3-rfc3987 is missing)")
    return cls(schema, format_checker=checker)


def validate(validator, documents):
    for i, text in enumerate(documents):
        document = json.loads(text)
        for e in list(validator.iter_errors(document))[:5]:
            fail(f"document {i}: schema: {e.json_path}: {e.message}")
    # The schema is applied for real: a result with no message and a level
    # SARIF does not have must fail.
    broken = copy.deepcopy(json.loads(documents[0]))
    result = broken["runs"][0]["results"][0]
    del result["message"]
    result["level"] = "info"
    messages = {e.message for e in validator.iter_errors(broken)}
    if not any("'message' is a required property" in m for m in messages) or \
            not any("'info' is not one of" in m for m in messages):
        fail(f"the schema let a broken result pass: {messages}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctxpack", required=True)
    args = ap.parse_args()
    ctxpack = os.path.abspath(args.ctxpack)
    with tempfile.TemporaryDirectory() as tmp:
        checker = build_checker(tmp)
        documents = []
        root = os.path.join(tmp, "repo")
        ctx = make_repo(root)
        # From the repository root, as CI runs it, and from inside the context.
        for cwd, context in ((root, "svc/api"), (ctx, ".")):
            text, sarif, as_json = report(ctxpack, ["--no-compare", context], cwd)
            documents.append(text)
            check(sarif, as_json, root, cwd)
        for cwd, report_args, holds in other_contexts(tmp):
            text, sarif, as_json = report(ctxpack, report_args, cwd)
            documents.append(text)
            check_results(sarif, as_json, holds)
            codes = {r["ruleId"] for r in sarif["runs"][0]["results"]}
            if (holds == "no findings") != (not codes) or (holds != "no findings" and holds not in codes):
                fail(f"{cwd}: results {sorted(codes)}, the context was made to give {holds}")
        paths = []
        for i, text in enumerate(documents):
            paths.append(os.path.join(tmp, f"{i}.sarif"))
            with open(paths[-1], "w") as f:
                f.write(text)
        validate(schema_validator(), documents)
        judged = subprocess.run([checker, MODEL, *paths], capture_output=True, text=True)
        for line in judged.stdout.splitlines():
            fail(f"schema: {line}")
        if judged.returncode not in (0, 1):
            fail(f"sarifcheck: {judged.stderr.strip()}")
        levels = {r["level"] for t in documents for r in json.loads(t)["runs"][0]["results"]}
        print(f"{len(documents)} SARIF documents judged against the 2.1.0 schema, levels {sorted(levels)}")
    print("PASS" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
