#include "ctxpack/report/fix.h"

#include <algorithm>
#include <memory>
#include <set>

#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/copy/tree.h"
#include "ctxpack/output/format.h"
#include "ctxpack/report/report.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/overlay_host.h"
#include "ctxpack/support/path.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack {

namespace {

// `content` tried as a whole; a file that keeps out nothing more and sends
// nothing more holds when it only tidies (a rule deleted, a comment fixed).
Verified check_file(Verifier& verifier, const std::string& content, Verifier::CheckMode mode) {
  Verified v = verifier.check_content(content, mode);
  if (v.holds || v.entries_removed > 0 || v.entries_added > 0) return v;
  mode.tidy = true;
  return verifier.check_content(content, mode);
}

// The builders' views of one context, each with a Verifier whose baseline
// is what `host` shows.
struct Views {
  std::vector<ContextOptions> contexts;
  std::vector<std::unique_ptr<Verifier>> verifiers;

  Views(const ContextOptions& context, const FixOptions& options, Host& host) {
    for (const Builder* b : options.builders) {
      ContextOptions c = context;
      c.builder = b;
      c.host = &host;
      c.require_dockerfile = false;
      contexts.push_back(c);
      verifiers.push_back(std::make_unique<Verifier>(c, options.build));
    }
  }
  // Whether `content` holds for every builder; the first refusal otherwise.
  std::string refusal(const std::string& content, const Verifier::CheckMode& mode) {
    for (size_t i = 0; i < verifiers.size(); ++i) {
      Verified v = verifiers[i]->check_content(content, mode);
      if (!v.holds) return std::string(contexts[i].builder->title()) + ": " + v.refusal;
    }
    return "";
  }
  // How many entries `content` keeps out for each builder; nullopt when it
  // does not hold for one of them.
  std::optional<std::vector<uint64_t>> kept_out(const std::string& content, const Verifier::CheckMode& mode) {
    std::vector<uint64_t> out;
    for (auto& v : verifiers) {
      Verified r = check_file(*v, content, mode);
      if (!r.holds) return std::nullopt;
      out.push_back(r.entries_removed);
    }
    return out;
  }
  // Whether some builder's COPY/ADD operand would name nothing with `content`.
  bool loses_sources(const std::string& content) {
    for (auto& v : verifiers) {
      if (v->check_content(content, Verifier::CheckMode{.keep_exceptions = false}).sources_lost) return true;
    }
    return false;
  }
};

// A pattern that matches `path` and nothing else.
std::string literal_pattern(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// What report proposes for each builder, once each, heaviest first;
// rewrites of existing lines before added lines.
std::vector<FixChange> candidates(Views& views, const BuildOptions& build) {
  std::vector<FixChange> out;
  auto add = [&](FixChange c) {
    for (const FixChange& o : out)
      if (o.line == c.line && o.text == c.text) return;
    out.push_back(std::move(c));
  };
  for (const ContextOptions& c : views.contexts) {
    Report r = make_report(c, ReportOptions{.top = 1, .depth = 0, .compare_builders = false, .build = build});
    for (const Suggestion& s : r.suggestions) add(FixChange{std::nullopt, "", s.rule, s.reason, s.files, s.bytes});
    for (const Finding& f : r.findings) {
      if (f.fix && f.fix->line && f.rule && f.severity >= Severity::kWarning) {
        add(FixChange{f.fix->line, f.rule->text, f.fix->text, f.message, 0, 0});
      } else if (f.code == "secret-file" && f.severity >= Severity::kWarning && !f.path.empty()) {
        const std::string what = f.message.substr(0, f.message.find("; exclude"));
        add(FixChange{std::nullopt, "", literal_pattern(f.path), "secret: " + what, 0, 0});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const FixChange& a, const FixChange& b) {
    if (a.line.has_value() != b.line.has_value()) return a.line.has_value();
    return a.bytes > b.bytes;
  });
  return out;
}

// `base` with the changes made: lines replaced or deleted in place (the
// last first, so that each line number still means the line reported),
// new ones in a commented block at the end saying what each keeps out.
std::string compose(const std::string& file, bool exists, const std::string& base,
                    const std::vector<FixChange>& changes) {
  std::vector<const FixChange*> in_place;
  for (const FixChange& c : changes)
    if (c.line) in_place.push_back(&c);
  std::stable_sort(in_place.begin(), in_place.end(), [](auto* a, auto* b) { return *a->line > *b->line; });
  std::string out = base;
  for (const FixChange* c : in_place) out = apply_edit(out, IgnoreEdit{file, c->line, c->text});
  bool header = false;
  for (const FixChange& c : changes) {
    if (c.line) continue;
    if (!header) {
      if (!out.empty()) out = apply_edit(out, IgnoreEdit{file, std::nullopt, ""});
      out = apply_edit(out, IgnoreEdit{file, std::nullopt, "# Added by ctxpack fix; each line was tried first."});
      // A new .dockerignore would be sent itself, and a COPY * or COPY .
      // would put it in the image.
      if (!exists && base_name(file) == ".dockerignore") {
        out = apply_edit(out, IgnoreEdit{file, std::nullopt, "# this file itself, which would be sent otherwise"});
        out = apply_edit(out, IgnoreEdit{file, std::nullopt, ".dockerignore"});
      }
      header = true;
    }
    std::string why = "# " + c.reason;
    if (c.files) why += " (" + plural(c.files, "file", "files") + ", " + human_size(c.bytes) + ")";
    out = apply_edit(out, IgnoreEdit{file, std::nullopt, why});
    out = apply_edit(out, IgnoreEdit{file, std::nullopt, c.text});
  }
  return out;
}

// Each proposal kept only if the file with it and all kept before still
// holds for every builder (proposals checked alone can still clash), and
// it keeps out more than those before it, unless it tidies a line in
// place: one builder's proposal often repeats another's, and a rewritten
// comment may free the very pattern a later proposal would add.
void improve(Fix& fix, Views& views, const std::string& base, const BuildOptions& build) {
  std::vector<uint64_t> before(views.verifiers.size(), 0);
  for (FixChange& c : candidates(views, build)) {
    if (c.line && fix.allowlist) continue;  // lines of the file being replaced
    // Two changes of one line would undo each other.
    auto same_line = [&](const FixChange& k) { return c.line && k.line == c.line; };
    if (std::any_of(fix.changes.begin(), fix.changes.end(), same_line)) continue;
    std::vector<FixChange> trial = fix.changes;
    trial.push_back(c);
    const std::string content = compose(fix.file, fix.exists, base, trial);
    // On an allowlist, only what no COPY copies goes: the list promises the same image.
    auto after = views.kept_out(content, Verifier::CheckMode{.same_copies = fix.allowlist});
    if (!after) continue;
    const bool more = std::mismatch(after->begin(), after->end(), before.begin(), std::less_equal<>()).first !=
                      after->end();
    if (!more && !(c.line && *after == before)) continue;
    before = std::move(*after);
    fix.changes = std::move(trial);
  }
  fix.after = compose(fix.file, fix.exists, base, fix.changes);
}

struct Needed {
  std::string path;  // relative, as a pattern
  size_t line;
  std::string instruction;
};

// The context paths the build's COPY/ADD sources and RUN mounts name, in
// every stage it runs; nullopt when one is the whole context.
std::optional<std::vector<Needed>> needed_paths(const ContextOptions& context, const BuildOptions& options) {
  BuildContext ctx = open_build_context(context);
  if (!ctx.dockerfile_exists) throw Error("fix --allowlist needs the Dockerfile: " + quote_path(ctx.dockerfile_path));
  BuildOptions bo = options;
  bo.builder = ctx.builder;
  const Build build = evaluate_dockerfile(parse_dockerfile(read_dockerfile(ctx).text, ctx.dockerfile_path), bo);
  std::vector<Needed> out;
  for (const BuildStage& st : build.stages) {
    if (!st.built) continue;
    for (const BuildStep& step : st.steps) {
      const DockerfileInstruction& inst = build.file.instructions[step.instruction];
      std::vector<std::string> words = step.run_context_paths;
      if (step.kind == StepKind::kCopy && step.copy.from.empty()) {
        for (const std::string& w : step.copy.sources)
          if (!is_remote_source(w)) words.push_back(w);
      }
      for (const std::string& w : words) {
        const std::string p = clean_path("/" + w);
        if (p == "/") return std::nullopt;
        out.push_back(Needed{p.substr(1), inst.line, std::string(trim_space(inst.original))});
      }
    }
  }
  return out;
}

// "*" and one exception per needed path, a path below another one left
// out (the exception for the directory sends it).
std::string allowlist_content(std::vector<Needed> needed) {
  std::stable_sort(needed.begin(), needed.end(), [](const Needed& a, const Needed& b) { return a.path < b.path; });
  std::string out =
      "# Written by ctxpack fix --allowlist: everything is left out but what the Dockerfile's COPY/ADD\n"
      "# sources need.\n*\n";
  std::vector<std::string> kept;
  for (const Needed& n : needed) {
    const bool covered = std::any_of(kept.begin(), kept.end(), [&](const std::string& k) {
      return !contains_wildcards(k) && is_at_or_below(n.path, k);
    });
    if (covered) continue;
    kept.push_back(n.path);
    std::string inst = n.instruction.size() > 100 ? n.instruction.substr(0, 97) + "..." : n.instruction;
    out += "# line " + std::to_string(n.line) + ": " + inst + "\n!" + n.path + "\n";
  }
  return out;
}

// `text` (written with "\n") with the line endings of `original`: "\r\n"
// when its first line has one, as apply_edit keeps them.
std::string with_endings_of(std::string_view original, const std::string& text) {
  const size_t nl = original.find('\n');
  if (nl == std::string_view::npos || nl == 0 || original[nl - 1] != '\r') return text;
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

// `list` and then `lines`, under a comment saying where they come from.
std::string with_lines(const std::string& list, const std::vector<std::string>& lines) {
  if (lines.empty()) return list;
  std::string out = list + "# kept from the previous ignore file: left out inside the paths above\n";
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The allowlist, when the build names what it needs and the list holds for
// every builder; then the usual changes on top of it.
bool try_allowlist(Fix& fix, const ContextOptions& context, const FixOptions& options, Views& current) {
  std::optional<std::vector<Needed>> needed;
  for (const ContextOptions& c : current.contexts) {
    auto n = needed_paths(c, options.build);
    if (!n) {
      fix.notes.push_back("a COPY/ADD of the whole context needs everything: no allowlist, only the usual changes");
      return false;
    }
    if (!needed) needed = std::move(n);
  }
  std::string list = allowlist_content(*needed);
  // What the current file keeps out inside the needed paths must stay out:
  // its exclusions follow the list, those that would empty a source left
  // out, and then each that the result does not need.
  const Verifier::CheckMode same{.keep_exceptions = false, .same_copies = true};
  std::vector<std::string> kept;
  for (const Rule& r : parse_ignore_file(fix.before, fix.file).rules) {
    if (r.pattern.starts_with("!")) continue;
    std::vector<std::string> trial = kept;
    trial.push_back(std::string(trim_space(r.text)));
    if (!current.loses_sources(with_lines(list, trial))) kept = std::move(trial);
  }
  for (size_t i = kept.size(); i-- > 0;) {
    std::vector<std::string> trial = kept;
    trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(i));
    if (current.refusal(with_lines(list, trial), same).empty()) kept = std::move(trial);
  }
  list = with_endings_of(fix.before, with_lines(list, kept));
  fix.allowlist = true;
  if (list == fix.before) {
    improve(fix, current, fix.before, options.build);  // the list is in place already
    return true;
  }
  const std::string why = current.refusal(list, same);
  if (!why.empty()) {
    fix.allowlist = false;
    // Keeping nothing out, the file already sends only what the build needs.
    if (!why.ends_with("it would keep nothing out")) fix.notes.push_back("no allowlist: for " + why);
    return false;
  }
  OverlayHost overlay(*context.host, fix.file, list);
  Views on_list(context, options, overlay);
  improve(fix, on_list, list, options.build);
  return true;
}

}  // namespace

Fix make_fix(const ContextOptions& context, const FixOptions& options) {
  if (options.builders.empty()) throw Error("fix: no builder");
  Views current(context, options, *context.host);
  Fix fix;
  fix.file = current.verifiers.front()->ignore_file();
  fix.before = current.verifiers.front()->ignore_content();
  fix.exists = context.host->exists(fix.file);
  if (!options.allowlist || !try_allowlist(fix, context, options, current)) improve(fix, current, fix.before, options.build);
  for (size_t i = 0; i < current.verifiers.size(); ++i) {
    const Verifier::CheckMode mode{.keep_exceptions = !fix.allowlist, .same_copies = false};
    // An allowlist is never a tidy-up: it must keep something out.
    Verifier& v = *current.verifiers[i];
    fix.checks.push_back(
        FixCheck{options.builders[i], fix.allowlist ? v.check_content(fix.after, mode) : check_file(v, fix.after, mode)});
  }
  if (fix.changes.empty() && !fix.allowlist) fix.after = fix.before;
  return fix;
}

}  // namespace ctxpack
