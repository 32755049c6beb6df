// Everything that differs between the builders ctxpack models, in one
// place per builder.
//
// Docker's two builders read the same .dockerignore and disagree on what
// it sends: which ignore file they read, which rules the client adds, how
// the walk prunes excluded directories, what pack must add for
// `docker build - < tar`, which stages a build runs, and how COPY expands
// its sources and places them. Each builder is one stateless object
// implementing this interface (src/builders/<builder>.cpp); the context,
// the walk, pack, report and copy ask it and never test which builder
// they have. Adding a builder is one source file and a line in
// builders() (src/builders/builder.cpp).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/context/archive.h"
#include "ctxpack/context/git_context.h"
#include "ctxpack/rules/matcher.h"

namespace ctxpack {

class FileSystem;
class Host;
class CopyRules;

// How a builder's walk selects what to send (context/walk.h).
struct WalkRules {
  // Whether an excluded directory is left unopened: nothing below it can
  // be sent.
  std::function<bool(std::string_view dir)> prune;
  // BuildKit sends an excluded directory when it keeps something inside.
  bool send_excluded_parents = false;
  // BuildKit ignores permission errors on directories it is skipping.
  bool tolerate_unreadable_excluded = false;
  // Go's tar writer cannot store sockets: the classic client skips them.
  bool send_sockets = true;
  // Why `prune` can leave out what an exception re-includes, as a clause
  // ("it only enters those ..."); null when it never does.
  const char* prunes_reincluded = nullptr;
};

// What `pack` must add to the builder's selection so that
// `docker build - < tar` finds the Dockerfile (pack/pack.h).
struct PackRules {
  // A Dockerfile the ignore file excludes is added at its path: the
  // builder applies no ignore file to a tar context.
  bool add_excluded_dockerfile = false;
  // A Dockerfile from outside the context is listed in .dockerignore, as
  // the docker CLI does, so that the daemon deletes it after reading it.
  bool hide_outside_dockerfile = false;
};

class Builder {
 public:
  virtual ~Builder() = default;

  // --- Names ---------------------------------------------------------------
  // The --builder value and the JSON value: "buildkit", "legacy".
  virtual std::string_view id() const = 0;
  // In headings: "BuildKit", "legacy".
  virtual std::string_view title() const = 0;
  // As the subject of a sentence: "BuildKit", "the legacy builder".
  virtual std::string_view subject() const = 0;
  // Other names --builder accepts for it ("podman" for Buildah).
  virtual std::vector<std::string_view> aliases() const { return {}; }

  // --- The context ---------------------------------------------------------
  // The names tried for the Dockerfile in the context, in order; the first
  // is named when none exists.
  virtual std::vector<std::string> dockerfile_names() const { return {"Dockerfile", "dockerfile"}; }
  // How the ignore file is read into rules (Docker's reader by default).
  virtual IgnoreFile read_ignore(InputFile& in, const std::string& name) const { return read_ignore_file(in, name); }
  // How its patterns are matched (rules/matcher.h).
  virtual PatternSyntax pattern_syntax() const { return PatternSyntax::kMoby; }
  // The ignore file the build reads, given the context directory and the
  // Dockerfile's path (both as the user wrote them, on `host`); "" when
  // none exists.
  virtual std::string find_ignore_file(Host& host, const std::string& context,
                                       const std::string& dockerfile) const = 0;
  // Where find_ignore_file looks, for messages ("the context's
  // .dockerignore").
  virtual std::string_view ignore_file_lookup() const = 0;
  // Rules the client appends to the ignore file's (RuleOrigin::kClient).
  // `dockerfile` is the Dockerfile's path in the context, "" when it is
  // outside or missing.
  virtual std::vector<Rule> client_rules(const std::vector<Rule>& /*rules*/, const std::string& /*dockerfile*/) const {
    return {};
  }
  // Paths the client sends whatever the ignore file says (a rule added to
  // leave them out saves nothing).
  virtual std::vector<std::string> always_sent(const std::string& /*dockerfile*/) const { return {}; }
  // Received paths the daemon deletes before any COPY runs, given the
  // context's rules (the client's among them).
  virtual std::vector<std::string> deleted_after_upload(const Matcher& /*rules*/) const { return {}; }

  // --- The walk ------------------------------------------------------------
  virtual WalkRules walk_rules(const Matcher& matcher) const = 0;
  // The client's checks before sending anything; throws Error where it
  // refuses the context.
  virtual void validate(FileSystem& /*fs*/, const Matcher& /*matcher*/) const {}
  // Whether those checks list excluded directories too (an unreadable one
  // then fails the build).
  virtual bool validates_excluded_directories() const { return false; }

  // --- pack ----------------------------------------------------------------
  virtual PackRules pack_rules() const = 0;

  // --- The Dockerfile ------------------------------------------------------
  // The ARGs the builder defines itself in the global scope (TARGETARCH...),
  // for a build for `platform` ("os/arch[/variant]"; "" for this machine).
  virtual std::map<std::string, std::string> automatic_args(std::string_view /*platform*/) const { return {}; }
  // Whether every stage up to the target runs, or only those it needs.
  virtual bool runs_every_stage() const = 0;
  // Whether a `# syntax=` directive makes it run another frontend.
  virtual bool runs_syntax_frontends() const { return false; }

  // --- tar contexts (context/archive.h) --------------------------------------
  // How `docker build - < ctx.tar` (or `buildah build -`) unpacks the
  // archive. Neither Docker builder applies an ignore file to an archive;
  // what the classic daemon still deletes is what client_rules() would
  // re-add (deleted_after_upload()).
  virtual ArchiveUnpacking archive_unpacking() const { return ArchiveUnpacking{}; }

  // --- git contexts (context/git_context.h) ----------------------------------
  // How `docker build GIT-URL` builds; none when ctxpack does not model it.
  virtual std::optional<GitContextRules> git_context() const { return std::nullopt; }

  // --- COPY and ADD (copy/copy_rules.h) -------------------------------------
  virtual const CopyRules& copy_rules() const = 0;
};

// Every builder, the default (BuildKit) first.
const std::vector<const Builder*>& builders();
const Builder& default_builder();
// The builder called `id` or one of its aliases; throws Error naming the choices otherwise.
const Builder& find_builder(std::string_view id);

// The builders themselves, for tests and for code that compares them.
const Builder& buildkit_builder();
const Builder& legacy_builder();
const Builder& buildah_builder();

}  // namespace ctxpack
