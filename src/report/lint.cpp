#include "ctxpack/report/lint.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "ctxpack/support/error.h"
#include "ctxpack/output/output.h"
#include "ctxpack/support/path.h"
#include "ctxpack/support/utf8.h"

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
       "a secret-prone file is sent (.env, private key, cloud or registry credentials, kubeconfig, token-bearing "
       ".npmrc/.pypirc, Terraform state...); warning for the less certain ones"},
      {"git-dir", Severity::kWarning, "a .git directory is sent"},
      {"symlink-dangling", Severity::kWarning, "a sent symlink points to nothing, or loops"},
      {"symlink-outside", Severity::kWarning, "a sent symlink points outside the context (absolute, or up through ..)"},
      {"unreadable", Severity::kError,
       "an entry the build needs cannot be read (the build fails); for the legacy builder also an excluded "
       "directory its pre-flight check cannot list"},
      {"special-file", Severity::kWarning, "a FIFO or device node is sent (info: a socket, which Docker leaves out)"},
      {"inline-comment", Severity::kWarning,
       "a '#' after a pattern, or an indented '#': only a '#' in column 1 starts a comment"},
      {"trailing-slash", Severity::kInfo,
       "a trailing '/' does not limit a rule to directories (warning when the rule matches a file)"},
      {"root-only-pattern", Severity::kWarning,
       "a bare name such as node_modules or *.pyc matches only at the context root, while nested ones are sent"},
      {"unused-rule", Severity::kWarning, "a rule matches nothing in the context"},
      {"invalid-pattern", Severity::kWarning,
       "a malformed pattern the walk never evaluated (Docker fails the build once it does)"},
      {"overridden-rule", Severity::kWarning, "every path a rule matches is decided by a later rule"},
      {"redundant-rule", Severity::kInfo,
       "everything a rule matches is already decided by an earlier rule, or an exception re-includes nothing"},
      {"legacy-unreachable-exception", Severity::kWarning,
       "an exception the legacy builder cannot honour: what it re-includes lies in directories the classic walk "
       "never enters"},
      {"builder-disagreement", Severity::kWarning,
       "a path BuildKit sends and the legacy builder does not, or the reverse (info when only directories differ)"},
      {"ignore-file-differs", Severity::kInfo, "BuildKit and the legacy builder read different ignore files"},
      {"dockerfile-missing", Severity::kError, "there is no Dockerfile where the build looks for it"},
  };
  return codes;
}

namespace {

bool is_dir_entry(const WalkEntry& e) { return e.entry->info.type == FileType::kDirectory; }

std::string display_path(std::string_view path, bool is_dir) {
  std::string out(path);
  if (is_dir) out += '/';
  return out;
}

Finding rule_finding(Severity sev, const char* code, const Rule& rule, std::string message, std::string path = {}) {
  Finding f;
  f.severity = sev;
  f.code = code;
  f.message = std::move(message);
  f.path = std::move(path);
  f.rule = rule_reference(rule);
  f.file = rule.file;
  f.line = rule.line;
  f.about_rule = true;
  return f;
}

// Pattern index -> rule index. The matcher skips blank patterns, so the two
// numberings can differ; rules keep their order.
std::vector<size_t> map_patterns_to_rules(const Matcher& matcher, const std::vector<Rule>& rules) {
  std::vector<size_t> out;
  size_t r = 0;
  for (size_t i = 0; i < matcher.size(); ++i) {
    const Rule& want = matcher.rule(i);
    while (r < rules.size() &&
           !(rules[r].line == want.line && rules[r].file == want.file && rules[r].pattern == want.pattern)) {
      ++r;
    }
    out.push_back(r < rules.size() ? r : 0);
    if (r < rules.size()) ++r;
  }
  return out;
}

bool is_cli_rule(const Rule& r) { return r.file == kCliRuleSource; }

// A bare name written the gitignore way: one component, not starting with
// "**", and with something literal in it (a lone "*" is meant for the root).
bool is_bare_name(std::string_view p) {
  if (p.find('/') != std::string_view::npos || p.substr(0, 2) == "**") return false;
  if (p == "." || p == "..") return false;
  return p.find_first_not_of("*?") != std::string_view::npos;
}

// Where `#` is really meant as a comment but Docker reads a pattern.
enum class CommentHabit { kNone, kInline, kIndented };
CommentHabit comment_habit(std::string_view text) {
  std::string_view t = trim_space(text);
  if (t.empty()) return CommentHabit::kNone;
  if (t[0] == '#') return CommentHabit::kIndented;  // column 1 would have made it a comment
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i] == '#' && (t[i - 1] == ' ' || t[i - 1] == '\t')) return CommentHabit::kInline;
  }
  return CommentHabit::kNone;
}

bool has_trailing_slash(const Rule& r) {
  std::string_view t = trim_space(r.text);
  return t.size() > 1 && t.back() == '/' && t.find_first_not_of("/!") != std::string_view::npos;
}

}  // namespace

// --- RuleLint ----------------------------------------------------------------

RuleLint::RuleLint(const Matcher& matcher, const IgnoreFile& ignore) : matcher_(matcher) {
  for (const Rule& r : ignore.rules) rules_.push_back(&r);
  rule_of_ = map_patterns_to_rules(matcher, ignore.rules);
  pattern_of_rule_.assign(ignore.rules.size(), -1);
  state_.resize(matcher.size());
  for (size_t i = 0; i < matcher.size(); ++i) {
    pattern_of_rule_[rule_of_[i]] = static_cast<int>(i);
    const Rule& rule = *rules_[rule_of_[i]];
    if (is_cli_rule(rule)) continue;
    searching_.push_back(i);
    if (has_trailing_slash(rule)) file_hunt_.push_back(i);
    if (!matcher.is_exception(i) && is_bare_name(matcher.pattern(i).text())) root_only_.push_back(i);
  }
}

void RuleLint::observe(const WalkEntry& e) {
  const bool is_dir = is_dir_entry(e);
  const int decider = e.verdict.rule >= 0 ? pattern_of_rule_[e.verdict.rule] : -1;
  if (decider >= 0) state_[decider].decided = true;

  // Once a pattern has matched (or failed) it needs no more testing.
  for (size_t k = 0; k < searching_.size();) {
    State& s = state_[searching_[k]];
    int m = matcher_.pattern(searching_[k]).match(e.path);
    if (m == 0) {
      ++k;
      continue;
    }
    if (m < 0) s.invalid = true;
    if (m == 1) {
      s.matched = true;
      s.first_match = display_path(e.path, is_dir);
      s.first_match_decider = e.verdict.rule;
    }
    searching_[k] = searching_.back();
    searching_.pop_back();
  }
  if (!is_dir) {
    for (size_t k = 0; k < file_hunt_.size();) {
      State& s = state_[file_hunt_[k]];
      int m = matcher_.pattern(file_hunt_[k]).match(e.path);
      if (m == 0) {
        ++k;
        continue;
      }
      if (m == 1) {
        s.hit_non_dir = true;
        s.non_dir_example = std::string(e.path);
      }
      file_hunt_[k] = file_hunt_.back();
      file_hunt_.pop_back();
    }
  }

  if (!e.sent || e.path.find('/') == std::string_view::npos || root_only_.empty()) return;
  // A nested name a bare root-only rule was probably meant for, unless an
  // exception deliberately re-included it.
  if (decider >= 0 && matcher_.is_exception(decider)) return;
  std::string_view name = base_name(e.path);
  for (size_t i : root_only_) {
    if (matcher_.pattern(i).match(name) == 1) {
      State& s = state_[i];
      if (s.nested++ == 0) s.nested_example = display_path(e.path, is_dir);
    }
  }
}

std::vector<Finding> RuleLint::finish() const {
  std::vector<Finding> out;
  for (size_t i = 0; i < state_.size(); ++i) {
    const Rule& rule = *rules_[rule_of_[i]];
    if (is_cli_rule(rule)) continue;
    const State& s = state_[i];
    const std::string& pat = matcher_.pattern(i).text();

    switch (comment_habit(rule.text)) {
      case CommentHabit::kInline:
        out.push_back(rule_finding(Severity::kWarning, "inline-comment", rule,
                                   "'#' starts a comment only in column 1: this whole line is the pattern \"" +
                                       rule.pattern + "\"; put the comment on a line of its own"));
        break;
      case CommentHabit::kIndented:
        out.push_back(rule_finding(Severity::kWarning, "inline-comment", rule,
                                   "an indented '#' is not a comment: this line is the pattern \"" + rule.pattern +
                                       "\"; start the comment in column 1"));
        break;
      case CommentHabit::kNone:
        break;
    }
    if (has_trailing_slash(rule)) {
      if (s.hit_non_dir) {
        out.push_back(
            rule_finding(Severity::kWarning, "trailing-slash", rule,
                         "the trailing '/' does not limit the rule to directories: it also matches the file " +
                             quote_path(s.non_dir_example),
                         s.non_dir_example));
      } else {
        out.push_back(rule_finding(Severity::kInfo, "trailing-slash", rule,
                                   "the trailing '/' is dropped: Docker matches files and directories alike"));
      }
    }
    if (s.nested > 0) {
      out.push_back(rule_finding(Severity::kWarning, "root-only-pattern", rule,
                                 "\"" + pat + "\" matches only at the context root, but " + std::to_string(s.nested) +
                                     " nested path" + (s.nested == 1 ? "" : "s") + " such as " +
                                     quote_path(s.nested_example) + (s.nested == 1 ? " is" : " are") +
                                     " sent; write \"**/" + pat + "\" to match at any depth",
                                 s.nested_example));
    }
    if (!s.matched) {
      if (s.invalid) {
        out.push_back(rule_finding(Severity::kWarning, "invalid-pattern", rule,
                                   "malformed pattern: Docker fails the build (\"syntax error in pattern\") as soon as "
                                   "it has to evaluate it"));
      } else {
        out.push_back(rule_finding(Severity::kWarning, "unused-rule", rule, "matches nothing in the context"));
      }
      continue;
    }
    if (s.decided) continue;
    const int d = s.first_match_decider;
    const std::string example = " (e.g. " + quote_path(s.first_match) + ")";
    if (d < 0) {
      out.push_back(rule_finding(Severity::kInfo, "redundant-rule", rule,
                                 "re-includes nothing: nothing it matches is excluded" + example, s.first_match));
    } else if (static_cast<size_t>(d) > rule_of_[i]) {
      out.push_back(rule_finding(
          Severity::kWarning, "overridden-rule", rule,
          "has no effect: every path it matches is decided by the later rule " + rule_reference(*rules_[d]) + example,
          s.first_match));
    } else {
      out.push_back(rule_finding(Severity::kInfo, "redundant-rule", rule,
                                 "has no effect: what it matches is already decided by the earlier rule " +
                                     rule_reference(*rules_[d]) + example,
                                 s.first_match));
    }
  }
  return out;
}

// --- LegacyReachLint ---------------------------------------------------------

LegacyReachLint::LegacyReachLint(const Matcher& legacy_matcher, const IgnoreFile& legacy_ignore)
    : matcher_(legacy_matcher) {
  for (const Rule& r : legacy_ignore.rules) rules_.push_back(&r);
  hits_.resize(rules_.size());
  for (size_t i = 0; i < matcher_.size(); ++i) {
    if (matcher_.is_exception(i) && matcher_.pattern(i).text().find_first_of("*?[\\") != std::string::npos) {
      active_ = true;
    }
  }
}

void LegacyReachLint::observe(const WalkEntry& e) {
  if (!active_ || !e.pruned) return;
  // What the rules alone say about a path the walk never reached.
  Verdict v;
  try {
    v = matcher_.matches_or_parents(e.path);
  } catch (const PatternError&) {
    return;
  }
  if (v.excluded || v.rule < 0 || static_cast<size_t>(v.rule) >= hits_.size()) return;
  Hit& h = hits_[v.rule];
  if (h.count++ == 0) h.example = display_path(e.path, is_dir_entry(e));
}

std::vector<Finding> LegacyReachLint::finish() const {
  std::vector<Finding> out;
  for (size_t r = 0; r < hits_.size(); ++r) {
    const Hit& h = hits_[r];
    if (h.count == 0) continue;
    const Rule& rule = *rules_[r];
    out.push_back(
        rule_finding(Severity::kWarning, "legacy-unreachable-exception", rule,
                     "the legacy builder cannot honour this exception: it never enters the excluded " +
                         std::string(h.count == 1 ? "directory holding the path"
                                                  : "directories holding the " + std::to_string(h.count) + " paths") +
                         " it re-includes (e.g. " + quote_path(h.example) +
                         "), as it only enters those an exception's literal text starts with; BuildKit sends " +
                         (h.count == 1 ? "it" : "them"),
                     h.example));
  }
  return out;
}

// --- Builder disagreement ----------------------------------------------------

int compare_walk_order(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    // '/' sorts before every byte a name can hold.
    unsigned ca = a[i] == '/' ? 0u : static_cast<unsigned char>(a[i]);
    unsigned cb = b[i] == '/' ? 0u : static_cast<unsigned char>(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

namespace {
bool is_below(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path[dir.size()] == '/' && path.substr(0, dir.size()) == dir;
}
}  // namespace

SentPathRecorder::SentPathRecorder() : file_(std::tmpfile()) {
  if (!file_) throw_errno("cannot create", "a temporary file", errno);
}

SentPathRecorder::~SentPathRecorder() {
  if (file_) std::fclose(file_);
}

// One record per sent entry: "<rule> <d|f> <path>\0" (paths hold no NUL).
void SentPathRecorder::visit(const WalkEntry& e) {
  if (!e.sent) return;
  std::fprintf(file_, "%d %c ", e.verdict.rule, is_dir_entry(e) ? 'd' : 'f');
  std::fwrite(e.path.data(), 1, e.path.size(), file_);
  if (std::fputc('\0', file_) == EOF) throw_errno("cannot write", "a temporary file", errno);
}

FILE* SentPathRecorder::release() {
  if (std::fflush(file_) != 0) throw_errno("cannot write", "a temporary file", errno);
  std::rewind(file_);
  FILE* f = file_;
  file_ = nullptr;
  return f;
}

BuilderDiff::BuilderDiff(const BuildContext& main_ctx, const BuildContext& other_ctx, FILE* recorded)
    : main_(main_ctx), other_(other_ctx), file_(recorded) {
  next_other();
}

BuilderDiff::~BuilderDiff() {
  if (file_) std::fclose(file_);
  std::free(line_);
}

bool BuilderDiff::next_other() {
  ssize_t n = ::getdelim(&line_, &line_cap_, '\0', file_);
  if (n <= 0) return other_valid_ = false;
  // "<rule> <d|f> <path>"
  std::string_view rec(line_, static_cast<size_t>(n) - (line_[n - 1] == '\0' ? 1 : 0));
  size_t sp = rec.find(' ');
  other_rule_ = std::atoi(line_);
  other_is_dir_ = rec[sp + 1] == 'd';
  other_path_.assign(rec.substr(sp + 3));
  return other_valid_ = true;
}

void BuilderDiff::observe_sent(const WalkEntry& e) {
  while (other_valid_ && compare_walk_order(other_path_, e.path) < 0) {
    only_in(false, other_path_, other_is_dir_, other_rule_);
    next_other();
  }
  if (other_valid_ && other_path_ == e.path) {
    next_other();
    return;
  }
  only_in(true, e.path, is_dir_entry(e), e.verdict.rule);
}

void BuilderDiff::only_in(bool main_side, std::string_view path, bool is_dir, int rule) {
  if (group_open_ && group_main_ == main_side && is_below(path, group_path_)) {
    ++group_below_;
    group_has_files_ = group_has_files_ || !is_dir;
    return;
  }
  close_group();
  group_open_ = true;
  group_main_ = main_side;
  group_path_ = std::string(path);
  group_is_dir_ = is_dir;
  group_has_files_ = !is_dir;
  group_rule_ = rule;
  group_below_ = 0;
}

void BuilderDiff::close_group() {
  if (!group_open_) return;
  group_open_ = false;
  const BuildContext& sender = group_main_ ? main_ : other_;
  const BuildContext& skipper = group_main_ ? other_ : main_;
  const std::string sends = sender.builder == Builder::kBuildKit ? "BuildKit" : "the legacy builder";
  const std::string skips = skipper.builder == Builder::kBuildKit ? "BuildKit" : "the legacy builder";
  Finding f;
  f.code = "builder-disagreement";
  f.path = display_path(group_path_, group_is_dir_);
  f.severity = group_has_files_ ? Severity::kWarning : Severity::kInfo;
  f.message = std::string(sends == "BuildKit" ? "BuildKit" : "The legacy builder") + " sends " + quote_path(f.path);
  if (group_below_) {
    f.message += " and " + std::to_string(group_below_) + " path" + (group_below_ == 1 ? "" : "s") + " below it";
  }
  f.message += "; " + skips + " does not";
  if (group_is_dir_ && !group_has_files_ && sender.builder == Builder::kBuildKit) {
    f.message +=
        " (BuildKit sends an excluded directory that holds re-included files; the legacy builder sends "
        "only those files)";
  }
  // The rule to show: what keeps the path out of the skipping builder's
  // context, else what brings it into the sender's.
  const Rule* rule = nullptr;
  try {
    Verdict v = skipper.matcher->matches_or_parents(group_path_);
    if (v.excluded && v.rule >= 0) rule = &skipper.ignore.rules[v.rule];
  } catch (const PatternError&) {
  }
  const Rule* sender_rule = group_rule_ >= 0 && static_cast<size_t>(group_rule_) < sender.ignore.rules.size()
                                ? &sender.ignore.rules[group_rule_]
                                : nullptr;
  if (sender_rule && sender_rule->file == kCliRuleSource) f.message += " (the docker CLI re-adds it)";
  if (!rule) rule = sender_rule;
  if (rule) {
    f.rule = rule_reference(*rule);
    f.file = rule->file == kCliRuleSource ? "" : rule->file;
    f.line = rule->line;
  }
  findings_.push_back(std::move(f));
}

std::vector<Finding> BuilderDiff::finish() {
  while (other_valid_) {
    only_in(false, other_path_, other_is_dir_, other_rule_);
    next_other();
  }
  close_group();
  return std::move(findings_);
}

// --- Hazards ------------------------------------------------------------------

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A path whose last components are `tail` ("a/.aws/credentials" ends in ".aws/credentials").
bool path_ends_in(std::string_view path, std::string_view tail) {
  return path == tail || (ends_with(path, tail) && path[path.size() - tail.size() - 1] == '/');
}

// Example and template files people commit on purpose.
bool is_template_name(std::string_view lname) {
  for (const char* t : {".example", ".sample", ".template", ".tmpl", ".dist", ".defaults", ".default", ".schema"}) {
    if (ends_with(lname, t)) return true;
  }
  return false;
}

}  // namespace

SecretKind classify_secret(std::string_view path, const std::function<std::string()>& read_head) {
  const std::string_view name = base_name(path);
  const std::string lname = lower(name);
  auto sk = [](const char* what, Severity s = Severity::kError) { return SecretKind{what, s}; };
  if (is_template_name(lname)) return {};

  if (name == ".env" || starts_with(name, ".env.")) return sk("environment file (.env)");
  if (ends_with(lname, ".env")) return sk("environment file", Severity::kWarning);
  for (const char* key : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}) {
    if (name == key) return sk("SSH private key");
  }
  if (ends_with(lname, ".ppk")) return sk("PuTTY private key");
  if (ends_with(lname, ".pem") || ends_with(lname, ".key")) {
    if (read_head().find("PRIVATE KEY") != std::string::npos) return sk("private key");
    return {};
  }
  for (const char* ext : {".p12", ".pfx", ".jks", ".keystore"}) {
    if (ends_with(lname, ext)) return sk("key store", Severity::kWarning);
  }
  if (path_ends_in(path, ".aws/credentials")) return sk("AWS credentials");
  if (name == "application_default_credentials.json" || path_ends_in(path, ".config/gcloud/credentials.db") ||
      path_ends_in(path, ".config/gcloud/access_tokens.db")) {
    return sk("Google Cloud credentials");
  }
  if (path_ends_in(path, ".azure/accessTokens.json") || path_ends_in(path, ".azure/msal_token_cache.json")) {
    return sk("Azure credentials");
  }
  if (ends_with(lname, ".json") &&
      (lname.find("credential") != std::string::npos || lname.find("service-account") != std::string::npos ||
       lname.find("service_account") != std::string::npos || lname.find("serviceaccount") != std::string::npos)) {
    if (read_head().find("\"private_key\"") != std::string::npos) return sk("cloud service-account key");
    return sk("credentials file", Severity::kWarning);
  }
  if (name == "kubeconfig" || ends_with(lname, ".kubeconfig") || path_ends_in(path, ".kube/config")) {
    return sk("kubeconfig");
  }
  if (name == ".npmrc") {
    std::string head = read_head();
    if (head.find("_authToken") != std::string::npos || head.find("_auth") != std::string::npos ||
        head.find("_password") != std::string::npos) {
      return sk("npm registry token (.npmrc)");
    }
    return {};
  }
  if (name == ".pypirc") {
    if (read_head().find("password") != std::string::npos) return sk("PyPI credentials (.pypirc)");
    return {};
  }
  if (name == ".netrc" || name == "_netrc") return sk("netrc credentials");
  if (name == ".git-credentials") return sk("git credentials");
  if (path_ends_in(path, ".docker/config.json")) {
    if (read_head().find("\"auth\"") != std::string::npos) return sk("Docker registry credentials");
    return {};
  }
  if (name == ".htpasswd") return sk("password hashes (.htpasswd)", Severity::kWarning);
  if (ends_with(lname, ".tfstate") || ends_with(lname, ".tfstate.backup")) {
    return sk("Terraform state (holds secrets in plain text)");
  }
  if (ends_with(lname, ".tfvars")) return sk("Terraform variables", Severity::kWarning);
  return {};
}

LinkStatus resolve_symlink(FileSystem& fs, std::string_view link_path, std::string_view target) {
  if (target.empty()) return LinkStatus::kDangling;
  if (target[0] == '/') return LinkStatus::kOutside;
  // Components still to resolve, last first; the directories resolved so far.
  std::vector<std::string> todo;
  auto push_components = [&todo](std::string_view p) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= p.size()) {
      size_t slash = p.find('/', start);
      if (slash == std::string_view::npos) slash = p.size();
      if (slash > start) parts.emplace_back(p.substr(start, slash - start));
      start = slash + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push_components(target);
  std::vector<DirHandle> dirs;  // open handles of the resolved directories below the root
  push_components(parent_path(link_path));
  int hops = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.back());
    todo.pop_back();
    if (comp == ".") continue;
    if (comp == "..") {
      if (dirs.empty()) return LinkStatus::kOutside;
      dirs.pop_back();
      continue;
    }
    FileSystem::Dir here = dirs.empty() ? fs.root() : dirs.back().get();
    FileInfo info;
    if (fs.stat(here, comp, &info) != 0) return LinkStatus::kDangling;
    if (info.type == FileType::kSymlink) {
      if (++hops > 40) return LinkStatus::kLoop;
      std::string next;
      if (fs.read_link(here, comp, &next) != 0 || next.empty()) return LinkStatus::kDangling;
      if (next[0] == '/') return LinkStatus::kOutside;
      push_components(next);
      continue;
    }
    if (todo.empty()) return LinkStatus::kInside;
    if (info.type != FileType::kDirectory) return LinkStatus::kDangling;
    FileSystem::Dir sub;
    if (fs.open_dir(here, comp, &sub) != 0) return LinkStatus::kDangling;
    dirs.emplace_back(fs, sub);
  }
  return LinkStatus::kInside;
}

HazardScanner::HazardScanner(FileSystem& fs, Builder builder) : fs_(fs), builder_(builder), euid_(::geteuid()) {
  int n = ::getgroups(0, nullptr);
  std::vector<gid_t> gids(n > 0 ? n : 0);
  if (n > 0 && ::getgroups(n, gids.data()) == n) groups_.assign(gids.begin(), gids.end());
  groups_.push_back(::getegid());
}

// From the mode bits: a file they say we can read is taken as readable
// (saves an open per file); the others are tried.
bool HazardScanner::may_be_unreadable(const FileInfo& info) const {
  if (euid_ == 0) return false;
  if (info.uid == euid_) return (info.mode & 0400) == 0;
  if (std::find(groups_.begin(), groups_.end(), info.gid) != groups_.end()) return (info.mode & 0040) == 0;
  return (info.mode & 0004) == 0;
}

std::string HazardScanner::read_head(const WalkEntry& e) {
  std::unique_ptr<InputFile> in;
  if (fs_.open_file(e.dir, e.entry->name, &in) != 0) return {};
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

void HazardScanner::check_symlink(const WalkEntry& e) {
  std::string target;
  if (fs_.read_link(e.dir, e.entry->name, &target) != 0) return;
  LinkStatus status = resolve_symlink(fs_, e.path, target);
  Finding f;
  f.path = std::string(e.path);
  f.severity = Severity::kWarning;
  switch (status) {
    case LinkStatus::kInside:
      return;
    case LinkStatus::kDangling:
      f.code = "symlink-dangling";
      f.message = "symlink to " + quote_path(target) + " points to nothing in the context; COPY of it fails";
      break;
    case LinkStatus::kLoop:
      f.code = "symlink-dangling";
      f.message = "symlink to " + quote_path(target) + " loops; COPY of it fails";
      break;
    case LinkStatus::kOutside:
      f.code = "symlink-outside";
      f.message = "symlink to " + quote_path(target) +
                  " points outside the context: it is sent as a link, and COPY cannot follow it out of the context";
      break;
  }
  findings_.push_back(std::move(f));
}

void HazardScanner::observe(const WalkEntry& e) {
  const FileInfo& info = e.entry->info;
  const bool is_dir = info.type == FileType::kDirectory;
  auto add = [&](Severity sev, const char* code, std::string message) {
    findings_.push_back(Finding{sev, code, std::move(message), display_path(e.path, is_dir), {}, {}, 0, false});
  };
  auto unreadable = [&]() {
    if (!may_be_unreadable(info)) return false;
    int err = fs_.check_readable(e.dir, e.entry->name);
    return err == EACCES || err == EPERM;
  };

  if (info.type == FileType::kSocket) {
    if (!e.verdict.excluded) add(Severity::kInfo, "special-file", "a socket: Docker leaves it out of the context");
    return;
  }
  if (!e.sent) {
    // The classic CLI lists every directory it reaches before asking
    // whether it is excluded.
    if (builder_ == Builder::kLegacy && is_dir && !e.pruned && !e.verdict.via_parent && unreadable()) {
      add(Severity::kError, "unreadable",
          "excluded, but the legacy builder's pre-flight check cannot list it and fails the build (can't stat)");
    }
    return;
  }
  switch (info.type) {
    case FileType::kDirectory:
      if (e.entry->name == ".git") {
        add(Severity::kWarning, "git-dir",
            "the git repository is sent (its whole history, and any credentials in .git/config); add \".git\" to "
            ".dockerignore");
      }
      if (unreadable()) add(Severity::kError, "unreadable", "directory cannot be read: the build fails on it");
      break;
    case FileType::kRegular: {
      if (unreadable()) {
        add(Severity::kError, "unreadable", "file cannot be read: the build fails on it");
        break;
      }
      SecretKind kind = classify_secret(e.path, [&] { return read_head(e); });
      if (kind.what)
        add(kind.severity, "secret-file", std::string(kind.what) + " is sent; exclude it in .dockerignore");
      break;
    }
    case FileType::kSymlink:
      check_symlink(e);
      break;
    case FileType::kFifo:
      add(Severity::kWarning, "special-file", "a FIFO is sent (as a FIFO: COPY recreates it, never its data)");
      break;
    case FileType::kCharDevice:
    case FileType::kBlockDevice:
      add(Severity::kWarning, "special-file", "a device node is sent");
      break;
    case FileType::kSocket:
    case FileType::kUnknown:
      break;
  }
}

}  // namespace ctxpack
