#!/usr/bin/env python3
"""Lists every warning and error `ctxpack report` and `ctxpack copy` give on
a corpus of repositories (made with devcopy.py), and every line `report`
proposes, as Markdown for docs/advice-corpus.md, where each is judged.

usage: corpus_advice.py CTXPACK ROOT [NAME=DOCKERFILE ...]
  ROOT holds one directory per repository; NAME=DOCKERFILE gives a
  Dockerfile other than NAME/Dockerfile (relative to the repository).
"""
import json
import os
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr.strip()


def main():
    ctxpack, root = sys.argv[1:3]
    dockerfiles = dict(a.split("=", 1) for a in sys.argv[3:])
    totals = {}
    for name in sorted(os.listdir(root)):
        ctx = os.path.join(root, name)
        f = ["-f", os.path.join(ctx, dockerfiles[name])] if name in dockerfiles else []
        for builder in ("buildkit", "legacy"):
            rc, out, err = run([ctxpack, "report", "--json", "--builder", builder, *f, ctx])
            rows = []
            if rc not in (0, 1):
                rows.append(f"report failed: {err}")
            else:
                r = json.loads(out)
                for x in r["findings"]:
                    if x["severity"] != "info":
                        rows.append(f"report {x['severity']} `{x['code']}` {x['path'] or x['rule'] or ''}: "
                                    f"{x['message'][:160]}")
                for s in r["suggestions"]:
                    rows.append(f"report suggests `{s['rule']}`: {s['files']} files, {s['bytes']} bytes "
                                f"(e.g. {s['example']})")
            rc, out, err = run([ctxpack, "copy", "--json", "--builder", builder, *f, ctx])
            if rc not in (0, 1):
                rows.append(f"copy failed: {err}")
            else:
                c = json.loads(out)
                for i in c["instructions"]:
                    if i["error"] and i["runs"] and i["reached"]:
                        rows.append(f"copy error line {i['line']}: {i['error'][:160]}")
                    for w in i["warnings"]:
                        if w["severity"] != "info":
                            rows.append(f"copy {w['severity']} `{w['code']}` line {i['line']}: {w['message'][:160]}")
                for h in c["hints"]:
                    if h["severity"] != "info":
                        rows.append(f"copy {h['severity']} `{h['code']}`: {h['message'][:160]}")
            print(f"- **{name}** ({builder}):" + ("" if rows else " nothing"))
            for row in rows:
                print(f"  - {row}")
                kind = row.split(" ")[1] if row.startswith(("report", "copy")) else "failed"
                totals[kind] = totals.get(kind, 0) + 1
    print()
    print("totals: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))


if __name__ == "__main__":
    main()
