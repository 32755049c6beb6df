// Which files hold secrets people rarely mean to send to a daemon or copy
// into an image. One classifier for report and copy.
//
// An error needs evidence in the content: a private-key block, a known
// token format, a value (not a placeholder) assigned to a secret-looking
// key or a password in a URL, in a file git does not track (a committed
// one is a warning: it is out already). Without evidence, a file whose name alone
// says it holds secrets (.env, a key store, .htpasswd, Terraform state) is
// a warning when git does not track it (the classic leak: a local file
// swept into the build) and an info when git does (configuration committed
// on purpose). Templates (.example, .sample...), test fixtures (under
// test/, tests/, testdata/, fixtures/, __tests__/) and files an exception
// re-includes on purpose are infos at most.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/report/finding.h"
#include "ctxpack/support/filesystem.h"

namespace ctxpack {

// What a secret-prone file is, and how sure ctxpack is.
struct SecretVerdict {
  Severity severity = Severity::kWarning;
  std::string what;      // "environment file (.env)", "private key"...
  std::string evidence;  // "a value assigned to SECRET_KEY"; "" without evidence
  std::string why;       // what decided the severity: "not tracked by git", "a test fixture"...
};

// "environment file holding a password in a URL", "private key".
std::string describe(const SecretVerdict& v);

// Whether a file's name alone makes it worth a look (the walk collects only these).
bool secret_prone_name(std::string_view path);

// The evidence in `content` that a file holds a secret; "" for none.
std::string secret_evidence(std::string_view content);

class SecretScanner {
 public:
  // `dir` is the context directory, asked of git once at the end.
  SecretScanner(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // A sent regular file in directory `parent` of the context; `reincluded`
  // is the exception that keeps it, if one does.
  void consider(std::string_view path, FileSystem::Dir parent, const std::string& name, const Rule* reincluded);
  // The same by its path in the context.
  void consider(const std::string& path, const Rule* reincluded);

  struct Result {
    std::string path;
    SecretVerdict verdict;
    std::optional<Rule> rule;  // the exception that re-included it
  };
  // Every secret found, in the order considered.
  std::vector<Result> finish();

 private:
  struct Candidate {
    std::string path;
    int kind;
    std::string evidence;
    std::optional<Rule> rule;
  };
  std::string read_head(FileSystem::Dir parent, const std::string& name);

  FileSystem& fs_;
  std::string dir_;
  std::vector<Candidate> candidates_;
};

}  // namespace ctxpack
