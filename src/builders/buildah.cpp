// Buildah, and Podman, which builds with it (buildah build, podman build):
// there is no upload. COPY reads the context directory itself through
// containers/buildah's copier, which applies the ignore rules
// (containers/storage's pkg/fileutils) while it walks. Modelled on
// Debian's buildah 1.28.2; README.md, "Buildah and Podman", has the
// details and the tests that pin them.
#include "ctxpack/builders/builder.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

// The copier enters an excluded directory when an exception's text plus
// "/" starts with the directory's path: a string prefix, not a path
// prefix, and wildcards are taken literally.
bool exception_text_starts_with(const Matcher& matcher, std::string_view dir) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    if (matcher.is_exception(i) && (matcher.pattern(i).text() + "/").starts_with(dir)) return true;
  }
  return false;
}

class Buildah : public Builder {
 public:
  std::string_view id() const override { return "buildah"; }
  std::string_view title() const override { return "Buildah"; }
  std::string_view subject() const override { return "Buildah"; }
  std::vector<std::string_view> aliases() const override { return {"podman"}; }

  // util.DiscoverContainerfile: no lower-case names.
  std::vector<std::string> dockerfile_names() const override { return {"Containerfile", "Dockerfile"}; }

  IgnoreFile read_ignore(InputFile& in, const std::string& name) const override {
    return read_imagebuilder_ignore(in, name);
  }

  // containers/storage's pkg/fileutils: `+`, `(` and `)` are regexp
  // operators, and every path is judged on its own.
  PatternSyntax pattern_syntax() const override { return PatternSyntax::kContainersStorage; }

  // parse.ContainerIgnoreFile: beside the Containerfile,
  // <name>.containerignore, overridden by <name>.dockerignore; otherwise
  // the context's .containerignore, then its .dockerignore.
  std::string find_ignore_file(Host& host, const std::string& context, const std::string& dockerfile) const override {
    std::string beside;
    for (const char* suffix : {".containerignore", ".dockerignore"}) {
      if (!dockerfile.empty() && host.exists(dockerfile + suffix)) beside = dockerfile + suffix;
    }
    if (!beside.empty()) return beside;
    for (const char* name : {".containerignore", ".dockerignore"}) {
      std::string root = join_path(context, name);
      if (host.exists(root)) return root;
    }
    return {};
  }

  std::string_view ignore_file_lookup() const override {
    return "<Containerfile>.dockerignore or .containerignore beside the Containerfile, else the context's "
           ".containerignore, else its .dockerignore";
  }

  WalkRules walk_rules(const Matcher& matcher) const override {
    WalkRules w;
    w.prune = [&matcher](std::string_view dir) {
      return !matcher.has_exceptions() || !exception_text_starts_with(matcher, dir);
    };
    // The copier skips sockets with a warning.
    w.send_sockets = false;
    w.prunes_reincluded = "it only enters those whose path begins an exception's text";
    return w;
  }

  // NewPatternMatcher is built before the copier reads anything, and the
  // walk matches every path against every pattern, so a pattern Go's
  // regexp rejects fails the COPY whatever the context holds.
  void validate(FileSystem&, const Matcher& matcher) const override {
    for (size_t i = 0; i < matcher.size(); ++i) {
      if (matcher.pattern(i).kind() == Pattern::Kind::kInvalid) throw PatternError(matcher.rule(i));
    }
  }

  // `buildah build - < ctx.tar` untars the context and reads the
  // Containerfile from it whatever the ignore file says.
  PackRules pack_rules() const override { return PackRules{.add_excluded_dockerfile = true}; }

  // Unused stages are skipped (--skip-unused-stages defaults to true).
  bool runs_every_stage() const override { return false; }

  // Not researched: `ctxpack --builder buildah` refuses archive contexts.
  std::optional<ArchiveUnpacking> archive_unpacking() const override { return std::nullopt; }

  // imagebuilder follows the classic builder's COPY; its own differences
  // are not modelled yet (README.md).
  const CopyRules& copy_rules() const override { return legacy_builder().copy_rules(); }
};

}  // namespace

const Builder& buildah_builder() {
  static const Buildah builder;
  return builder;
}

}  // namespace ctxpack
