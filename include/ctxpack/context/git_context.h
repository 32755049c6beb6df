// A git repository as the context: `docker build git://host/repo.git#ref:subdir`.
//
// The classic docker CLI clones the repository itself (moby's gitutils)
// and then builds the checkout as a directory, its .dockerignore applied
// and .git there unless that file excludes it. BuildKit clones in the
// daemon, keeps no .git and applies no ignore file (Builder::git_context).
// ctxpack clones as gitutils does, with the git program and no shell: `git
// init`, `git fetch --depth 1 origin -- REF` (no --depth for an HTTP server
// without the smart protocol), `git checkout REF` or else FETCH_HEAD, then
// `git submodule update --init --recursive --depth=1`; with no system or
// user configuration, no prompts, no hooks, and no file:// submodules.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ctxpack/support/filesystem.h"

namespace ctxpack {

// How a builder builds a git URL context.
struct GitContextRules {
  // The classic CLI clones and builds the checkout as a directory: its
  // ignore file applies, and .git is sent unless that file excludes it.
  // BuildKit clones in the daemon: no ignore file, no .git.
  bool client_clones = false;
  // Debian's 20.10 BuildKit fails on #REF:SUBDIR ("subdir not supported yet").
  bool supports_subdir = true;
  // Buildah (define.TempDirForURL): without #REF it fetches the remote's
  // HEAD, not master; it checks out REF itself (FETCH_HEAD only for HEAD),
  // where gitutils falls back to FETCH_HEAD, so a tag fails; it initializes
  // no submodules; and it clones only git:// and http(s) URLs ending in
  // .git (git@host:repo is a local path to it, github.com/x a tarball
  // download).
  bool head_by_default = false;
  bool fetch_head_fallback = true;
  bool submodules = true;
  bool scp_and_github_urls = true;
};

// docker's urlutil.IsGitURL: git://, git@, github.com/ prefixes, or an
// http(s) URL whose path ends in .git (with an optional #fragment). A
// local directory of that name wins (the CLI checks for one first).
bool is_git_url(std::string_view context);

// gitutils' parseRemoteURL: the fragment is REF[:SUBDIR], REF "master" by
// default; a transport-less URL (github.com/x) gets https://.
struct GitRemote {
  std::string remote;
  std::string ref = "master";
  std::string subdir;
};
// Throws Error for a REF starting with '-' (gitutils refuses it too).
GitRemote parse_git_url(std::string_view url);

// A checkout in a temporary directory, removed with the object.
class GitCheckout {
 public:
  // Clones as `rules` say; throws Error with git's message when any step
  // fails.
  explicit GitCheckout(std::string url, const GitContextRules& rules = {});
  // A clean checkout of commit REF of the repository holding the directory
  // `dir`, as CI's clone would have it (no submodules, nothing untracked);
  // context_dir() is `dir`'s place in it. The repository is not written to
  // (git clone --shared). Throws Error when `dir` is in no repository or
  // REF names no commit.
  static std::unique_ptr<GitCheckout> of_commit(const std::string& dir, const std::string& ref);
  ~GitCheckout();
  GitCheckout(const GitCheckout&) = delete;
  GitCheckout& operator=(const GitCheckout&) = delete;

  // The URL; for of_commit, the REF as given.
  const std::string& url() const { return url_; }
  const GitRemote& remote() const { return remote_; }
  // Made by of_commit: a directory context to compare with, not a git URL
  // a builder clones, so no builder's git-context rules apply to it.
  bool local() const { return local_; }
  // The clone's root (holding .git), and the context: the root or SUBDIR.
  const std::string& root() const { return root_; }
  std::string context_dir() const;

 private:
  GitCheckout() = default;
  void make_root();

  std::string url_;
  GitRemote remote_;
  std::string root_;
  bool local_ = false;
};

// `fs` without the .git at its root: BuildKit's clone keeps none.
std::unique_ptr<FileSystem> without_git_dir(std::unique_ptr<FileSystem> fs);

}  // namespace ctxpack
