// Every ignore-file lint rule and every hazard of `ctxpack report`, each on
// a fixture from testdata/report/ (special entries made at test time).
#include "ctxpack/context/compare.h"
#include "ctxpack/report/finding.h"
#include "ctxpack/report/secrets.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <nlohmann/json.hpp>
#include <set>

#include "ctxpack/report/report.h"
#include "report/report_fixtures.h"

namespace ctxpack {
namespace {

using namespace testing_support;

// --- ignore-file lint ---------------------------------------------------------

TEST(ReportLint, CommentAfterAPatternIsPartOfIt) {
  Scratch s("inline-comment");
  Report r = report_of(s.ctx);
  const Finding* inline_comment = find_finding(r, "inline-comment", "", 1);
  ASSERT_NE(inline_comment, nullptr);
  ASSERT_TRUE(inline_comment->rule);
  EXPECT_EQ(inline_comment->rule->file, s.ctx.string() + "/.dockerignore");
  EXPECT_NE(inline_comment->message.find("*.log # build logs"), std::string::npos);
  ASSERT_NE(find_finding(r, "inline-comment", "", 2), nullptr) << "an indented # is a pattern too";
  EXPECT_EQ(find_finding(r, "inline-comment", "", 3), nullptr);
  // The line with the comment keeps nothing out, the plain one does; the
  // comment finding says so, without an unused-rule finding beside it.
  EXPECT_EQ(find_finding(r, "unused-rule", "", 1), nullptr);
  EXPECT_EQ(find_finding(r, "unused-rule", "", 3), nullptr);
  EXPECT_EQ(r.rules[0].paths, 0u);
  EXPECT_GT(r.rules[2].paths, 0u);
}

TEST(ReportLint, DoubleSlashIsNoCommentEither) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\n");
  s.write(".dockerignore", "// build output\ndist\n");
  Report r = report_of(s.ctx);
  const Finding* f = find_finding(r, "inline-comment", "", 1);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_NE(f->message.find("'//' does not start a comment"), std::string::npos) << f->message;
}

TEST(ReportLint, TrailingSlashDoesNotMeanDirectoriesOnly) {
  Scratch s("trailing-slash");
  Report r = report_of(s.ctx);
  const Finding* on_dir = find_finding(r, "trailing-slash", "", 1);
  ASSERT_NE(on_dir, nullptr);
  EXPECT_EQ(on_dir->severity, Severity::kInfo);
  const Finding* on_file = find_finding(r, "trailing-slash", "logs", 2);
  ASSERT_NE(on_file, nullptr) << "logs/ also excludes the file called logs";
  EXPECT_EQ(on_file->severity, Severity::kWarning);
  EXPECT_EQ(r.excluded_files, 2u);  // cache/data.bin and the file logs
}

TEST(ReportLint, BareNamesOnlyMatchAtTheRoot) {
  Scratch s("root-only");
  Report r = report_of(s.ctx);
  const Finding* nm = find_finding(r, "root-only-pattern", "web/node_modules/", 1);
  ASSERT_NE(nm, nullptr);
  EXPECT_NE(nm->message.find("**/node_modules"), std::string::npos);
  const Finding* pyc = find_finding(r, "root-only-pattern", "", 2);
  ASSERT_NE(pyc, nullptr);
  // It lists exactly what the rewrite keeps out, and carries the rewrite.
  EXPECT_NE(pyc->message.find("\"**/*.pyc\" would also keep out app/__pycache__/mod.cpython-311.pyc, app/mod.pyc (2 files"),
            std::string::npos)
      << pyc->message;
  ASSERT_TRUE(pyc->fix);
  EXPECT_EQ(pyc->fix->line, 2u);
  EXPECT_EQ(pyc->fix->text, "**/*.pyc");
  ASSERT_NE(find_finding(r, "root-only-pattern", "app/__pycache__/", 3), nullptr);

  // Written the Docker way, the rules reach every depth and the findings go.
  s.write(".dockerignore", "**/node_modules\n**/*.pyc\n**/__pycache__\n");
  Report fixed = report_of(s.ctx);
  EXPECT_TRUE(with_code(fixed, "root-only-pattern").empty());
  EXPECT_LT(fixed.files, r.files);
}

TEST(ReportLint, UnusedOverriddenAndRedundantRules) {
  Scratch s("rule-effect");
  Report r = report_of(s.ctx);
  EXPECT_NE(find_finding(r, "unused-rule", "", 1), nullptr) << "nothing-here";
  const Finding* overridden = find_finding(r, "overridden-rule", "", 2);
  ASSERT_NE(overridden, nullptr) << "tmp/a.txt is decided by the later tmp";
  EXPECT_NE(overridden->message.find(":3:tmp"), std::string::npos) << overridden->message;
  const Finding* redundant = find_finding(r, "redundant-rule", "", 5);
  ASSERT_NE(redundant, nullptr) << "secret/key is already excluded by secret";
  EXPECT_NE(redundant->message.find(":4:secret"), std::string::npos) << redundant->message;
  EXPECT_NE(find_finding(r, "redundant-rule", "", 6), nullptr) << "!README.md re-includes nothing";
  for (size_t line : {3, 4}) {
    for (const Finding& f : r.findings) EXPECT_NE(line_of(f), line) << f.code << ": " << f.message;
  }
  // The per-rule counters agree: tmp decides tmp/ and both files in it.
  ASSERT_EQ(r.rules.size(), 6u);
  EXPECT_EQ(r.rules[2].rule.pattern, "tmp");
  EXPECT_EQ(r.rules[2].paths, 3u);
  EXPECT_EQ(r.rules[2].files, 2u);
  EXPECT_EQ(r.rules[1].paths, 0u);
  // No exception reaches a pruned directory: the builders agree.
  EXPECT_TRUE(r.compared);
  EXPECT_TRUE(with_code(r, "builder-disagreement").empty());
}

TEST(ReportLint, WildcardExceptionTheLegacyBuilderCannotReach) {
  Scratch s("legacy-exception");
  for (const Builder* b : {&buildkit_builder(), &legacy_builder()}) {
    Report r = report_of(s.ctx, b);
    const Finding* f = find_finding(r, "legacy-unreachable-exception", "assets/img/a.png", 2);
    ASSERT_NE(f, nullptr) << b->id();
    EXPECT_NE(f->message.find("directory holding the path it re-includes"), std::string::npos) << f->message;
    // BuildKit sends the excluded directories holding what it re-includes,
    // and the file legacy never reaches: one finding for the subtree.
    // (Legacy sends assets/c.png too, without its parent.) Buildah walks
    // like legacy here ("assets/**/*.png/" does not start with assets/img),
    // so BuildKit's report names both and legacy's only BuildKit.
    auto diffs = with_code(r, "builder-disagreement");
    ASSERT_EQ(diffs.size(), b == &buildkit_builder() ? 2u : 1u) << b->id();
    for (const Finding& d : diffs) {
      EXPECT_EQ(d.path, "assets/");
      EXPECT_EQ(d.severity, Severity::kWarning);
      EXPECT_EQ(line_of(d), 1u) << "the rule that excludes assets";
    }
    EXPECT_EQ(diffs[0].message, "BuildKit sends assets/ and 2 paths below it; the legacy builder does not");
    if (diffs.size() == 2) {
      EXPECT_EQ(diffs[1].message, "BuildKit sends assets/ and 2 paths below it; Buildah does not");
    }
  }
  Report bk = report_of(s.ctx, &buildkit_builder());
  Report legacy = report_of(s.ctx, &legacy_builder());
  EXPECT_EQ(bk.files, legacy.files + 1);
}

TEST(ReportLint, MalformedPatternNeverEvaluated) {
  Scratch s("invalid-pattern");
  Report r = report_of(s.ctx);
  const Finding* f = find_finding(r, "invalid-pattern", "", 1);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(rule_of(*f), s.ctx.string() + "/.dockerignore:1:!zz*[");
  EXPECT_EQ(find_finding(r, "unused-rule", "", 1), nullptr);
}

TEST(ReportLint, BuildersReadDifferentIgnoreFiles) {
  Scratch s("dockerfile-ignore");
  Report r = report_of(s.ctx);
  ASSERT_EQ(with_code(r, "ignore-file-differs").size(), 1u);
  const Finding* md = find_finding(r, "builder-disagreement", "notes.md");
  ASSERT_NE(md, nullptr);
  EXPECT_EQ(md->message.rfind("The legacy builder sends", 0), 0u) << md->message;
  const Finding* txt = find_finding(r, "builder-disagreement", "notes.txt");
  ASSERT_NE(txt, nullptr);
  EXPECT_EQ(txt->message.rfind("BuildKit sends", 0), 0u) << txt->message;
  EXPECT_NE(rule_of(*txt).find(".dockerignore:1:*.txt"), std::string::npos) << "the legacy rule that excludes it";
  // Each builder says where it looks: Buildah reads Dockerfile.dockerignore
  // too, so from the legacy builder's side both others differ.
  const std::string msg = with_code(r, "ignore-file-differs")[0].message;
  EXPECT_NE(msg.find("BuildKit reads"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(it looks for only the context's .dockerignore)"), std::string::npos) << msg;
  Report legacy = report_of(s.ctx, &legacy_builder());
  auto differs = with_code(legacy, "ignore-file-differs");
  ASSERT_EQ(differs.size(), 2u);
  EXPECT_NE(differs[1].message.find("Buildah reads"), std::string::npos) << differs[1].message;
  EXPECT_NE(differs[1].message.find(".containerignore"), std::string::npos) << differs[1].message;
}

TEST(ReportLint, RulesTheDockerCliAddsAreNotJudged) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\n");
  s.write(".dockerignore", "Dockerfile\n.dockerignore\n");
  s.write("app.txt", "x");
  Report r = report_of(s.ctx, &legacy_builder());
  for (const Finding& f : r.findings) EXPECT_EQ(rule_of(f).find("(docker CLI)"), std::string::npos) << f.message;
  // The classic builder sends them, BuildKit does not, but the classic
  // daemon deletes them on arrival: no difference to the build.
  EXPECT_EQ(find_finding(r, "builder-disagreement", "Dockerfile"), nullptr);
  EXPECT_EQ(find_finding(r, "builder-disagreement", ".dockerignore"), nullptr);
  EXPECT_TRUE(find_finding(r, "overridden-rule", "", 1) == nullptr) << "the rule still hides the Dockerfile from COPY";
}

TEST(ReportLint, AnchoredPatternsAreNeverRewritten) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
  s.write(".dockerignore", "/data*\n./export\n__pycache__\n");
  s.write("data.db", "x");
  s.write("server/database.js", "source");
  s.write("export/a", "x");
  s.write("src/export/b", "source");
  s.write("__pycache__/c", "x");
  s.write("web/__pycache__/d", "xx");
  Report r = report_of(s.ctx);
  EXPECT_EQ(find_finding(r, "root-only-pattern", "", 1), nullptr) << "/data* says: only at the root";
  EXPECT_EQ(find_finding(r, "root-only-pattern", "", 2), nullptr) << "./export says: only at the root";
  const Finding* cache = find_finding(r, "root-only-pattern", "", 3);
  ASSERT_NE(cache, nullptr) << "a bare name may mean any depth";
  EXPECT_EQ(cache->severity, Severity::kWarning) << "a cache, which never belongs";
  EXPECT_NE(cache->message.find("web/__pycache__/"), std::string::npos) << cache->message;
}

// --- hazards ----------------------------------------------------------------------

TEST(ReportHazards, SecretProneFiles) {
  Scratch s("secrets");
  Report r = report_of(s.ctx);
  // Errors hold evidence; a name alone (prod.env, a key file holding no
  // key, Terraform state) is a warning outside git.
  const std::map<std::string, Severity> want = {
      {".env", Severity::kError},
      {"config/prod.env", Severity::kWarning},
      {"keys/id_rsa", Severity::kWarning},
      {"keys/server.pem", Severity::kError},
      {".aws/credentials", Severity::kError},
      {".kube/config", Severity::kError},
      {".npmrc", Severity::kError},
      {".pypirc", Severity::kError},
      {"infra/terraform.tfstate", Severity::kWarning},
      {"gcp/service-account.json", Severity::kError},
  };
  std::map<std::string, Severity> got;
  for (const Finding& f : with_code(r, "secret-file")) got[f.path] = f.severity;
  EXPECT_EQ(got, want) << "a template, a certificate, a token-less .npmrc and source are not secrets";

  // Once excluded, they are no longer a hazard.
  s.write(".dockerignore", ".env\n**/*.env\nkeys\n.aws\n.kube\n.npmrc\n.pypirc\n**/*.tfstate\ngcp\n");
  EXPECT_TRUE(with_code(report_of(s.ctx), "secret-file").empty());
}

TEST(ReportHazards, SecretNamesAndEvidence) {
  EXPECT_TRUE(secret_prone_name(".env.production"));
  EXPECT_TRUE(secret_prone_name("deploy/id_ed25519"));
  EXPECT_FALSE(secret_prone_name("deploy/id_ed25519.pub"));
  EXPECT_FALSE(secret_prone_name("src/environment.ts"));
  EXPECT_EQ(secret_evidence("-----BEGIN EC PRIVATE KEY-----\nMHc=\n"), "a private key");
  EXPECT_EQ(secret_evidence("-----BEGIN CERTIFICATE-----\n"), "");
  EXPECT_EQ(secret_evidence("{\"auths\":{\"r\":{\"auth\":\"dXNlcjpwYXNzd29yZA==\"}}}"), "a value assigned to auth");
  EXPECT_EQ(secret_evidence("{\"credsStore\":\"pass\"}"), "");
  EXPECT_EQ(secret_evidence("DATABASE_URL=postgres://app:k8Jq2vXw9@db/app\n"), "a password in a URL");
  EXPECT_EQ(secret_evidence("key = AKIAQ3EXAMPLE7XYZ1A2"), "an AWS access key");
  // Placeholders, references and settings are not evidence.
  for (const char* none : {"PUBLIC_URL=.\n", "SECRET_KEY=changeme\n", "API_TOKEN=${API_TOKEN}\n",
                           "DB_PASSWORD=\n", "AUTH_TYPE=oauth\n", "TOKEN_TTL=86400000\n", "# PASSWORD=k8Jq2vXw9Lr4\n",
                           "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", "save-exact=true\n",
                           "_APP_VCS_GITHUB_PRIVATE_KEY=disabled\n"}) {
    EXPECT_EQ(secret_evidence(none), "") << none;
  }
}

TEST(ReportHazards, TemplatesFixturesAndDeliberateSecretsAreInfosAtMost) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
  const std::string key = "-----BEGIN PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----\n";
  s.write("testdata/tls/server.key", key);
  s.write("integration/fixtures/client.key", key);
  s.write(".env.production.example", "SECRET_KEY=k8Jq2vXw9Lr4\n");
  s.write("config/.env.production", "SECRET_KEY=k8Jq2vXw9Lr4\n");
  s.write(".dockerignore", "**/.env*\n!config/.env.production\n");
  Report r = report_of(s.ctx);
  std::map<std::string, Severity> got;
  for (const Finding& f : with_code(r, "secret-file")) got[f.path] = f.severity;
  for (const char* path : {"testdata/tls/server.key", "integration/fixtures/client.key", "config/.env.production"}) {
    ASSERT_TRUE(got.count(path)) << path;
    EXPECT_EQ(got[path], Severity::kInfo) << path;
  }
  EXPECT_FALSE(got.count(".env.production.example")) << "excluded, and a template";
  const Finding* deliberate = find_finding(r, "secret-file", "config/.env.production");
  ASSERT_NE(deliberate, nullptr);
  EXPECT_EQ(rule_of(*deliberate), s.ctx.string() + "/.dockerignore:2:!config/.env.production");
}

TEST(ReportHazards, GitSaysWhetherAnEnvFileIsALeakOrConfiguration) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
  s.write(".env", "PUBLIC_URL=.\n");
  s.write("app/.env", "LOG_LEVEL=debug\n");
  s.write("api/.env", "SECRET_KEY=k8Jq2vXw9Lr4\n");
  ASSERT_EQ(std::system(("cd " + s.ctx.string() + " && git init -q && git add .env api/.env && " +
                         "git -c user.email=a@b -c user.name=a commit -qm c")
                            .c_str()),
            0);
  Report r = report_of(s.ctx);
  std::map<std::string, Severity> got;
  for (const Finding& f : with_code(r, "secret-file")) got[f.path] = f.severity;
  EXPECT_EQ(got[".env"], Severity::kInfo) << "committed on purpose, no evidence";
  EXPECT_EQ(got["app/.env"], Severity::kWarning) << "untracked: a local file swept in";
  EXPECT_EQ(got["api/.env"], Severity::kWarning) << "committed with a secret: out already, keep it out of builds";
  s.write("web/.env", "SECRET_KEY=k8Jq2vXw9Lr4\n");
  EXPECT_EQ(find_finding(report_of(s.ctx), "secret-file", "web/.env")->severity, Severity::kError);
}

TEST(ReportHazards, GitSymlinksAndSpecialFiles) {
  Scratch s("hazards");
  s.write(".git/HEAD", "ref: refs/heads/main\n");
  s.write("vendor/lib/.git/HEAD", "ref: refs/heads/main\n");
  fs::create_directory_symlink("src", s.ctx / "srclink");
  fs::create_symlink("missing", s.ctx / "dangling");
  fs::create_symlink("../outside", s.ctx / "up");
  fs::create_symlink("src/../../x", s.ctx / "up-through-dir");
  fs::create_symlink("/etc/passwd", s.ctx / "absolute");
  fs::create_symlink("loop", s.ctx / "loop");
  fs::create_symlink("src/app.txt", s.ctx / "ok");
  // Resolved physically: srclink/.. is the context root, not srclink's parent spelled out.
  fs::create_symlink("srclink/../Dockerfile", s.ctx / "via-dir-link");
  fs::create_symlink("../Dockerfile", s.ctx / "src/sibling");
  fs::create_symlink("../src/app.txt/x", s.ctx / "src/through-file");
  ASSERT_EQ(::mkfifo((s.ctx / "pipe").c_str(), 0644), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = (s.ctx / "sock").string();
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(sock);

  Report r = report_of(s.ctx);
  EXPECT_NE(find_finding(r, "git-dir", ".git/"), nullptr);
  EXPECT_NE(find_finding(r, "git-dir", "vendor/lib/.git/"), nullptr);
  EXPECT_NE(find_finding(r, "symlink-dangling", "dangling"), nullptr);
  EXPECT_NE(find_finding(r, "symlink-dangling", "loop"), nullptr);
  EXPECT_NE(find_finding(r, "symlink-dangling", "src/through-file"), nullptr);
  EXPECT_NE(find_finding(r, "symlink-outside", "up"), nullptr);
  EXPECT_NE(find_finding(r, "symlink-outside", "up-through-dir"), nullptr);
  EXPECT_NE(find_finding(r, "symlink-outside", "absolute"), nullptr);
  for (const char* fine : {"ok", "srclink", "via-dir-link", "src/sibling"}) {
    for (const Finding& f : r.findings) EXPECT_NE(f.path, fine) << f.code << ": " << f.message;
  }
  const Finding* fifo = find_finding(r, "special-file", "pipe");
  ASSERT_NE(fifo, nullptr);
  EXPECT_EQ(fifo->severity, Severity::kWarning);
  const Finding* socket = find_finding(r, "special-file", "sock");
  ASSERT_NE(socket, nullptr);
  EXPECT_EQ(socket->severity, Severity::kInfo);
  EXPECT_EQ(r.others, 1u) << "the FIFO; the socket is never sent";

  // Excluded, none of it is a hazard any more.
  s.write(".dockerignore", "**/.git\ndangling\nloop\nup*\nabsolute\nsrc/through-file\npipe\nsock\n");
  Report clean = report_of(s.ctx);
  for (const Finding& f : clean.findings) {
    EXPECT_TRUE(f.code != "git-dir" && f.code.rfind("symlink-", 0) != 0 && f.code != "special-file")
        << f.code << " " << f.path;
  }
}

TEST(ReportHazards, UnreadableEntriesEachBuilderFailsOn) {
  Scratch s("hazards");
  s.write("secret.txt", "no");
  fs::permissions(s.ctx / "secret.txt", fs::perms::none);
  s.write("cache/inner.txt", "no");
  fs::permissions(s.ctx / "cache", fs::perms::none);
  s.write(".dockerignore", "cache\n");
  auto run = [&](const char* builder) {
    RunResult r =
        run_program(s, as_unprivileged({CTXPACK_BINARY, "report", "--json", "--builder", builder, s.ctx.string()}));
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  };
  auto has = [](const nlohmann::json& j, const std::string& path) {
    for (const auto& f : j["findings"]) {
      if (f["code"] == "unreadable" && f["path"] == path && f["severity"] == "error") return true;
    }
    return false;
  };
  nlohmann::json legacy = run("legacy");
  EXPECT_TRUE(has(legacy, "secret.txt")) << legacy["findings"].dump();
  // The classic CLI's pre-flight check lists even an excluded directory.
  EXPECT_TRUE(has(legacy, "cache/")) << legacy["findings"].dump();
  nlohmann::json buildkit = run("buildkit");
  EXPECT_TRUE(has(buildkit, "secret.txt"));
  EXPECT_FALSE(has(buildkit, "cache/")) << "BuildKit tolerates what it skips";
}

TEST(ReportHazards, MissingDockerfileStillGetsAReport) {
  Scratch s;
  s.write("app.txt", "x");
  Report r = report_of(s.ctx);
  const Finding* f = find_finding(r, "dockerfile-missing", "");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kError);
  EXPECT_EQ(r.files, 1u);
}

// --- building blocks ----------------------------------------------------------------

TEST(ReportLint, WalkOrderIsComponentWise) {
  EXPECT_LT(compare_walk_order("a", "a/b"), 0);
  EXPECT_LT(compare_walk_order("a/b", "a-c"), 0) << "a's contents come before the sibling a-c";
  EXPECT_GT(compare_walk_order("a-c", "a/zzz"), 0);
  EXPECT_EQ(compare_walk_order("x/y", "x/y"), 0);
  EXPECT_LT(compare_walk_order("B", "a"), 0) << "byte-wise";
}

TEST(ReportLint, EveryCodeIsDocumentedOnce) {
  std::set<std::string> seen;
  for (const FindingCode& c : finding_codes()) EXPECT_TRUE(seen.insert(c.code).second) << c.code;
  for (const char* code :
       {"secret-file", "git-dir", "symlink-dangling", "symlink-outside", "unreadable", "special-file", "inline-comment",
        "trailing-slash", "root-only-pattern", "unused-rule", "invalid-pattern", "overridden-rule", "redundant-rule",
        "legacy-unreachable-exception", "buildah-unreachable-exception", "builder-disagreement", "ignore-file-differs",
        "dockerfile-missing"}) {
    EXPECT_TRUE(seen.count(code)) << code;
  }
}

}  // namespace
}  // namespace ctxpack
