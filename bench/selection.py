"""The benchmark's .dockerignore and the same selection for find, GNU tar and bsdtar.

None of the three tools can re-include a path the way a `!` rule does, so the
exceptions are written as complementary globs (or literal names) that select
exactly the same files on the trees gen_context.py writes. gen_context.py keeps
the naming constraints those globs rely on, and run.sh checks on every run that
each tool archives or lists the same files as Docker's TarWithOptions; a
mismatch is reported in BENCHMARKS.md, never ignored.
"""

# 40 patterns. The docker CLI re-adds Dockerfile and .dockerignore when the
# rules exclude them (legacy builder), which every baseline below mirrors.
DOCKERIGNORE = """\
# Version control and CI configuration never belong in the image.
.git
.github
.gitlab-ci.yml
# Dependencies are shipped, minus what never runs.
**/node_modules/.cache
**/node_modules/**/test
**/node_modules/**/__tests__
**/node_modules/**/*.md
!**/node_modules/**/LICENSE.md
**/node_modules/**/*.map
# Build output and caches are rebuilt inside the image.
packages/*/dist
**/coverage
**/.nyc_output
**/.turbo
**/__pycache__
**/*.pyc
**/.pytest_cache
# Logs, temp and editor files; the audit log is part of the release.
**/*.log
!services/*/logs/audit.log
**/*.tmp
**/tmp
**/*.swp
**/*~
**/.DS_Store
# Local environment and secrets; the examples document the settings.
.env
**/.env.*
!**/.env.example
**/*.pem
**/*.key
# Editor settings.
.vscode
.idea
# Documentation: only the READMEs go in.
docs
!docs/README.md
*.md
!README.md
# Design sources stay out, except the logo the app serves.
assets/raw
assets/**/*.psd
!assets/brand/logo.psd
# Container definitions.
Dockerfile*
docker-compose*.yml
.dockerignore
"""

# Names gen_context.py uses where a baseline needs a literal list.
ROOT_MARKDOWN = ("README.md", "CHANGELOG.md", "CONTRIBUTING.md", "SECURITY.md")
DOCS_SUBDIRS = ("adr", "api", "guides", "images")


def rule_count():
    return sum(1 for line in DOCKERIGNORE.splitlines() if line and not line.startswith("#"))


# find, run inside the context as `find . -mindepth 1 EXPR -prune -o -print`.
# find's -path lets `*` cross `/`, hence the `! -path './*/*'` guards for
# root-anchored rules.
FIND_PRUNE = [
    "(",
    "-path", "./.git", "-o", "-path", "./.github", "-o", "-path", "./.gitlab-ci.yml",
    "-o", "-path", "*/node_modules/.cache",
    "-o", "(", "-path", "*/node_modules/*", "(",
    "-name", "test", "-o", "-name", "__tests__", "-o", "-name", "*.map",
    "-o", "(", "-name", "*.md", "!", "-name", "LICENSE.md", ")", ")", ")",
    "-o", "(", "-path", "./packages/*/dist", "!", "-path", "./packages/*/*/*", ")",
    "-o", "-name", "coverage", "-o", "-name", ".nyc_output", "-o", "-name", ".turbo",
    "-o", "-name", "__pycache__", "-o", "-name", "*.pyc", "-o", "-name", ".pytest_cache",
    "-o", "(", "-name", "*.log", "!", "-path", "./services/*/logs/audit.log", ")",
    "-o", "-name", "*.tmp", "-o", "-name", "tmp", "-o", "-name", "*.swp",
    "-o", "-name", "*~", "-o", "-name", ".DS_Store",
    "-o", "-path", "./.env", "-o", "(", "-name", ".env.*", "!", "-name", ".env.example", ")",
    "-o", "-name", "*.pem", "-o", "-name", "*.key",
    "-o", "-path", "./.vscode", "-o", "-path", "./.idea",
    "-o", "(", "-path", "./docs/*", "!", "-path", "./docs/README.md", ")",
    "-o", "(", "-path", "./*.md", "!", "-path", "./*/*", "!", "-path", "./README.md", ")",
    "-o", "-path", "./assets/raw",
    "-o", "(", "-path", "./assets/*", "-name", "*.psd", "!", "-path", "./assets/brand/logo.psd", ")",
    "-o", "(", "-path", "./Dockerfile?*", "!", "-path", "./*/*", ")",
    "-o", "(", "-path", "./docker-compose*.yml", "!", "-path", "./*/*", ")",
    ")",
]

# GNU tar archiving `.`: member names start with `./`. Root-anchored rules use
# --anchored without slash-crossing wildcards; the rest match any suffix.
# Complements: LICENSE.md is the only node_modules *.md ending in "SE.md";
# audit.log the only *.log ending in "t.log"; .env.example the only .env.e*;
# README.md the only root or docs/ name starting with R; logo.psd the only
# .psd name ending in "o".
GNUTAR_EXCLUDES = [
    "--anchored", "--no-wildcards-match-slash",
    "--exclude=./.git", "--exclude=./.github", "--exclude=./.gitlab-ci.yml",
    "--exclude=./packages/*/dist",
    "--exclude=./.env", "--exclude=./.vscode", "--exclude=./.idea",
    "--exclude=./docs/[!R]*", "--exclude=./[!R]*.md",
    "--exclude=./assets/raw",
    "--exclude=./Dockerfile?*", "--exclude=./docker-compose*.yml",
    "--wildcards-match-slash",
    "--exclude=./assets/*[!o].psd",
    "--no-anchored",
    "--exclude=*/node_modules/.cache",
    "--exclude=*/node_modules/*/test", "--exclude=*/node_modules/*/__tests__",
    "--exclude=*/node_modules/*[!E].md", "--exclude=*/node_modules/*[!S]E.md",
    "--exclude=*/node_modules/*.map",
    "--exclude=coverage", "--exclude=.nyc_output", "--exclude=.turbo",
    "--exclude=__pycache__", "--exclude=*.pyc", "--exclude=.pytest_cache",
    "--exclude=*[!t].log",
    "--exclude=*.tmp", "--exclude=tmp", "--exclude=*.swp", "--exclude=*~", "--exclude=.DS_Store",
    "--exclude=.env.[!e]*", "--exclude=*.pem", "--exclude=*.key",
]

# bsdtar (libarchive pathmatch): a pattern matches from the start of any path
# component unless it begins with `^`, also matches everything below a match,
# and `*` crosses `/`. A negated class at the very end of a pattern also
# matches the end of a name (so `docs/[!R]*` would drop docs/ itself), and `*`
# cannot be kept inside one component: those rules are spelled out literally.
BSDTAR_EXCLUDES = [
    "--exclude", "^.git", "--exclude", "^.github", "--exclude", "^.gitlab-ci.yml",
    "--exclude", "^packages/*/dist",
    "--exclude", "^.env", "--exclude", "^.vscode", "--exclude", "^.idea",
    "--exclude", "^docs/[!R]*.md",
    *[arg for d in DOCS_SUBDIRS for arg in ("--exclude", "^docs/" + d)],
    *[arg for m in ROOT_MARKDOWN if m != "README.md" for arg in ("--exclude", "^" + m)],
    "--exclude", "^assets/raw", "--exclude", "^assets/*[!o].psd",
    "--exclude", "^Dockerfile?*", "--exclude", "^docker-compose*.yml",
    "--exclude", "node_modules/.cache",
    "--exclude", "node_modules/*/test", "--exclude", "node_modules/*/__tests__",
    "--exclude", "node_modules/*[!E].md", "--exclude", "node_modules/*[!S]E.md",
    "--exclude", "node_modules/*.map",
    "--exclude", "coverage", "--exclude", ".nyc_output", "--exclude", ".turbo",
    "--exclude", "__pycache__", "--exclude", "*.pyc", "--exclude", ".pytest_cache",
    "--exclude", "*[!t].log",
    "--exclude", "*.tmp", "--exclude", "tmp", "--exclude", "*.swp", "--exclude", "*~",
    "--exclude", ".DS_Store",
    "--exclude", ".env.[!e]*", "--exclude", "*.pem", "--exclude", "*.key",
]
