"""The contexts and Dockerfiles of the `ctxpack copy` end-to-end cases.

Most cases use context A of the research notes (copy-semantics.md §6):
files at the top and in two directories whose `f1` collide, a dotfile in a
subdirectory, an empty directory, symlinks to a file and to a directory,
and a secret excluded by .dockerignore. A case may add, replace or remove
entries and replace the ignore file. Dockerfiles are FROM scratch only:
nothing is pulled.
"""

import io
import os
import shutil
import tarfile

BASE = {
    ".env": "TOKEN=1\n",
    "a.txt": "a\n",
    "b.txt": "b\n",
    "c.md": "c\n",
    "secret.txt": "s3cr3t\n",
    "dir1/f1": "dir1 f1\n",
    "dir1/x.txt": "x\n",
    "dir1/sub/f2": "f2\n",
    "dir2/f1": "dir2 f1\n",
    "dir2/.hidden": "hidden\n",
    "empty": ("dir",),
    "link-a": ("symlink", "a.txt"),
    "link-dir": ("symlink", "dir1"),
}
BASE_IGNORE = "secret.txt\n"


def case(name, dockerfile, files=None, ignore=BASE_IGNORE, head="FROM scratch\n", **extra):
    c = {"name": name, "dockerfile": head + dockerfile, "files": files or {}, "ignore": ignore}
    c.update(extra)
    return c


def tar_bytes(members, compress=""):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:" + compress) as t:
        for path, content in members.items():
            if content is None:
                info = tarfile.TarInfo(path)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
                continue
            data = content.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def materialize(root, c):
    """Create the case's context directory at `root`."""
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    spec = dict(BASE)
    spec.update(c["files"])
    if c["ignore"] is not None:
        spec[c.get("ignore_name", ".dockerignore")] = c["ignore"]
    spec.setdefault("Dockerfile", c["dockerfile"])
    for path in sorted(spec):
        value = spec[path]
        if value is None:
            continue
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(value, tuple):
            kind = value[0]
            if kind == "dir":
                os.makedirs(full, exist_ok=True)
            elif kind == "symlink":
                os.symlink(value[1], full)
            elif kind == "tar":
                with open(full, "wb") as f:
                    f.write(tar_bytes(value[1], value[2] if len(value) > 2 else ""))
            else:
                raise ValueError(kind)
        else:
            with open(full, "w") as f:
                f.write(value)


CASES = [
    # The whole context, and the flattening of `*`.
    case("dot-to-dir", "COPY . /app/\n"),
    case("star-flattens", "COPY * /app/\n"),
    case("star-slash", "COPY */ /app/\n"),
    case("dot-star", "COPY .* /app/\n"),
    case("star-matches-dotfiles", "COPY dir2/* /app/\n"),
    case("dir-star-flattens-subdirs", "COPY dir1/* /app/\n"),
    case("dir-star-ext", "COPY dir1/*.txt /app/\n"),
    case("question-mark", "COPY ?.txt /app/\n"),
    case("char-class", "COPY [ab]* /app/\n"),
    # The 20.10 client's context sender fails on this include pattern
    # ("readdirent a.txt: not a directory"); later clients do not.
    case("doublestar-is-star", "COPY **/*.txt /app/\n", skip=["buildkit"]),
    case("wildcard-middle", "COPY d*/f1 /app/\n"),
    case("star-only-empty-dir", "COPY * /app/\n",
         files={k: None for k in BASE} | {"dir1": ("dir",)}, ignore=None),
    # Directory sources.
    case("dir-contents", "COPY dir1 /app\n"),
    case("dir-trailing-slash", "COPY dir1/ /app/\n"),
    case("dir-keep-name", "COPY dir1 /app/dir1/\n"),
    case("two-dirs-later-wins", "COPY dir1 dir2 /app/\n"),
    case("empty-dir", "COPY empty /app/e\n"),
    case("dir-dot-component", "COPY dir1/./sub /app/\n"),
    # Destinations.
    case("file-to-new-path", "COPY a.txt /app\n"),
    case("file-to-existing-dir", "WORKDIR /app\nCOPY a.txt /app\n"),
    case("file-trailing-slash", "COPY a.txt /app/\n"),
    case("files-to-dir", "COPY a.txt b.txt /app/\n"),
    case("files-no-slash", "COPY a.txt b.txt /app\n"),
    case("glob-no-slash", "COPY *.txt /app\n"),
    case("file-then-dir-no-slash", "COPY a.txt dir1 /app\n"),
    case("workdir-dot-several", "WORKDIR /srv\nCOPY a.txt b.txt .\n"),
    case("workdir-dot-one", "WORKDIR /srv\nCOPY a.txt .\n"),
    case("workdir-parent", "WORKDIR /srv/app\nCOPY a.txt ../\n"),
    case("workdir-relative", "WORKDIR /srv\nCOPY dir2 data/\n"),
    case("dot-without-workdir", "COPY a.txt .\n"),
    case("empty-dest-variable", "WORKDIR /var/www\nENV e=\"\"\nCOPY a.txt $e\n"),
    case("file-into-copied-dir", "COPY dir1 /app/\nCOPY a.txt /app/sub\n"),
    case("dir-onto-file", "COPY a.txt /app\nCOPY dir1 /app\n"),
    # Sources that are not plain paths.
    case("source-parent-dir", "COPY ../a.txt /app/\n"),
    case("source-leading-slash", "COPY /a.txt /app/\n"),
    case("source-trailing-slash-file", "COPY a.txt/ /app/\n"),
    case("nomatch-alone", "COPY nomatch* /app/\n"),
    case("nomatch-with-file", "COPY a.txt nomatch* /app/\n"),
    # BuildKit since Docker 23 does not transfer a directory in which the
    # wildcard matches nothing, and fails (lstat); the 20.10 client sends it.
    case("nomatch-in-empty-dir", "COPY empty/*.txt /app/\n", skip=["buildkit"]),
    case("missing-file", "COPY missing.txt /app/\n"),
    # Symlinks.
    case("symlink-file-followed", "COPY link-a /app/\n"),
    case("symlink-dir-followed", "COPY link-dir /app/\n"),
    case("symlink-absolute-rerooted", "COPY link-abs /app/\n", files={"link-abs": ("symlink", "/a.txt")}),
    case("symlink-inside-dir-kept", "COPY dir3 /app/\n",
         files={"dir3/l": ("symlink", "../a.txt"), "dir3/f": "f\n"}),
    case("symlink-outside-context", "COPY link-out /app/\n", files={"link-out": ("symlink", "../../outside")}),
    case("symlink-to-excluded", "COPY link-s /app/\n", files={"link-s": ("symlink", "secret.txt")}),
    # The ignore file.
    case("excluded-source", "COPY secret.txt /app/\n"),
    case("excluded-by-wildcard-rule", "COPY c.md /app/\n", ignore="*.md\n"),
    case("exception-reincludes", "COPY dir1 /app/\n", ignore="dir1\n!dir1/x.txt\n"),
    case("dockerfile-excluded", "COPY Dockerfile /app/\n", ignore="Dockerfile\n"),
    case("dockerfile-excluded-dot", "COPY . /app/\n", ignore="Dockerfile\n.dockerignore\n"),
    case("dockerignore-excluded-star", "COPY .* /app/\n", ignore=".dockerignore\n"),
    case("excluded-dir-glob", "COPY dir2/* /app/\n", ignore="dir2\n"),
    # Variables, stages, syntax.
    case("build-arg", "ARG SRC=a.txt\nCOPY $SRC /app/\n", build_args={"SRC": "b.txt"}),
    case("arg-default", "ARG SRC=a.txt\nCOPY ${SRC} /app/\n"),
    case("env-dest", "ENV D=/data\nCOPY a.txt ${D}/\n"),
    case("global-arg-redeclared", "ARG N\nCOPY $N /app/\n", head="ARG N=c.md\nFROM scratch\n"),
    case("json-form-space", "COPY [\"my file.txt\", \"/app/\"]\n", files={"my file.txt": "spaced\n"}),
    case("escape-backtick", "COPY a.txt `\n  /app/\n", head="# escape=`\nFROM scratch\n"),
    case("continuation-comment", "COPY a.txt \\\n# a comment inside\n  b.txt /app/\n"),
    case("from-stage", "COPY dir1 /build/\nFROM scratch\nCOPY --from=0 /build/sub /out/\n"),
    case("from-stage-wildcard", "COPY dir1 /build/\nFROM scratch\nCOPY --from=0 /build/* /out/\n"),
    case("target-skips-later", "COPY a.txt /one/\nFROM scratch AS two\nCOPY missing.txt /two/\n", target="one", head="FROM scratch AS one\n"),
    case("target-earlier-broken", "COPY missing.txt /x/\nFROM scratch AS final\nCOPY a.txt /final/\n",
         target="final"),
    case("chmod", "COPY --chmod=755 a.txt /app/\n"),
    # ADD.
    case("add-tar-extracts", "ADD pkg.tar /opt\n", files={"pkg.tar": ("tar", {"bin/": None, "bin/tool": "tool\n"})}),
    case("add-targz-extracts", "ADD pkg.tgz /opt/\n", files={"pkg.tgz": ("tar", {"etc/conf": "c\n"}, "gz")}),
    case("copy-tar-not-extracted", "COPY pkg.tar /opt/\n", files={"pkg.tar": ("tar", {"f": "f\n"})}),
    case("add-plain-file", "ADD a.txt /opt/\n"),
    # Where the builders part: what Buildah (podman build) does differently.
    case("glob-no-slash-one-dir", "COPY d*2 /app\n"),
    case("symlink-dir-in-path", "COPY link-dir/f1 /app/\n"),
    case("glob-through-symlink-dir", "COPY link-d*/f* /app/\n"),
    case("two-empty-wildcards", "COPY nomatch* none?.txt /app/\n"),
    # BuildKit 20.10 names the later missing source; which of several it
    # names is not modelled.
    case("missing-after-excluded", "COPY secret.txt missing.txt /app/\n", skip=["buildkit"]),
    case("excluded-then-ok", "COPY secret.txt a.txt /app/\n"),
    case("excluded-dir-exception-glob", "COPY dir1/* /app/\n", ignore="dir1\n!dir1/sub\n"),
    case("files-onto-file", "COPY a.txt /app\nCOPY b.txt c.md /app\n"),
    # Sizes differ: vfs records a layer's changes by size and mtime, and
    # the classic builder keeps the source's mtime.
    case("file-onto-file", "COPY a.txt /app\nCOPY long.txt /app\n", files={"long.txt": "longer\n"}),
    case("workdir-abs-dest", "WORKDIR /srv\nCOPY a.txt /srv\n"),
    # -f -: the Dockerfile on stdin. The classic client adds it to the
    # upload under a random name it lists in .dockerignore, which the
    # daemon deletes; the context's own Dockerfile is an ordinary file.
    case("stdin-dockerfile-dot", "COPY . /app/\n", stdin_dockerfile=True),
    case("stdin-dockerfile-ignored", "COPY . /app/\n", stdin_dockerfile=True,
         ignore="secret.txt\n.dockerignore\nDockerfile\n"),
    case("stdin-dockerfile-star", "COPY * /app/\n", stdin_dockerfile=True, files={"Dockerfile": None},
         ignore="secret.txt\nDockerfile\n"),
    case("stdin-dockerfile-no-ignore", "COPY .* /app/\n", stdin_dockerfile=True, ignore=None),
    # Buildah only: Docker 20.10 reads neither file nor these Dockerfiles.
    case("containerignore", "COPY . /app/\n", ignore="*.md\ndir2\n", ignore_name=".containerignore",
         skip=["legacy", "buildkit"]),
    case("containerignore-wins", "COPY * /app/\n", ignore="*.txt\n", ignore_name=".containerignore",
         files={".dockerignore": "dir1\n"}, skip=["legacy", "buildkit"]),
    case("heredoc-is-a-name", "COPY <<EOF /x\nhi\nEOF\n", skip=["legacy", "buildkit"]),
    case("copy-link-flag", "COPY --link a.txt /app/\n", skip=["legacy", "buildkit"]),
    case("add-checksum-flag", "ADD --checksum=sha256:00 a.txt /app/\n", skip=["legacy", "buildkit"]),
]
