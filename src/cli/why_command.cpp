// ctxpack why: which .dockerignore line decides each path, in the style of
// `git check-ignore -v`.
#include <cstdio>
#include <iostream>
#include <optional>

#include "commands.h"
#include "ctxpack/error.h"
#include "ctxpack/explain.h"
#include "ctxpack/output.h"

namespace ctxpack::cli {

namespace {

struct WhyFlags {
  ContextFlags ctx;
  std::string ignore_file;
  bool from_stdin = false;
  bool json = false;
  bool null = false;
  std::vector<std::string> args;  // [CONTEXT] PATH...
};

std::string verdict_word(const Explanation& ex) { return ex.excluded ? "excluded" : "included"; }

void print(const WhyFlags& flags, const Matcher& matcher, const Explanation& ex) {
  const Rule* rule = ex.verdict.rule >= 0 ? &matcher.rule(static_cast<size_t>(ex.verdict.rule)) : nullptr;
  if (flags.json) {
    std::string line = "{\"path\":" + json_string(ex.path) + ",\"verdict\":\"" + verdict_word(ex) + "\",\"rule\":";
    if (rule) {
      line += "{\"file\":" + json_string(rule->file) + ",\"line\":" + std::to_string(rule->line) +
              ",\"pattern\":" + json_string(rule->pattern) + ",\"text\":" + json_string(rule->text) + "}";
    } else {
      line += "null";
    }
    line += ",\"via_parent\":" + (ex.via.empty() ? std::string("null") : json_string(ex.via));
    line += ",\"note\":" + (ex.note.empty() ? std::string("null") : json_string(ex.note)) + "}\n";
    std::fputs(line.c_str(), stdout);
    return;
  }
  std::string out = verdict_word(ex) + "\t" + (flags.null ? ex.path : quote_path(ex.path)) + "\t";
  if (rule) out += rule_reference(*rule);
  std::string note;
  if (!ex.via.empty()) note = "matched parent directory " + ex.via + "/";
  if (!ex.note.empty()) note += (note.empty() ? "" : "; ") + ex.note;
  if (!note.empty()) out += "\t" + note;
  out += flags.null ? '\0' : '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

namespace {

void register_why(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<WhyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "why", "Show the .dockerignore line that decides each path (exit 0 if any is excluded, 1 if none)");
  cmd->add_option("args", flags->args,
                  "[CONTEXT] PATH...: the first argument is the context when it is a directory and paths follow "
                  "(or --stdin); paths are relative to the context");
  flags->ctx.add_to(*cmd, false);
  cmd->add_option("--ignore-file", flags->ignore_file,
                  "Judge paths against this ignore file alone (no context; paths need not exist)");
  cmd->add_flag("--stdin", flags->from_stdin, "Read paths from standard input, one per line");
  cmd->add_flag("--json", flags->json, "One JSON object per path per line");
  cmd->add_flag("-0,-z,--null", flags->null, "NUL-separated paths on input and output, names raw");
  cmd->callback([flags, &run] {
    run = [flags] {
      std::vector<std::string> paths = flags->args;
      std::optional<BuildContext> ctx;
      std::unique_ptr<Matcher> rules_only;
      if (!flags->ignore_file.empty()) {
        rules_only = std::make_unique<Matcher>(read_ignore_file(flags->ignore_file, flags->ignore_file, true).rules);
      } else {
        ContextOptions options = flags->ctx.options();
        if (!paths.empty() && (paths.size() > 1 || flags->from_stdin) && is_directory(paths[0])) {
          options.context = paths[0];
          paths.erase(paths.begin());
        }
        options.require_dockerfile = false;
        ctx.emplace(open_build_context(options));
      }
      if (paths.empty() && !flags->from_stdin) throw Error("why: no paths given (name them, or use --stdin)");
      const Matcher& matcher = ctx ? *ctx->matcher : *rules_only;
      bool any_excluded = false;
      auto judge = [&](const std::string& path) {
        Explanation ex = ctx ? explain_in_context(*ctx, path) : explain_by_rules(matcher, path);
        any_excluded = any_excluded || ex.excluded;
        print(*flags, matcher, ex);
      };
      for (const std::string& p : paths) judge(p);
      if (flags->from_stdin) {
        std::string line;
        const char delim = flags->null ? '\0' : '\n';
        while (std::getline(std::cin, line, delim)) {
          if (!flags->null && !line.empty() && line.back() == '\r') line.pop_back();
          if (line.empty()) continue;
          judge(line);
        }
      }
      return any_excluded ? 0 : 1;
    };
  });
}

CommandRegistration registration{"why", register_why};

}  // namespace

}  // namespace ctxpack::cli
