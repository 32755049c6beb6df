#include "ctxpack/report/finding.h"

#include "ctxpack/support/error.h"

namespace ctxpack {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "info";
}

Severity parse_severity(std::string_view name) {
  if (name == "info") return Severity::kInfo;
  if (name == "warning") return Severity::kWarning;
  if (name == "error") return Severity::kError;
  throw Error("unknown severity \"" + std::string(name) + "\" (info, warning or error)");
}

const std::vector<FindingCode>& finding_codes() {
  static const std::vector<FindingCode> codes = {
      {"secret-file", Severity::kError,
       "a secret-prone file is sent: error with evidence (a key block, a token, a value for a secret-looking key) in "
       "an untracked file the build moves; warning with evidence in a committed file, or a secret-prone name "
       "without evidence; info for templates, test fixtures, files an exception re-includes, committed files "
       "without evidence, and what BuildKit does not transfer"},
      {"git-dir", Severity::kWarning,
       "a .git directory is sent (info when an exception sends it, a RUN after the COPY that brings it could read "
       "it, or BuildKit does not transfer it)"},
      {"symlink-dangling", Severity::kInfo, "a sent symlink points to nothing, or loops"},
      {"symlink-outside", Severity::kInfo,
       "a sent symlink points outside the context (absolute, or up through ..): the image gets the link, not the "
       "file"},
      {"unreadable", Severity::kError,
       "an entry the build needs cannot be read (the build fails); for the legacy builder also an excluded "
       "directory its pre-flight check cannot list"},
      {"special-file", Severity::kWarning, "a FIFO or device node is sent (info: a socket, which Docker leaves out)"},
      {"inline-comment", Severity::kWarning,
       "a '#' after a pattern, or an indented '#': only a '#' in column 1 starts a comment"},
      {"trailing-slash", Severity::kInfo,
       "a trailing '/' does not limit a rule to directories (warning when the rule matches a file)"},
      {"root-only-pattern", Severity::kWarning,
       "a bare name matches only at the context root while nested ones are sent; shown only when the **/ rewrite "
       "was tried and holds; warning when it keeps out untracked files the build moves that are waste by name or "
       "weigh 1MB, info otherwise"},
      {"unused-rule", Severity::kInfo, "a rule matches nothing in the context (often what it ignores is not there yet)"},
      {"invalid-pattern", Severity::kWarning,
       "a malformed pattern the walk never evaluated (Docker fails the build once it does)"},
      {"overridden-rule", Severity::kWarning, "every path a rule matches is decided by a later rule"},
      {"redundant-rule", Severity::kInfo,
       "everything a rule matches is already decided by an earlier rule, or an exception re-includes nothing"},
      {"legacy-unreachable-exception", Severity::kWarning,
       "an exception the legacy builder cannot honour: what it re-includes lies in directories the classic walk "
       "never enters"},
      {"buildah-unreachable-exception", Severity::kWarning,
       "an exception Buildah cannot honour: what it re-includes lies in directories Buildah's walk never enters"},
      {"builder-disagreement", Severity::kWarning,
       "a path one builder sends and another does not (info when only directories differ)"},
      {"ignore-file-differs", Severity::kInfo, "the builders read different ignore files"},
      {"dockerfile-missing", Severity::kError, "there is no Dockerfile where the build looks for it"},
  };
  return codes;
}

std::string display_path(std::string_view path, bool is_dir) {
  std::string out(path);
  if (is_dir) out += '/';
  return out;
}

}  // namespace ctxpack
