#include "ctxpack/report/secrets.h"

#include <cctype>

#include "ctxpack/support/git.h"
#include "ctxpack/support/path.h"
#include "ctxpack/support/text.h"

namespace ctxpack {

namespace {

// What a name says a file is. `by_name`: it holds secrets by its nature,
// evidence or not; otherwise only its content can tell (a .pem may be a
// certificate, an .npmrc only settings).
struct Kind {
  const char* what;
  bool by_name;
};

enum KindId {
  kEnv, kSshKey, kPutty, kKeyFile, kKeyStore, kAws, kGcloud, kAzure, kCredJson, kKubeconfig,
  kNpmrc, kPypirc, kNetrc, kGitCredentials, kDockerConfig, kHtpasswd, kTfstate, kTfvars, kNone
};

constexpr Kind kKinds[] = {
    {"environment file", true},
    {"SSH private key", true},
    {"PuTTY private key", true},
    {"private key", false},
    {"key store", true},
    {"AWS credentials", true},
    {"Google Cloud credentials", true},
    {"Azure credentials", true},
    {"credentials file", false},
    {"kubeconfig", true},
    {"npm registry settings (.npmrc)", false},
    {"PyPI settings (.pypirc)", false},
    {"netrc credentials", true},
    {"git credentials", true},
    {"Docker registry settings", false},
    {"password hashes (.htpasswd)", true},
    {"Terraform state (holds secrets in plain text)", true},
    {"Terraform variables", false},
};

// A path whose last components are `tail` ("a/.aws/credentials" ends in ".aws/credentials").
bool path_ends_in(std::string_view path, std::string_view tail) {
  return path == tail || (path.ends_with(tail) && path[path.size() - tail.size() - 1] == '/');
}

KindId kind_of(std::string_view path) {
  const std::string_view name = base_name(path);
  const std::string lname = ascii_lower(name);
  if (name == ".env" || name.starts_with(".env.") || lname.ends_with(".env")) return kEnv;
  for (const char* key : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}) {
    if (name == key) return kSshKey;
  }
  if (lname.ends_with(".ppk")) return kPutty;
  if (lname.ends_with(".pem") || lname.ends_with(".key")) return kKeyFile;
  for (const char* ext : {".p12", ".pfx", ".jks", ".keystore"}) {
    if (lname.ends_with(ext)) return kKeyStore;
  }
  if (path_ends_in(path, ".aws/credentials")) return kAws;
  if (name == "application_default_credentials.json" || path_ends_in(path, ".config/gcloud/credentials.db") ||
      path_ends_in(path, ".config/gcloud/access_tokens.db")) {
    return kGcloud;
  }
  if (path_ends_in(path, ".azure/accessTokens.json") || path_ends_in(path, ".azure/msal_token_cache.json")) {
    return kAzure;
  }
  if (lname.ends_with(".json") && (lname.find("credential") != std::string::npos ||
                                   lname.find("service-account") != std::string::npos ||
                                   lname.find("service_account") != std::string::npos ||
                                   lname.find("serviceaccount") != std::string::npos)) {
    return kCredJson;
  }
  if (name == "kubeconfig" || lname.ends_with(".kubeconfig") || path_ends_in(path, ".kube/config")) {
    return kKubeconfig;
  }
  if (name == ".npmrc") return kNpmrc;
  if (name == ".pypirc") return kPypirc;
  if (name == ".netrc" || name == "_netrc") return kNetrc;
  if (name == ".git-credentials") return kGitCredentials;
  if (path_ends_in(path, ".docker/config.json")) return kDockerConfig;
  if (name == ".htpasswd") return kHtpasswd;
  if (lname.ends_with(".tfstate") || lname.ends_with(".tfstate.backup")) return kTfstate;
  if (lname.ends_with(".tfvars")) return kTfvars;
  return kNone;
}

// Example and template files people commit on purpose.
bool is_template(std::string_view path) {
  const std::string lname = ascii_lower(base_name(path));
  for (const char* t : {".example", ".sample", ".template", ".tmpl", ".dist", ".defaults", ".default", ".schema"}) {
    if (lname.ends_with(t) || lname.find(std::string(t) + ".") != std::string::npos) return true;
  }
  return false;
}

// Under a directory of tests: test/, tests/, testdata/, fixtures/,
// __tests__/, e2e/, integration/, and names like upgrade-tests or test_data.
bool is_test_fixture(std::string_view path) {
  for (const std::string& dir : path_components(parent_path(path))) {
    const std::string c = ascii_lower(dir);
    for (const char* t : {"test", "tests", "testdata", "test_data", "fixtures", "fixture", "__tests__",
                          "__fixtures__", "e2e", "integration", "testing"}) {
      if (c == t) return true;
    }
    for (const char* affix : {"-test", "_test", "-tests", "_tests"}) {
      if (c.ends_with(affix)) return true;
    }
    if (c.starts_with("test-") || c.starts_with("test_")) return true;
  }
  return false;
}

// A value that is not a secret: empty or short, a reference to one
// (${VAR}, <...>, a path), a number or boolean, or an obvious stand-in.
bool placeholder(std::string_view v) {
  while (!v.empty() && (v.front() == '"' || v.front() == '\'' || v.front() == ' ')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '"' || v.back() == '\'' || v.back() == ',' || v.back() == ' ')) v.remove_suffix(1);
  if (v.size() < 6) return true;
  if (v.starts_with("$") || v.starts_with("<") || v.starts_with("{{") || v.starts_with("%(") || v.starts_with("/") ||
      v.starts_with("./")) {
    return true;
  }
  if (v.find_first_not_of(v.front()) == std::string_view::npos) return true;
  if (v.find_first_not_of("0123456789.") == std::string_view::npos) return true;
  const std::string l = ascii_lower(v);
  for (const char* stand_in : {"example", "changeme", "change_me", "change-me", "changeit", "placeholder", "your",
                               "xxx", "dummy", "todo", "replace", "redacted", "password", "secret", "fake", "sample",
                               "insecure", "notasecret", "localhost", "disabled", "enabled", "default",
                               "undefined", "unset"}) {
    if (l.find(stand_in) != std::string::npos) return true;
  }
  return false;
}

bool secret_key(std::string_view key) {
  const std::string k = ascii_lower(key);
  for (const char* word : {"password", "passwd", "secret", "token", "api_key", "apikey", "private_key", "access_key",
                           "auth", "credential", "key-data", "client_key"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

// Known token formats: a prefix, then at least `min` characters of a set.
std::string token_in(std::string_view c) {
  struct Format {
    const char* prefix;
    size_t min;
    const char* what;
  };
  static const Format kFormats[] = {
      {"AKIA", 16, "an AWS access key"},      {"ghp_", 36, "a GitHub token"},     {"gho_", 36, "a GitHub token"},
      {"ghs_", 36, "a GitHub token"},         {"github_pat_", 22, "a GitHub token"}, {"glpat-", 20, "a GitLab token"},
      {"xoxb-", 10, "a Slack token"},         {"xoxp-", 10, "a Slack token"},     {"sk_live_", 20, "a Stripe key"},
      {"AIza", 35, "a Google API key"},       {"npm_", 36, "an npm token"},
  };
  for (const Format& f : kFormats) {
    for (size_t at = c.find(f.prefix); at != std::string_view::npos; at = c.find(f.prefix, at + 1)) {
      size_t n = 0, i = at + std::string_view(f.prefix).size();
      while (i + n < c.size() && (std::isalnum(static_cast<unsigned char>(c[i + n])) || c[i + n] == '_' ||
                                  c[i + n] == '-')) {
        ++n;
      }
      if (n >= f.min) return f.what;
    }
  }
  return "";
}

std::string_view unquoted_key(std::string_view key) {
  while (!key.empty() && (key.back() == ' ' || key.back() == '"' || key.back() == '\'')) key.remove_suffix(1);
  while (!key.empty() && (key.front() == ' ' || key.front() == '"' || key.front() == '\'' || key.front() == '\t' ||
                          key.front() == '-')) {
    key.remove_prefix(1);
  }
  if (key.starts_with("export ")) key.remove_prefix(7);
  return key;
}

// "key": "value" pairs anywhere in a line (JSON).
std::string json_pair_in(std::string_view line) {
  for (size_t colon = line.find("\":"); colon != std::string_view::npos; colon = line.find("\":", colon + 1)) {
    size_t open = line.rfind('"', colon - 1);
    if (open == std::string_view::npos) continue;
    std::string_view key = line.substr(open + 1, colon - open - 1);
    std::string_view rest = line.substr(colon + 2);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (!rest.starts_with("\"")) continue;
    size_t close = rest.find('"', 1);
    std::string_view value = rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    if (secret_key(key) && !placeholder(value)) return "a value assigned to " + std::string(key);
  }
  return "";
}

// KEY=VALUE (.env, .npmrc, .pypirc), KEY: VALUE (YAML), "key": "value"
// (JSON) and user:password@ in URLs.
std::string assignment_in(std::string_view line) {
  if (size_t at = line.find("://"); at != std::string_view::npos) {
    std::string_view rest = line.substr(at + 3);
    size_t amp = rest.find('@'), colon = rest.find(':');
    if (amp != std::string_view::npos && colon < amp && rest.substr(0, amp).find('/') == std::string_view::npos &&
        !placeholder(rest.substr(colon + 1, amp - colon - 1))) {
      return "a password in a URL";
    }
  }
  if (std::string j = json_pair_in(line); !j.empty()) return j;
  // An .npmrc key holds a ':' ("//registry/:_authToken"): '=' separates first.
  size_t sep = line.find('=');
  if (sep == std::string_view::npos) sep = line.find(':');
  if (sep == std::string_view::npos || sep == 0 || line.find('"') < sep) return "";
  std::string_view key = unquoted_key(line.substr(0, sep));
  if (key.empty() || !secret_key(key) || placeholder(line.substr(sep + 1))) return "";
  return "a value assigned to " + std::string(key);
}

}  // namespace

bool secret_prone_name(std::string_view path) { return kind_of(path) != kNone; }

std::string describe(const SecretVerdict& v) {
  // "private key holding a private key" would say it twice.
  if (v.evidence.empty() || v.what.find(v.evidence.substr(v.evidence.find(' ') + 1)) != std::string::npos) {
    return v.what;
  }
  return v.what + " holding " + v.evidence;
}

std::string secret_evidence(std::string_view content) {
  if (content.find("-----BEGIN") != std::string_view::npos &&
      (content.find("PRIVATE KEY-----") != std::string_view::npos ||
       content.find("PRIVATE KEY BLOCK-----") != std::string_view::npos)) {
    return "a private key";
  }
  if (content.starts_with("PuTTY-User-Key-File")) return "a private key";
  if (std::string t = token_in(content); !t.empty()) return t;
  for (size_t i = 0; i < content.size();) {
    size_t nl = content.find('\n', i);
    std::string_view line = content.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    i = nl == std::string_view::npos ? content.size() : nl + 1;
    if (line.starts_with("#")) continue;
    if (std::string a = assignment_in(line); !a.empty()) return a;
  }
  return "";
}

std::string SecretScanner::read_head(FileSystem::Dir parent, const std::string& name) {
  std::unique_ptr<InputFile> in;
  if (fs_.open_file(parent, name, &in) != 0) return {};
  std::string head(64 * 1024, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t n = in->read(head.data() + got, head.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  head.resize(got);
  return head;
}

void SecretScanner::consider(std::string_view path, FileSystem::Dir parent, const std::string& name,
                             const Rule* reincluded) {
  const KindId kind = kind_of(path);
  if (kind == kNone) return;
  std::string evidence = secret_evidence(read_head(parent, name));
  if (evidence.empty() && (!kKinds[kind].by_name || is_template(path))) return;
  std::optional<Rule> rule;
  if (reincluded) rule = *reincluded;
  candidates_.push_back(Candidate{std::string(path), kind, std::move(evidence), std::move(rule)});
}

void SecretScanner::consider(const std::string& path, const Rule* reincluded) {
  if (kind_of(path) == kNone) return;
  std::vector<std::string> parts = path_components(path);
  FileSystem::Dir dir = fs_.root();
  std::vector<DirHandle> open;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    FileSystem::Dir next;
    if (fs_.open_dir(dir, parts[i], &next) != 0) return;
    open.emplace_back(fs_, next);
    dir = next;
  }
  consider(path, dir, parts.back(), reincluded);
}

std::vector<SecretScanner::Result> SecretScanner::finish() {
  std::vector<std::string> paths;
  for (const Candidate& c : candidates_) paths.push_back(c.path);
  const std::optional<std::set<std::string>> tracked = paths.empty() ? std::nullopt : git_tracked(dir_, paths);
  std::vector<Result> out;
  for (Candidate& c : candidates_) {
    SecretVerdict v;
    v.what = kKinds[c.kind].what;
    v.evidence = c.evidence;
    const bool is_tracked = tracked && tracked->count(c.path);
    if (is_template(c.path)) {
      v.severity = Severity::kInfo;
      v.why = "a template";
    } else if (is_test_fixture(c.path)) {
      v.severity = Severity::kInfo;
      v.why = "a test fixture";
    } else if (c.rule) {
      v.severity = Severity::kInfo;
      v.why = "re-included on purpose";
    } else if (!c.evidence.empty() && is_tracked) {
      // Committed already: a warning to keep it out of what is built.
      v.severity = Severity::kWarning;
      v.why = "committed to git";
    } else if (!c.evidence.empty()) {
      v.severity = Severity::kError;
      v.why = tracked ? "not tracked by git" : "";
    } else if (is_tracked) {
      v.severity = Severity::kInfo;
      v.why = "tracked by git: committed on purpose";
    } else {
      v.severity = Severity::kWarning;
      v.why = tracked ? "not tracked by git: a local file swept in" : "";
    }
    out.push_back(Result{std::move(c.path), std::move(v), std::move(c.rule)});
  }
  candidates_.clear();
  return out;
}

}  // namespace ctxpack
