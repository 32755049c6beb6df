// Reading a Dockerfile the way Docker's frontend does, in two layers:
//
//  - parse_dockerfile: the syntax (BuildKit's parser, which the classic
//    builder also uses): parser directives at the top, comments, line
//    continuations with the escape character in force, instruction flags,
//    JSON and shell forms, heredocs. Errors name the file and line.
//  - evaluate_dockerfile: what the frontend knows before running anything:
//    stages and which of them a build runs (--target), ARG and ENV values
//    that are statically known (defaults and --build-arg), WORKDIR per stage,
//    and every COPY/ADD with its words expanded and its flags parsed.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/builders/builder.h"

namespace ctxpack {

struct Heredoc {
  std::string name;     // the word after <<, unquoted: a COPY source file is named after it
  std::string content;  // the body, each line with its newline
  bool expand = true;   // false when the word was quoted: no variable expansion
  bool chomp = false;   // <<- : leading tabs removed
};

struct DockerfileDirective {
  std::string name;  // lower-case: escape, syntax, check
  std::string value;
  size_t line = 0;
};

struct DockerfileInstruction {
  size_t line = 0;                 // where it starts (1-based)
  size_t end_line = 0;             // its last line, heredoc bodies included
  std::string keyword;             // as written: "copy", "COPY"
  std::string command;             // lower-case
  std::string original;            // the logical line, continuations joined
  std::vector<std::string> flags;  // "--from=build", unquoted, as the frontend's flag parser receives them
  std::vector<std::string> args;   // shell form split on whitespace, or the JSON array's strings
  bool json = false;
  std::vector<Heredoc> heredocs;
};

struct ParsedDockerfile {
  std::string name;  // for messages
  std::vector<DockerfileDirective> directives;
  char escape = '\\';
  std::vector<DockerfileInstruction> instructions;
  std::vector<std::string> warnings;  // "LINE: message"
};

// Throws Error "NAME:LINE: message" for a syntax error.
ParsedDockerfile parse_dockerfile(std::string_view text, const std::string& name);

// The shell-like word expansion of Docker's frontend (quotes removed,
// escapes applied, $VAR, ${VAR}, ${VAR:-x}, ${VAR:+x}, ${VAR:?x}, ${VAR#x}
// and friends). Variables not in `vars` expand to "". Names that `vars`
// marks unknown (a value from a base image we cannot see) expand to "" and
// are appended to `unknown`. Throws Error (message without location) on a
// malformed word. With `unset_is_unknown`, a name missing from `vars` also
// counts as unknown (a stage on a real image).
struct VarValue {
  std::string value;
  bool known = true;
};
using Vars = std::map<std::string, VarValue>;
std::string expand_word(std::string_view word, const Vars& vars, char escape, std::vector<std::string>* unknown,
                        bool unset_is_unknown = false);

// COPY and ADD as the frontend hands them to the builder.
struct CopyCommand {
  bool add = false;
  std::vector<std::string> sources;      // expanded, as written otherwise
  std::vector<bool> unknown_sources;     // for each source: a variable whose value is not known took part
  std::vector<Heredoc> heredoc_sources;  // in order of appearance
  std::vector<size_t> source_order;      // for each source slot: index into sources, or ~index into heredocs
  std::string dest;                      // expanded
  std::string from;                      // --from, expanded ("" for the context)
  std::string chown, chmod, checksum;
  bool link = false, parents = false, keep_git_dir = false;
  std::optional<bool> unpack;
  std::vector<std::string> excludes;
  bool has_chmod = false;
};

enum class StepKind { kCopy, kRun, kWorkdir, kOther };

struct BuildStep {
  StepKind kind = StepKind::kOther;
  size_t instruction = 0;                      // index into ParsedDockerfile::instructions
  std::string workdir;                         // in force when the step runs ("/" when never set)
  CopyCommand copy;                            // kCopy
  std::vector<std::string> run_context_paths;  // kRun: context paths bind-mounted by RUN --mount
  std::vector<std::string> notes;              // e.g. variables whose value comes from a base image
};

struct BuildStage {
  std::string name;     // lower-case AS name, or "" (then shown as its index)
  std::string base;     // the FROM image, expanded
  int base_stage = -1;  // index of the stage it builds on, if it names one
  bool scratch = false;
  size_t line = 0;
  std::vector<BuildStep> steps;
  bool built = false;  // whether the build runs it for the chosen builder and target
};

struct BuildOptions {
  const Builder* builder = &default_builder();
  std::map<std::string, std::string> build_args;
  std::string target;    // "" = the last stage
  std::string platform;  // "os/arch[/variant]" as docker build --platform takes it; "" for this machine
  bool all_targets = false;  // every stage counts as built: what a build of any target could run
};

// A platform as OCI names them: os, architecture, variant.
struct Platform {
  std::string os, arch, variant;
  std::string text() const { return os + "/" + arch + (variant.empty() ? "" : "/" + variant); }
};
// "linux/arm64/v8", "linux/amd64", "arm64" (linux assumed); throws Error
// for anything else. Architectures are normalised as containerd does
// (x86_64 is amd64, aarch64 arm64).
Platform parse_platform(std::string_view text);
// This machine's.
Platform host_platform();

struct Build {
  ParsedDockerfile file;
  std::vector<BuildStage> stages;
  size_t target = 0;
};

// Throws Error "NAME:LINE: message" for what the frontend rejects before
// building (no FROM, unknown --target, bad flags on COPY/ADD, a heredoc as
// a destination, a word that does not expand...).
Build evaluate_dockerfile(ParsedDockerfile file, const BuildOptions& options);

// The stage a `--from` value names, or -1 when it is an image.
int find_stage(const Build& build, std::string_view name, size_t before);

}  // namespace ctxpack
