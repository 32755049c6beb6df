#include "ctxpack/context/git_context.h"

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <system_error>
#include <vector>

#include "ctxpack/support/error.h"
#include "ctxpack/support/git.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

std::string scheme(std::string_view url) {
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return "";
  std::string s(url.substr(0, colon));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool has_prefix(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (s.starts_with(p)) return true;
  }
  return false;
}

// gitutils' isGitTransport.
bool is_git_transport(std::string_view url) {
  if (url.starts_with("git@")) return true;
  const std::string s = scheme(url);
  return s == "git" || s == "http" || s == "https" || s == "ssh";
}

void split_fragment(std::string_view fragment, GitRemote* out) {
  const size_t colon = fragment.find(':');
  const std::string_view ref = fragment.substr(0, colon);
  if (!ref.empty()) out->ref = ref;
  if (colon != std::string_view::npos && colon + 1 < fragment.size()) out->subdir = fragment.substr(colon + 1);
}

// What gitutils runs each git command with: no file:// submodules, no
// system or user configuration (HOME=/dev/null); and here no hooks either.
int git(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv{"-c", "protocol.file.allow=never", "-c", "core.hooksPath=/dev/null"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_git(argv, out, GitRun{true, {"GIT_PROTOCOL_FROM_USER=0", "HOME=/dev/null"}});
}

void must(const std::vector<std::string>& args, const std::string& what) {
  std::string out;
  if (git(args, &out) != 0) throw Error(what + ": " + (out.empty() ? "git failed" : out.substr(0, out.find_last_not_of('\n') + 1)));
}

}  // namespace

bool is_git_url(std::string_view context) {
  const std::string s = scheme(context);
  if (s == "http" || s == "https") {
    // Go's ".git(?:#.+)?$": any character, then "git", at the end or
    // before a non-empty fragment.
    static const std::regex with_fragment(".git(#.+)?$");
    if (std::regex_search(std::string(context), with_fragment)) return true;
  }
  return has_prefix(context, {"git://", "github.com/", "git@"});
}

GitRemote parse_git_url(std::string_view url) {
  std::string u(url);
  if (!is_git_transport(u)) u = "https://" + u;
  GitRemote r;
  const size_t hash = u.find('#');
  r.remote = u.substr(0, hash);
  if (hash != std::string::npos) split_fragment(std::string_view(u).substr(hash + 1), &r);
  if (r.ref.starts_with("-")) throw Error("invalid refspec: " + r.ref);
  return r;
}

void GitCheckout::make_root() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/ctxpack-git-XXXXXX";
  if (!::mkdtemp(templ.data())) throw_errno("cannot create a temporary directory", templ, errno);
  char real[PATH_MAX];
  root_ = ::realpath(templ.c_str(), real) ? real : templ;
}

std::unique_ptr<GitCheckout> GitCheckout::of_commit(const std::string& dir, const std::string& ref) {
  // One line each: the top, then the prefix (an empty line at the top).
  std::string where, commit;
  if (run_git({"-C", dir, "rev-parse", "--show-toplevel", "--show-prefix"}, &where) != 0) {
    throw Error("--git " + ref + ": " + dir + " is not in a git work tree");
  }
  const size_t eol = where.find('\n');
  const std::string top = where.substr(0, eol);
  std::string prefix = eol == std::string::npos ? std::string() : where.substr(eol + 1);
  if (ref.starts_with("-") || run_git({"-C", dir, "rev-parse", "--verify", "-q", ref + "^{commit}"}, &commit) != 0) {
    throw Error("--git " + ref + ": no such commit in " + top);
  }
  auto trim = [](std::string& s) { s.erase(s.find_last_not_of('\n') + 1); };
  trim(prefix);
  trim(commit);
  if (prefix.ends_with('/')) prefix.pop_back();
  std::unique_ptr<GitCheckout> c(new GitCheckout);
  c->url_ = ref;
  c->local_ = true;
  c->remote_.ref = commit;
  c->remote_.subdir = prefix;
  c->make_root();
  try {
    const std::string what = "--git " + ref + ": cannot check it out";
    // The user's own repository: its local clone is allowed (this later -c
    // wins), hooks stay off.
    must({"-c", "protocol.file.allow=always", "clone", "-q", "--shared", "--no-checkout", "--", top, c->root_}, what);
    must({"-C", c->root_, "checkout", "-q", "--detach", commit}, what);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(c->root_, ec);
    throw;
  }
  return c;
}

GitCheckout::GitCheckout(std::string url, const GitContextRules& rules)
    : url_(std::move(url)), remote_(parse_git_url(url_)) {
  if (!rules.scp_and_github_urls && has_prefix(url_, {"git@", "github.com/"})) {
    throw Error(url_ + ": Buildah clones only git:// and http(s):// URLs ending in .git (it reads git@host:repo as "
                "a local path and downloads github.com/x as a tarball)");
  }
  const size_t hash = url_.find('#');
  if (rules.head_by_default && (hash == std::string::npos || hash + 1 == url_.size() || url_[hash + 1] == ':')) {
    remote_.ref = "HEAD";
  }
  make_root();
  try {
    const std::string clone = "cannot clone " + url_;
    must({"-C", root_, "init", "-q"}, clone);
    must({"-C", root_, "remote", "add", "origin", remote_.remote}, clone);
    std::string out;
    // A dumb HTTP server has no shallow fetch; gitutils asks it first, here
    // the fetch is retried whole.
    if (git({"-C", root_, "fetch", "--depth", "1", "origin", "--", remote_.ref}, &out) != 0) {
      const std::string s = scheme(remote_.remote);
      if (s != "http" && s != "https") throw Error(clone + ": error fetching: " + out);
      must({"-C", root_, "fetch", "origin", "--", remote_.ref}, clone + ": error fetching");
    }
    out.clear();
    const std::string target = remote_.ref == "HEAD" && !rules.fetch_head_fallback ? "FETCH_HEAD" : remote_.ref;
    if (git({"-C", root_, "checkout", "-q", target}, &out) != 0) {
      if (!rules.fetch_head_fallback) throw Error(clone + ": error checking out " + remote_.ref + ": " + out);
      must({"-C", root_, "checkout", "-q", "FETCH_HEAD"}, clone + ": error checking out " + remote_.ref);
    }
    if (rules.submodules) {
      must({"-C", root_, "submodule", "update", "--init", "--recursive", "--depth=1"},
           clone + ": error initializing submodules");
    }
    const std::string dir = context_dir();
    char resolved[PATH_MAX];
    if (!::realpath(dir.c_str(), resolved) || !is_at_or_below(resolved, root_)) {
      throw Error("error setting git context, \"" + remote_.subdir + "\" not within git root");
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(resolved, ec)) {
      throw Error("error setting git context, not a directory: " + remote_.subdir);
    }
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    throw;
  }
}

GitCheckout::~GitCheckout() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

namespace {

class WithoutGitDir : public FileSystem {
 public:
  explicit WithoutGitDir(std::unique_ptr<FileSystem> fs) : fs_(std::move(fs)) {}
  Dir root() const override { return fs_->root(); }
  int open_dir(Dir parent, const std::string& name, Dir* out) override {
    return hidden(parent, name) ? ENOENT : fs_->open_dir(parent, name, out);
  }
  void close_dir(Dir dir) override { fs_->close_dir(dir); }
  int read_dir(Dir dir, bool stat, std::vector<DirEntry>* out) override {
    const int err = fs_->read_dir(dir, stat, out);
    if (err == 0 && dir == fs_->root()) std::erase_if(*out, [](const DirEntry& e) { return e.name == ".git"; });
    return err;
  }
  int stat(Dir parent, const std::string& name, FileInfo* out) override {
    return hidden(parent, name) ? ENOENT : fs_->stat(parent, name, out);
  }
  int read_link(Dir parent, const std::string& name, std::string* target) override {
    return hidden(parent, name) ? ENOENT : fs_->read_link(parent, name, target);
  }
  int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) override {
    return hidden(parent, name) ? ENOENT : fs_->open_file(parent, name, out);
  }
  int check_readable(Dir parent, const std::string& name, bool search) override {
    return hidden(parent, name) ? ENOENT : fs_->check_readable(parent, name, search);
  }
  int get_xattr(Dir parent, const std::string& name, const char* attr, std::string* value) override {
    return hidden(parent, name) ? ENOENT : fs_->get_xattr(parent, name, attr, value);
  }

 private:
  bool hidden(Dir parent, const std::string& name) const { return parent == fs_->root() && name == ".git"; }
  std::unique_ptr<FileSystem> fs_;
};

}  // namespace

std::unique_ptr<FileSystem> without_git_dir(std::unique_ptr<FileSystem> fs) {
  return std::make_unique<WithoutGitDir>(std::move(fs));
}

std::string GitCheckout::context_dir() const {
  return remote_.subdir.empty() ? root_ : join_path(root_, clean_path(remote_.subdir));
}

}  // namespace ctxpack
