#include "ctxpack/context/context.h"

#include <cerrno>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

// A path docker build would take as a Dockerfile: anything but a directory
// (a FIFO is refused when read).
bool is_file(Host& host, const std::string& p) {
  FileInfo info;
  return host.stat(p, &info) == 0 && info.type != FileType::kDirectory;
}

// Docker's builders fall back to a lower-case name (the classic CLI's
// getDockerfileRelPath, BuildKit's Dockerfile frontend); Buildah tries
// Containerfile first.
std::string default_dockerfile(Host& host, const std::string& context, const Builder& builder) {
  const std::string dir = context == "." ? "" : context;
  const std::vector<std::string> names = builder.dockerfile_names();
  for (const std::string& name : names) {
    if (is_file(host, join_path(dir, name))) return join_path(dir, name);
  }
  return join_path(dir, names.front());
}

std::vector<Rule> read_rules(Host& host, const std::string& path, const Builder& builder) {
  FileInfo info;
  if (int err = host.stat(path, &info)) {
    if (err == ENOENT) return {};
    throw_errno("cannot read", path, err);
  }
  if (info.type == FileType::kDirectory) throw Error("cannot read " + path + ": is a directory");
  std::unique_ptr<InputFile> in;
  if (int err = host.open_file(path, &in)) {
    // The docker CLI would block on a FIFO forever.
    if (err == EINVAL) throw Error("cannot read " + path + ": not a regular file (a FIFO or socket)");
    throw_errno("cannot read", path, err);
  }
  return builder.read_ignore(*in, path).rules;
}

// The ignore file and rules for a context whose Dockerfile is at
// `dockerfile` on the host ("" for none, or one that is no file).
BuildContext with_rules(const ContextOptions& options, BuildContext ctx, const std::string& dockerfile) {
  Host& host = *options.host;
  ctx.ignore_file = options.builder->find_ignore_file(host, options.context, dockerfile);
  std::vector<Rule> rules;
  if (!ctx.ignore_file.empty()) {
    if (ctx.ignore_file.starts_with("./")) ctx.ignore_file.erase(0, 2);
    rules = read_rules(host, ctx.ignore_file, *options.builder);
  }
  if (!options.apply_ignore_file) {
    ctx.ignore_file_applies = false;
    if (!rules.empty()) ctx.unapplied = std::make_unique<Matcher>(std::move(rules), options.builder->pattern_syntax());
    ctx.unapplied_file = std::move(ctx.ignore_file);
    ctx.ignore_file.clear();
    rules.clear();
  }
  for (Rule& r : options.builder->client_rules(rules, ctx.dockerfile_exists ? ctx.dockerfile_rel : "")) {
    rules.push_back(std::move(r));
  }
  ctx.matcher = std::make_unique<Matcher>(std::move(rules), options.builder->pattern_syntax());
  ctx.walk = options.builder->walk_rules(*ctx.matcher);
  return ctx;
}

// A Dockerfile from stdin is outside the context, and no ignore file
// belongs to it: the docker CLI re-includes no Dockerfile for it, buildx
// writes it to a directory of its own.
BuildContext open_with_dockerfile_text(const ContextOptions& options, BuildContext ctx) {
  ctx.dockerfile_path = "-";
  ctx.dockerfile_exists = true;
  ctx.dockerfile_text = options.dockerfile_text;
  return with_rules(options, std::move(ctx), "");
}

// The Dockerfile inside an archive: the name given, else the builder's
// defaults (the daemon falls back to a lower-case one only then).
void find_archive_dockerfile(const ContextOptions& options, BuildContext& ctx) {
  std::vector<std::string> names{clean_path(options.dockerfile)};
  // A Dockerfile from stdin is written into the context as "Dockerfile".
  if (options.dockerfile.empty() || options.dockerfile_text) names = options.builder->dockerfile_names();
  for (const std::string& name : names) {
    std::unique_ptr<InputFile> in;
    const int err = open_archive_file(*ctx.archive, name, &in);
    if (err == EINVAL) throw Error("cannot use " + name + " in " + ctx.dir + " as the Dockerfile: not a regular file");
    if (err != 0) continue;
    ctx.dockerfile_path = ctx.dockerfile_rel = name;
    ctx.dockerfile_exists = true;
    return;
  }
  ctx.dockerfile_path = ctx.dockerfile_rel = names.front();
  if (options.require_dockerfile || !options.dockerfile.empty()) {
    throw MissingDockerfile(names.front() + " in " + ctx.dir);
  }
}

// An archive is unpacked as it is: neither Docker builder applies its
// ignore file, and the classic daemon only deletes .dockerignore and the
// Dockerfile when that file excludes them (the client_rules() check).
BuildContext open_archive_context(const ContextOptions& options) {
  const Builder& builder = *options.builder;
  const ArchiveUnpacking unpacking = builder.archive_unpacking();
  BuildContext ctx;
  ctx.builder = &builder;
  ctx.host = options.host;
  ctx.dir = options.context == "-" ? "stdin" : options.context;
  ctx.archive = options.archive;
  if (options.dockerfile_text && unpacking.stdin_dockerfile_in_context) {
    ctx.archive = single_file_archive("Dockerfile", *options.dockerfile_text, 0644);
  } else if (options.dockerfile_text) {
    ctx.dockerfile_path = "-";
    ctx.dockerfile_exists = true;
    ctx.dockerfile_text = options.dockerfile_text;
  }
  ctx.fs = archive_filesystem(ctx.archive, unpacking);
  if (!ctx.dockerfile_text) find_archive_dockerfile(options, ctx);
  if (unpacking.as_directory) {
    ctx.owned_host = archive_host(ctx.archive, unpacking);
    ctx.host = ctx.owned_host.get();
    ContextOptions o = options;
    o.host = ctx.host;
    o.context = ".";
    const std::string dockerfile = ctx.dockerfile_exists && !ctx.dockerfile_text ? ctx.dockerfile_rel : "";
    return with_rules(o, std::move(ctx), dockerfile);
  }
  ctx.ignore_file_applies = false;
  std::vector<Rule> rules;
  std::unique_ptr<InputFile> in;
  if (open_archive_file(*ctx.archive, ".dockerignore", &in) == 0) rules = builder.read_ignore(*in, ".dockerignore").rules;
  const std::string deleted = ctx.dockerfile_text ? "" : ctx.dockerfile_rel;
  std::vector<Rule> deletions;
  try {
    deletions = builder.client_rules(rules, deleted);
  } catch (const Error&) {
    // A pattern the matcher refuses ("!" alone): the classic daemon's check
    // errs, and it deletes nothing.
  }
  ctx.matcher = std::make_unique<Matcher>(std::move(deletions), builder.pattern_syntax());
  ctx.walk = builder.walk_rules(*ctx.matcher);
  if (!rules.empty()) {
    try {
      ctx.unapplied = std::make_unique<Matcher>(std::move(rules), builder.pattern_syntax());
      ctx.unapplied_file = ".dockerignore";
    } catch (const Error&) {
      // A pattern Docker's matcher refuses: the builder never compiles it
      // for an archive, so there is nothing to report.
    }
  }
  return ctx;
}

// The checkout as a directory context, as each builder builds it; a local
// commit's checkout (diff --git) as the directory CI would have.
BuildContext open_git_context(const ContextOptions& options) {
  const Builder& builder = *options.builder;
  const GitCheckout& checkout = *options.git;
  ContextOptions o = options;
  o.git = nullptr;
  o.context = checkout.context_dir();
  if (!options.dockerfile.empty() && !options.dockerfile_text && !options.dockerfile.starts_with("/")) {
    o.dockerfile = join_path(o.context, options.dockerfile);
  }
  bool client_clones = true;
  if (!checkout.local()) {
    const std::optional<GitContextRules> rules = builder.git_context();
    const std::string subject(builder.subject());
    if (!rules) throw Error("--builder " + std::string(builder.id()) + ": ctxpack does not model git contexts for " + subject);
    if (!rules->supports_subdir && !checkout.remote().subdir.empty()) {
      throw Error(subject + " (Docker 20.10) cannot build a subdirectory of a git repository: subdir not supported yet");
    }
    client_clones = rules->client_clones;
  }
  o.apply_ignore_file = client_clones;
  BuildContext ctx = open_build_context(o);
  if (!client_clones) ctx.fs = without_git_dir(std::move(ctx.fs));
  ctx.git = options.git;
  // Rule files are named as in the repository, not by the temporary
  // checkout: relative to the context for a URL, as REF:PATH (git's name
  // for a file in a commit) for a local commit.
  const std::string prefix = (checkout.local() ? checkout.root() : o.context) + "/";
  const std::string label = checkout.local() ? checkout.url() + ":" : "";
  auto relabel = [&](std::string& file) {
    if (file.starts_with(prefix)) file.replace(0, prefix.size(), label);
  };
  auto relabel_rules = [&](std::unique_ptr<Matcher>& m) {
    if (!m) return;
    std::vector<Rule> renamed = m->rules();
    for (Rule& r : renamed) relabel(r.file);
    m = std::make_unique<Matcher>(std::move(renamed), m->syntax());
  };
  relabel_rules(ctx.matcher);
  relabel_rules(ctx.unapplied);
  ctx.walk = builder.walk_rules(*ctx.matcher);
  relabel(ctx.ignore_file);
  relabel(ctx.unapplied_file);
  ctx.dir = checkout.url();
  return ctx;
}

}  // namespace

BuildContext open_build_context(const ContextOptions& options) {
  if (options.archive) return open_archive_context(options);
  if (options.git) return open_git_context(options);
  Host& host = *options.host;
  BuildContext ctx;
  ctx.builder = options.builder;
  ctx.host = &host;
  ctx.fs = host.open_directory(options.context);
  if (options.hide_git_dir) ctx.fs = without_git_dir(std::move(ctx.fs));
  ctx.dir = host.real_path(options.context);
  if (options.dockerfile_text) return open_with_dockerfile_text(options, std::move(ctx));
  ctx.dockerfile_path =
      options.dockerfile.empty() ? default_dockerfile(host, options.context, *options.builder) : options.dockerfile;
  const std::string df_real = host.real_path(ctx.dockerfile_path);
  ctx.dockerfile_exists = !df_real.empty() && is_file(host, df_real);
  if (!df_real.empty() && !ctx.dockerfile_exists && !options.dockerfile.empty()) {
    throw Error("cannot use " + ctx.dockerfile_path + " as the Dockerfile: it is a directory");
  }
  if (!ctx.dockerfile_exists && (options.require_dockerfile || !options.dockerfile.empty())) {
    throw MissingDockerfile(ctx.dockerfile_path);
  }
  // Both builders fail on a Dockerfile they cannot read (BuildKit sends it
  // empty and then refuses it).
  if (ctx.dockerfile_exists && options.require_dockerfile) {
    if (int err = host.check_readable(df_real)) throw_errno("cannot read Dockerfile", ctx.dockerfile_path, err);
  }
  if (ctx.dockerfile_exists && df_real.starts_with(ctx.dir + "/")) {
    ctx.dockerfile_rel = df_real.substr(ctx.dir.size() + 1);
  } else if (!ctx.dockerfile_exists) {
    ctx.dockerfile_rel = base_name(ctx.dockerfile_path);
  }

  const std::string dockerfile = ctx.dockerfile_exists ? ctx.dockerfile_path : "";
  return with_rules(options, std::move(ctx), dockerfile);
}

bool builder_takes(const Builder& builder, const BuildContext& ctx) {
  if (ctx.archive) return true;
  if (!ctx.git || ctx.git->local()) return true;
  const std::optional<GitContextRules> rules = builder.git_context();
  return rules && (rules->supports_subdir || ctx.git->remote().subdir.empty());
}

DockerfileContent read_dockerfile(const BuildContext& ctx) {
  // The docker CLI writes a Dockerfile from stdin into the context as a
  // 0600 file.
  if (ctx.dockerfile_text) return DockerfileContent{*ctx.dockerfile_text, 0600, 0};
  const std::string& path = ctx.dockerfile_path;
  FileInfo info;
  std::unique_ptr<InputFile> in;
  if (ctx.archive) {
    if (int err = open_archive_file(*ctx.archive, ctx.dockerfile_rel, &in, &info)) {
      throw_errno("cannot read Dockerfile", path + " in " + ctx.dir, err);
    }
  } else {
    if (int err = ctx.host->stat(path, &info)) throw_errno("cannot read Dockerfile", path, err);
    if (int err = ctx.host->open_file(path, &in)) {
      if (err == EINVAL) throw Error("cannot read Dockerfile " + path + ": not a regular file");
      throw_errno("cannot read Dockerfile", path, err);
    }
  }
  DockerfileContent out;
  out.mode = info.mode;
  out.mtime = info.mtime_sec;
  char buf[64 * 1024];
  while (true) {
    ssize_t n = in->read(buf, sizeof buf);
    if (n < 0) throw_errno("cannot read Dockerfile", path, static_cast<int>(-n));
    if (n == 0) break;
    out.text.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace ctxpack
