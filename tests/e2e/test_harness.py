#!/usr/bin/env python3
"""The conformance harness checks itself: deterministic contexts, sane captures.

The comparisons in test_legacy_ls.py and test_legacy_tar.py are only as good
as their oracle, so this checks, without ctxpack, that
- the same seed always yields the same context, byte for byte and stat for stat;
- every upload the stub captured is a well-formed tar whose entries are the
  context's files as they are on disk (type, permissions, size, whole-second
  mtime, link target, content), with uid/gid 0 and empty user/group names, in
  the walk's order (pre-order, byte-wise sorted siblings), hardlinks pointing
  to an earlier entry of the same inode;
- cases that need an unprivileged client really run unprivileged.

    python3 tests/e2e/test_harness.py [--count N]
"""

import hashlib
import os
import stat
import tempfile

import contexts
import dockerctx
from tarscan import read_tar, show

TYPES = {stat.S_IFREG: "0", stat.S_IFDIR: "5", stat.S_IFLNK: "2", stat.S_IFCHR: "3",
         stat.S_IFBLK: "4", stat.S_IFIFO: "6"}


def snapshot(root):
    """Everything about a tree that the tar can carry, keyed by relative path."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            item = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_uid, st.st_gid, st.st_nlink)
            if stat.S_ISLNK(st.st_mode):
                item += (os.readlink(path),)
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    item += (hashlib.sha256(f.read()).hexdigest(),)
            result[os.path.relpath(path, root)] = item
    return result


def check_deterministic(name):
    with tempfile.TemporaryDirectory() as tmp:
        first = contexts.case_by_name(name)
        second = contexts.case_by_name(name)
        if first.tree.ops != second.tree.ops or first.build_args() != second.build_args():
            return ["two generations of %s differ" % name]
        first.tree.materialize(os.path.join(tmp, "1"))
        second.tree.materialize(os.path.join(tmp, "2"))
        a = snapshot(os.path.join(tmp, "1"))
        b = snapshot(os.path.join(tmp, "2"))
        dockerctx.remove_tree(os.path.join(tmp, "1"))
        dockerctx.remove_tree(os.path.join(tmp, "2"))
        if a != b:
            differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            return ["two materialisations of %s differ at %s" % (name, differing[:5])]
    return []


def check_entry(entry, ctx, seen_inodes):
    name = entry.name
    path = os.path.join(os.fsencode(ctx), name.rstrip(b"/"))
    where = show(name)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ["%s: uploaded but not in the context" % where]
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append("%s: %s is %r, the file has %r" % (where, what, got, want))

    kind = TYPES.get(stat.S_IFMT(st.st_mode))
    key = st.st_ino
    if entry.type == "1":
        expect("hardlink target's inode", seen_inodes.get(entry.linkname), key)
    else:
        expect("type", entry.type, kind)
        if kind != "5" and st.st_nlink > 1:
            seen_inodes.setdefault(name, key)
    expect("trailing slash", name.endswith(b"/"), kind == "5")
    expect("mode", entry.mode, stat.S_IMODE(st.st_mode))
    expect("uid/gid", (entry.uid, entry.gid), (0, 0))
    expect("uname/gname", (entry.uname, entry.gname), (b"", b""))
    expect("mtime", entry.mtime, st.st_mtime_ns // 10**9)
    if entry.type == "2":
        expect("link target", entry.linkname, os.readlink(path))
    if entry.type == "0":
        expect("size", entry.size, st.st_size)
        with open(path, "rb") as f:
            expect("content", entry.sha256, hashlib.sha256(f.read()).hexdigest())
    if entry.type in ("3", "4"):
        expect("device", (entry.devmajor, entry.devminor),
               (os.major(st.st_rdev), os.minor(st.st_rdev)))
    if entry.global_pax:
        problems.append("%s: a global PAX header is in force" % where)
    return problems


def check_upload(case, casedir, upload):
    if upload.returncode != 0:
        return []
    problems = []
    archive = read_tar(upload.tar)
    ctx = os.path.realpath(os.path.join(casedir, case.context))
    # hardlink targets are recorded by archived name: the first archived name of an inode
    seen = {}
    for entry in archive.entries:
        problems += check_entry(entry, ctx, seen)
    # The walk is pre-order with siblings in byte order: that is sorting by components.
    names = archive.names()
    order = sorted(names, key=lambda n: n.rstrip(b"/").split(b"/"))
    if names != order:
        problems.append("entries are not in walk order: %s" % dockerctx.name_list(names))
    if len(set(names)) != len(names):
        problems.append("an entry is uploaded twice")
    return problems


def check_unprivileged(case, upload):
    # The unreadable-file case must fail for the client; if it does not, the
    # privilege drop did not happen and every as_nobody case proves nothing.
    if case.name == "unreadable-file" and "no permission" not in upload.stderr:
        return ["the client read a 0600 file as nobody: %r" % upload.stderr]
    return []


def check(case, casedir, upload, ctxpack, outdir):
    return (check_deterministic(case.name) + check_upload(case, casedir, upload)
            + check_unprivileged(case, upload))


if __name__ == "__main__":
    # ctxpack is not involved; the driver only needs some executable to pass along.
    os.environ.setdefault("CTXPACK", "/bin/true")
    dockerctx.entry_point(__doc__.splitlines()[0], check)
