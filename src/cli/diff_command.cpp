// ctxpack diff: what changed between two contexts, grouped by where the
// bytes went, with a CI gate on growth.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "ctxpack/context/git_context.h"
#include "ctxpack/diff/diff.h"
#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"
#include "format_option.h"

namespace ctxpack::cli {

namespace {

struct DiffFlags {
  std::vector<std::string> contexts;  // OLD NEW, or NEW alone with --git
  std::string git_ref;
  std::string dockerfile;
  std::string builder{default_builder().id()};
  std::string format = "text";
  size_t top = 5;
  std::string max_growth;
};

// --max-growth: a percentage of the old size or an absolute size.
struct GrowthGate {
  bool percent = false;
  double value = 0;
  std::string text;
  uint64_t threshold(uint64_t before) const {
    return static_cast<uint64_t>(percent ? value * static_cast<double>(before) / 100 : value);
  }
};

GrowthGate parse_growth(const std::string& text) {
  GrowthGate g;
  g.text = text;
  if (!text.empty() && text.back() == '%') {
    char* end = nullptr;
    const std::string number = text.substr(0, text.size() - 1);
    g.value = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || g.value < 0) throw Error("bad --max-growth \"" + text + "\" (10%, 50MB...)");
    g.percent = true;
    return g;
  }
  g.value = static_cast<double>(parse_size(text));
  return g;
}

// The directory `dir` as a clean checkout of --git's commit would have it.
// Both sides leave .git out: a clone's .git differs from the working copy's
// in every file.
// What every side that is a context shares: no Dockerfile is required,
// and .git is left out of both sides when one of them is a commit.
ContextOptions side_options(const DiffFlags& flags, const std::string& context) {
  ContextOptions o;
  o.context = context;
  o.builder = &find_builder(flags.builder);
  o.require_dockerfile = false;
  o.hide_git_dir = !flags.git_ref.empty();
  return o;
}

std::unique_ptr<EntrySource> open_commit(const DiffFlags& flags, const std::string& dir,
                                         std::shared_ptr<const GitCheckout> checkout) {
  ContextOptions o = side_options(flags, dir);
  o.dockerfile = flags.dockerfile;
  o.git = std::move(checkout);
  return directory_source(o, warn);
}

// "-" is a context archive or an `ls --json` listing on stdin, as its
// first bytes say.
std::unique_ptr<EntrySource> open_side(const DiffFlags& flags, const std::string& arg) {
  if (arg == "-") {
    StdinInput in = read_stdin_input();
    if (!in.archive) return listing_source(std::move(in.text), "(stdin)");
    ContextOptions o = side_options(flags, "-");
    o.dockerfile = flags.dockerfile;
    o.archive = in.archive;
    return directory_source(o, warn);
  }
  const bool archive = !is_directory(arg) && is_context_archive(arg);
  if (archive || is_directory(arg)) {
    ContextOptions o = side_options(flags, arg);
    // Each context's own Dockerfile decides which ignore file applies; in
    // an archive, -f names it inside.
    if (!flags.dockerfile.empty()) o.dockerfile = archive ? flags.dockerfile : join_path(arg, flags.dockerfile);
    if (archive) o.archive = read_context_archive(arg);
    return directory_source(o, warn);
  }
  std::unique_ptr<InputFile> file;
  if (int err = disk_host().open_file(arg, &file)) throw_errno("cannot open", arg, err);
  return listing_source(std::move(file), arg);
}

std::string signed_size(int64_t delta) {
  if (delta == 0) return "0B";
  return (delta > 0 ? "+" : "-") + human_size(static_cast<uint64_t>(delta > 0 ? delta : -delta));
}

const char* kind_mark(ChangeKind k) { return k == ChangeKind::kAdded ? "+" : k == ChangeKind::kRemoved ? "-" : "~"; }

std::string counts(uint64_t added, uint64_t removed, uint64_t changed) {
  std::vector<std::string> parts;
  if (added) parts.push_back(std::to_string(added) + " added");
  if (removed) parts.push_back(std::to_string(removed) + " removed");
  if (changed) parts.push_back(std::to_string(changed) + " changed");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

void print_text(const DiffTotals& t, const std::vector<ChangeGroup>& groups) {
  const int64_t delta = static_cast<int64_t>(t.bytes_after) - static_cast<int64_t>(t.bytes_before);
  if (t.added + t.removed + t.changed == 0) {
    std::printf("no differences (%s in %s)\n", human_size(t.bytes_after).c_str(),
                plural(t.entries_after, "entry", "entries").c_str());
    return;
  }
  std::printf("%s: %s -> %s, %s -> %s (%s)\n", signed_size(delta).c_str(), human_size(t.bytes_before).c_str(),
              human_size(t.bytes_after).c_str(), plural(t.entries_before, "entry", "entries").c_str(),
              plural(t.entries_after, "entry", "entries").c_str(), counts(t.added, t.removed, t.changed).c_str());
  for (const ChangeGroup& g : groups) {
    std::printf("\n%9s  %s  %s\n", signed_size(g.byte_delta).c_str(),
                quote_path(g.is_dir ? g.path + "/" : g.path).c_str(), counts(g.added, g.removed, g.changed).c_str());
    for (const Contributor& c : g.top) {
      std::string line = quote_path(c.type == FileType::kDirectory ? c.path + "/" : c.path);
      if (c.kind == ChangeKind::kChanged) {
        std::string what;
        for (const std::string& w : change_names(c.what)) what += (what.empty() ? "" : ", ") + w;
        line += " (" + what + ")";
      } else if (!c.excluded_by.empty()) {
        line += std::string(c.kind == ChangeKind::kAdded ? " (was excluded by " : " (excluded by ") +
                c.excluded_by + ")";
      }
      std::printf("%9s  %s %s\n", signed_size(c.byte_delta).c_str(), kind_mark(c.kind), line.c_str());
    }
    const uint64_t shown = g.top.size(), all = g.added + g.removed + g.changed;
    if (all > shown && shown > 0) std::printf("%9s  ... %llu more\n", "", static_cast<unsigned long long>(all - shown));
  }
}

// The three lists of --json, spooled to temporary files as they come so
// that memory does not grow with the number of changes.
class JsonLists : public ChangeVisitor {
 public:
  JsonLists() {
    for (FILE*& f : files_) {
      f = std::tmpfile();
      if (!f) throw_errno("cannot create", "a temporary file", errno);
    }
  }
  ~JsonLists() override {
    for (FILE* f : files_) std::fclose(f);
  }
  JsonLists(const JsonLists&) = delete;
  JsonLists& operator=(const JsonLists&) = delete;

  void change(const Change& c) override {
    Json j{{"path", c.path()}};
    if (c.kind == ChangeKind::kChanged) {
      j["type"] = std::string(type_name(c.after->type));
      if (c.what & kChangedType) j["old_type"] = std::string(type_name(c.before->type));
      j["what"] = change_names(c.what);
      j["old_bytes"] = content_bytes(*c.before);
      j["new_bytes"] = content_bytes(*c.after);
    } else {
      const SourceEntry& e = c.after ? *c.after : *c.before;
      j["type"] = std::string(type_name(e.type));
      j["bytes"] = content_bytes(e);
      if (!e.rule.empty()) j["rule"] = e.rule;
      if (!c.excluded_by.empty()) j["excluded_by"] = c.excluded_by;
    }
    const size_t i = static_cast<size_t>(c.kind);
    std::string line = (count_[i]++ ? ",\n    " : "\n    ") + j.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (std::fwrite(line.data(), 1, line.size(), files_[i]) != line.size()) {
      throw_errno("cannot write", "a temporary file", errno);
    }
  }

  // Writes the document; `tail` holds the keys after the lists.
  void print(const Json& tail) {
    static const char* const names[] = {"added", "removed", "changed"};
    std::fputs("{", stdout);
    for (size_t i = 0; i < 3; ++i) {
      std::printf("%s\n  \"%s\": [", i ? "," : "", names[i]);
      std::rewind(files_[i]);
      char buf[1 << 16];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, files_[i])) > 0) std::fwrite(buf, 1, n, stdout);
      std::fputs(count_[i] ? "\n  ]" : "]", stdout);
    }
    for (const auto& [key, value] : tail.items()) {
      std::printf(",\n  \"%s\": %s", key.c_str(), value.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    }
    std::fputs("\n}\n", stdout);
  }

 private:
  FILE* files_[3] = {};
  uint64_t count_[3] = {};
};

// Hands each change to every visitor.
class Tee : public ChangeVisitor {
 public:
  Tee(ChangeVisitor& a, ChangeVisitor* b) : a_(a), b_(b) {}
  void change(const Change& c) override {
    a_.change(c);
    if (b_) b_->change(c);
  }

 private:
  ChangeVisitor& a_;
  ChangeVisitor* b_;
};

Json groups_json(const std::vector<ChangeGroup>& groups) {
  Json out = Json::array();
  for (const ChangeGroup& g : groups) {
    out.push_back(Json{{"path", g.path},
                       {"dir", g.is_dir},
                       {"bytes_delta", g.byte_delta},
                       {"added", g.added},
                       {"removed", g.removed},
                       {"changed", g.changed}});
  }
  return out;
}

int run_diff(const DiffFlags& flags) {
  const std::vector<std::string>& args = flags.contexts;
  const bool git = !flags.git_ref.empty();
  if (git && args.size() > 1) throw Error("diff --git REF takes one context, NEW (default .): OLD is REF's checkout of it");
  if (!git && args.size() != 2) throw Error("diff takes two contexts, OLD and NEW (or --git REF [NEW])");
  const std::string after_arg = args.empty() ? "." : args.back();
  if (!git && args[0] == "-" && after_arg == "-") throw Error("only one of OLD and NEW can be - (stdin)");
  if (git && !is_directory(after_arg)) throw Error("diff --git: " + after_arg + " is not a directory");
  std::optional<GrowthGate> gate;
  if (!flags.max_growth.empty()) gate = parse_growth(flags.max_growth);
  std::unique_ptr<EntrySource> before = git ? open_commit(flags, after_arg, GitCheckout::of_commit(after_arg, flags.git_ref))
                                            : open_side(flags, args[0]);
  std::unique_ptr<EntrySource> after = open_side(flags, after_arg);
  const bool json = flags.format == "json";
  ChangeGroups groups(json ? 0 : flags.top);
  std::unique_ptr<JsonLists> lists = json ? std::make_unique<JsonLists>() : nullptr;
  Tee tee(groups, lists.get());
  const DiffTotals t = diff_sources(*before, *after, tee);
  const std::vector<ChangeGroup> sorted = groups.sorted();

  std::string failure;
  if (gate && t.bytes_after > t.bytes_before && t.bytes_after - t.bytes_before > gate->threshold(t.bytes_before)) {
    const uint64_t growth = t.bytes_after - t.bytes_before;
    failure = "the context grew by " + human_size(growth) + " (" + std::to_string(growth) + " bytes, " +
              human_size(t.bytes_before) + " -> " + human_size(t.bytes_after) + "), over --max-growth " + gate->text;
  }
  if (lists) {
    Json tail{{"bytes_before", t.bytes_before},
              {"bytes_after", t.bytes_after},
              {"entries_before", t.entries_before},
              {"entries_after", t.entries_after},
              {"groups", groups_json(sorted)}};
    if (gate) tail["max_growth"] = Json{{"limit", gate->text}, {"failed", !failure.empty()}};
    lists->print(tail);
  } else {
    print_text(t, sorted);
  }
  std::fflush(stdout);
  if (failure.empty()) return 0;
  std::fprintf(stderr, "ctxpack: %s\n", failure.c_str());
  return 1;
}

void register_diff(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "What changed between two contexts (directories, tar archives, ls --json listings or git commits)");
  cmd->add_option("contexts", flags->contexts,
                  "OLD NEW: each a directory, a tar archive or a saved ls --json listing (- for stdin); "
                  "with --git, NEW alone (default .)")
      ->expected(0, 2);
  cmd->add_option("--git", flags->git_ref,
                  "OLD is NEW as a clean checkout of this commit would send it (what CI sends): HEAD, a branch, a tag...");
  cmd->add_option("-f,--file", flags->dockerfile,
                  "The Dockerfile's path inside each context directory (default: Dockerfile)");
  std::vector<std::string> ids;
  for (const Builder* b : builders()) {
    ids.emplace_back(b->id());
    for (std::string_view alias : b->aliases()) ids.emplace_back(alias);
  }
  cmd->add_option("--builder", flags->builder, "Builder whose rules apply (default buildkit)")
      ->check(CLI::IsMember(ids));
  add_format_options(*cmd, flags->format, {"text", "json"}, "Output: text (default), or json: every change");
  cmd->add_option("--top", flags->top, "How many of the largest changes to show per top-level entry (default 5)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--max-growth", flags->max_growth,
                  "Fail (exit 1) when the context grew by more than this: a size (50MB) or a percentage (10%)");
  cmd->callback([flags, &run] { run = [flags] { return run_diff(*flags); }; });
}

CommandRegistration registration{"diff", register_diff};

}  // namespace

}  // namespace ctxpack::cli
