// What the frontend knows before running anything: stages, ARG and ENV
// values, WORKDIR, and every COPY/ADD with its words expanded.
#include <sys/utsname.h>

#include <algorithm>
#include <map>
#include <set>

#include "ctxpack/support/path.h"
#include "ctxpack/support/text.h"
#include "syntax.h"

namespace ctxpack {

using namespace dockerfile;

namespace {

// The frontend's flag parser (BFlags): --name=value, --bool[=true|false];
// unknown and repeated flags are errors.
class Flags {
 public:
  enum class Type { kString, kBool, kStrings };
  struct Flag {
    Type type;
    std::string value;
    std::vector<std::string> values;
    bool used = false;
  };

  void add(const std::string& name, Type type) { flags_[name] = Flag{type, {}, {}, false}; }

  void parse(const std::vector<std::string>& args) {
    for (const auto& arg : args) {
      if (arg.compare(0, 2, "--") != 0) throw Error("arg should start with -- : " + arg);
      std::string key = arg.substr(2), value;
      size_t eq = key.find('=');
      bool has_value = eq != std::string::npos;
      if (has_value) {
        value = key.substr(eq + 1);
        key.resize(eq);
      }
      auto it = flags_.find(key);
      if (it == flags_.end()) throw Error("unknown flag: " + key);
      Flag& f = it->second;
      if (f.used && f.type != Type::kStrings) throw Error("duplicate flag specified: " + key);
      f.used = true;
      switch (f.type) {
        case Type::kBool: {
          if (has_value && value.empty()) throw Error("missing a value on flag: " + key);
          std::string l = ascii_lower(value);
          if (l.empty()) l = "true";
          if (l != "true" && l != "false") throw Error("expecting boolean value for flag " + key + ", not: " + value);
          f.value = l;
          break;
        }
        case Type::kString:
          if (!has_value) throw Error("missing a value on flag: " + key);
          f.value = value;
          break;
        case Type::kStrings:
          if (!has_value) throw Error("missing a value on flag: " + key);
          f.values.push_back(value);
          break;
      }
    }
  }
  const Flag& get(const std::string& name) const { return flags_.at(name); }

 private:
  std::map<std::string, Flag> flags_;
};

struct StageState {
  Vars env;                         // ENV and ARG values in scope
  std::set<std::string> env_names;  // names set by ENV (they win over ARG)
  std::string workdir = "/";
  bool base_unknown = false;  // a real base image: it may set variables we cannot see
};

class Evaluator {
 public:
  Evaluator(Build& build, const BuildOptions& options) : b_(build), opt_(options) {}

  void run() {
    const auto& insts = b_.file.instructions;
    // The builder's own ARGs are in the global scope: global ARG defaults
    // and FROM lines see them (stages only when they redeclare them).
    automatic_ = opt_.builder->automatic_args(opt_.platform);
    Vars global;
    for (const auto& [k, v] : automatic_) global[k] = VarValue{v, true};
    global_vars_ = global;
    size_t i = 0;
    // Instructions before the first FROM: only ARG is allowed.
    for (; i < insts.size() && insts[i].command != "from"; ++i) {
      const auto& inst = insts[i];
      if (inst.command != "arg") fail(inst, "no build stage in current context");
      declare_args(inst, global, nullptr, true);
    }
    if (i == insts.size()) fail(insts.back(), "no build stage in current context");
    StageState* state = nullptr;
    std::vector<StageState> states;
    states.reserve(insts.size());
    for (; i < insts.size(); ++i) {
      const auto& inst = insts[i];
      if (inst.command == "from") {
        current_base_unknown_ = false;
        start_stage(i, global, states);
        state = &states.back();
        current_base_unknown_ = state->base_unknown;
        continue;
      }
      BuildStage& stage = b_.stages.back();
      BuildStep step;
      step.instruction = i;
      step.workdir = state->workdir;
      if (inst.command == "arg") {
        declare_args(inst, state->env, state, false);
      } else if (inst.command == "env") {
        set_env(inst, *state);
      } else if (inst.command == "workdir") {
        if (inst.args.empty()) fail(inst, "WORKDIR requires exactly one argument");
        std::string wd = expand(inst, inst.args[0], state->env, &step.notes);
        if (wd.empty()) fail(inst, "cannot normalize nothing");
        state->workdir = wd[0] == '/' ? clean_path(wd) : clean_path(state->workdir + "/" + wd);
        step.kind = StepKind::kWorkdir;
        step.workdir = state->workdir;
      } else if (inst.command == "copy" || inst.command == "add") {
        step.kind = StepKind::kCopy;
        step.copy = parse_copy(inst, *state, &step.notes);
      } else if (inst.command == "run") {
        step.kind = StepKind::kRun;
        step.run_context_paths = bind_mounts(inst, *state, &step.notes);
      }
      stage.steps.push_back(std::move(step));
    }
    choose_target();
  }

 private:
  [[noreturn]] void fail(const DockerfileInstruction& inst, const std::string& msg) {
    fail_at(b_.file.name, inst.line, msg);
  }

  std::string expand(const DockerfileInstruction& inst, const std::string& word, const Vars& vars,
                     std::vector<std::string>* notes) {
    std::vector<std::string> unknown;
    std::string out;
    try {
      out = expand_word(word, vars, b_.file.escape, &unknown, current_base_unknown_);
    } catch (const Error& e) {
      fail(inst, e.what());
    }
    for (const auto& u : unknown) {
      std::string note = "$" + u + " may come from the base image: its value is unknown here";
      if (notes && std::find(notes->begin(), notes->end(), note) == notes->end()) notes->push_back(note);
    }
    return out;
  }

  void declare_args(const DockerfileInstruction& inst, Vars& vars, StageState* state, bool global) {
    if (inst.args.empty()) fail(inst, "ARG requires at least one argument");
    for (const auto& word : inst.args) {
      std::string key = word, value;
      bool has_default = false;
      size_t eq = word.find('=');
      if (eq != std::string::npos) {
        key = word.substr(0, eq);
        value = expand(inst, word.substr(eq + 1), global ? global_vars_ : vars, nullptr);
        has_default = true;
      }
      if (state && state->env_names.count(key)) continue;  // ENV wins over ARG
      auto given = opt_.build_args.find(key);
      if (given != opt_.build_args.end()) {
        vars[key] = VarValue{given->second, true};
      } else if (has_default) {
        vars[key] = VarValue{value, true};
      } else if (!global) {
        // Redeclaring a global ARG brings its value into the stage.
        auto g = global_vars_.find(key);
        if (g != global_vars_.end()) {
          vars[key] = g->second;
        } else if (auto p = predefined(key)) {
          vars[key] = VarValue{*p, true};
        }
      } else if (auto p = predefined(key)) {
        vars[key] = VarValue{*p, true};
      }
      if (global) global_vars_ = vars;
    }
  }

  std::optional<std::string> predefined(const std::string& key) const {
    auto it = automatic_.find(key);
    if (it == automatic_.end()) return std::nullopt;
    return it->second;
  }

  void set_env(const DockerfileInstruction& inst, StageState& state) {
    const auto& words = inst.args;
    if (words.empty()) fail(inst, "ENV must have two arguments");
    auto set = [&](const std::string& k, const std::string& v) {
      std::string key = expand(inst, k, state.env, nullptr);
      state.env[key] = VarValue{expand(inst, v, state.env, nullptr), true};
      state.env_names.insert(key);
    };
    if (words[0].find('=') == std::string::npos) {
      // The old form: ENV name value with spaces.
      std::string_view rest = trim(inst.original);
      rest.remove_prefix(std::min(rest.size(), inst.keyword.size()));
      rest = trim(rest);
      size_t cut = 0;
      while (cut < rest.size() && !is_blank(rest[cut])) ++cut;
      std::string_view value = trim(rest.substr(cut));
      if (value.empty()) fail(inst, "ENV must have two arguments");
      set(std::string(rest.substr(0, cut)), std::string(value));
      return;
    }
    for (const auto& w : words) {
      size_t eq = w.find('=');
      if (eq == std::string::npos)
        fail(inst, "Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
      set(w.substr(0, eq), w.substr(eq + 1));
    }
  }

  void start_stage(size_t index, const Vars& global, std::vector<StageState>& states) {
    const auto& inst = b_.file.instructions[index];
    Flags flags;
    flags.add("platform", Flags::Type::kString);
    try {
      flags.parse(inst.flags);
    } catch (const Error& e) {
      fail(inst, e.what());
    }
    const auto& a = inst.args;
    if (!(a.size() == 1 || (a.size() == 3 && ascii_lower(a[1]) == "as"))) {
      fail(inst, "FROM requires either one or three arguments");
    }
    BuildStage stage;
    stage.line = inst.line;
    stage.base = expand(inst, a[0], global, nullptr);
    if (a.size() == 3) {
      stage.name = ascii_lower(a[2]);
      for (const auto& s : b_.stages) {
        if (!s.name.empty() && s.name == stage.name) fail(inst, "duplicate stage name \"" + stage.name + "\"");
      }
    }
    stage.base_stage = find_stage(b_, stage.base, b_.stages.size());
    stage.scratch = stage.base_stage < 0 && ascii_lower(stage.base) == "scratch";
    StageState st;
    if (stage.base_stage >= 0) {
      st = states[stage.base_stage];
    } else if (!stage.scratch) {
      // A real image brings an environment we cannot see.
      st.base_unknown = true;
    }
    states.push_back(std::move(st));
    b_.stages.push_back(std::move(stage));
  }

  CopyCommand parse_copy(const DockerfileInstruction& inst, StageState& state, std::vector<std::string>* notes) {
    CopyCommand c;
    c.add = inst.command == "add";
    const char* upper = c.add ? "ADD" : "COPY";
    if (inst.args.size() < 2) {
      fail(inst,
           std::string(upper) +
               " requires at least two arguments, but only one was provided. Destination could not be determined.");
    }
    Flags flags;
    flags.add("chown", Flags::Type::kString);
    flags.add("chmod", Flags::Type::kString);
    flags.add("link", Flags::Type::kBool);
    flags.add("exclude", Flags::Type::kStrings);
    if (c.add) {
      flags.add("checksum", Flags::Type::kString);
      flags.add("keep-git-dir", Flags::Type::kBool);
      flags.add("unpack", Flags::Type::kBool);
    } else {
      flags.add("from", Flags::Type::kString);
      flags.add("parents", Flags::Type::kBool);
    }
    try {
      flags.parse(inst.flags);
    } catch (const Error& e) {
      fail(inst, e.what());
    }
    Vars& vars = state.env;
    auto str = [&](const char* n) { return expand(inst, flags.get(n).value, vars, notes); };
    c.chown = str("chown");
    c.chmod = str("chmod");
    c.has_chmod = flags.get("chmod").used;
    c.link = flags.get("link").value == "true";
    for (const auto& e : flags.get("exclude").values) c.excludes.push_back(expand(inst, e, vars, notes));
    if (c.add) {
      c.checksum = str("checksum");
      c.keep_git_dir = flags.get("keep-git-dir").value == "true";
      if (flags.get("unpack").used) c.unpack = flags.get("unpack").value == "true";
    } else {
      c.from = str("from");
      c.parents = flags.get("parents").value == "true";
    }

    const std::string& dest_word = inst.args.back();
    if (parse_heredoc_word(dest_word)) fail(inst, std::string(upper) + " cannot accept a heredoc as a destination");
    std::map<std::string, const Heredoc*> bodies;
    for (const auto& h : inst.heredocs) bodies[h.name] = &h;
    for (size_t k = 0; k + 1 < inst.args.size(); ++k) {
      const std::string& word = inst.args[k];
      auto h = inst.json ? std::nullopt : parse_heredoc_word(word);
      if (h) {
        auto body = bodies.find(h->name);
        if (body != bodies.end()) h->content = body->second->content;
        if (h->chomp) {
          std::string chomped;
          bool at_start = true;
          for (char ch : h->content) {
            if (at_start && ch == '\t') continue;
            at_start = ch == '\n';
            chomped += ch;
          }
          h->content = chomped;
        }
        c.source_order.push_back(~c.heredoc_sources.size());
        c.heredoc_sources.push_back(*h);
      } else {
        c.source_order.push_back(c.sources.size());
        std::vector<std::string> unknown;
        c.sources.push_back(expand(inst, word, vars, &unknown));
        c.unknown_sources.push_back(!unknown.empty());
        for (const std::string& note : unknown) {
          if (notes && std::find(notes->begin(), notes->end(), note) == notes->end()) notes->push_back(note);
        }
      }
    }
    c.dest = expand(inst, dest_word, vars, notes);
    return c;
  }

  // RUN --mount=type=bind,source=PATH (without from=) reads the context.
  std::vector<std::string> bind_mounts(const DockerfileInstruction& inst, StageState& state,
                                       std::vector<std::string>* notes) {
    std::vector<std::string> out;
    for (const auto& f : inst.flags) {
      if (f.compare(0, 8, "--mount=") != 0) continue;
      std::string type = "bind", source, from;
      bool has_source = false;
      std::string spec = f.substr(8);
      size_t i = 0;
      while (i <= spec.size()) {
        size_t j = spec.find(',', i);
        if (j == std::string::npos) j = spec.size();
        std::string field = spec.substr(i, j - i);
        size_t eq = field.find('=');
        std::string k = ascii_lower(field.substr(0, eq)), v = eq == std::string::npos ? "" : field.substr(eq + 1);
        if (k == "type") type = v;
        if (k == "source" || k == "src") {
          source = expand(inst, v, state.env, notes);
          has_source = true;
        }
        if (k == "from") from = v;
        i = j + 1;
      }
      if (type == "bind" && from.empty()) out.push_back(has_source ? source : "/");
    }
    return out;
  }

  void choose_target() {
    if (b_.stages.empty()) return;
    b_.target = b_.stages.size() - 1;
    if (!opt_.target.empty()) {
      int t = find_stage(b_, opt_.target, b_.stages.size());
      if (t < 0 || b_.stages[t].name.empty())
        throw Error("failed to reach build target " + opt_.target + " in Dockerfile");
      b_.target = static_cast<size_t>(t);
    }
    if (opt_.builder->runs_every_stage() || opt_.all_targets) {
      if (opt_.all_targets) b_.target = b_.stages.size() - 1;
      // Every stage up to the target, in order.
      for (size_t s = 0; s <= b_.target; ++s) b_.stages[s].built = true;
      return;
    }
    // Only what the target depends on.
    std::vector<size_t> todo = {b_.target};
    while (!todo.empty()) {
      size_t s = todo.back();
      todo.pop_back();
      if (b_.stages[s].built) continue;
      b_.stages[s].built = true;
      if (b_.stages[s].base_stage >= 0) todo.push_back(static_cast<size_t>(b_.stages[s].base_stage));
      for (const auto& step : b_.stages[s].steps) {
        if (step.kind == StepKind::kCopy && !step.copy.from.empty()) {
          int dep = find_stage(b_, step.copy.from, s);
          if (dep >= 0) todo.push_back(static_cast<size_t>(dep));
        }
      }
    }
  }

  Build& b_;
  const BuildOptions& opt_;
  Vars global_vars_;
  std::map<std::string, std::string> automatic_;
  bool current_base_unknown_ = false;
};

}  // namespace

namespace {
std::string normal_arch(std::string a) {
  if (a == "x86_64" || a == "x86-64") return "amd64";
  if (a == "aarch64") return "arm64";
  if (a == "i386" || a == "i686") return "386";
  return a;
}
}  // namespace

Platform parse_platform(std::string_view text) {
  std::vector<std::string> parts = path_components(text);
  if (parts.empty() || parts.size() > 3 || text.find("//") != std::string_view::npos) {
    throw Error("invalid platform \"" + std::string(text) + "\" (os/arch[/variant], e.g. linux/arm64)");
  }
  if (parts.size() == 1) parts.insert(parts.begin(), "linux");
  Platform p{ascii_lower(parts[0]), normal_arch(ascii_lower(parts[1])), parts.size() == 3 ? parts[2] : ""};
  if (p.arch == "arm64" && p.variant == "v8") p.variant.clear();  // containerd's normal form
  return p;
}

Platform host_platform() {
  struct utsname u;
  if (::uname(&u) != 0) return Platform{"linux", "amd64", ""};
  std::string machine = u.machine;
  if (machine.starts_with("armv7")) return Platform{"linux", "arm", "v7"};
  if (machine.starts_with("armv6")) return Platform{"linux", "arm", "v6"};
  return Platform{"linux", normal_arch(machine), ""};
}

int find_stage(const Build& build, std::string_view name, size_t before) {
  std::string l = ascii_lower(name);
  for (size_t i = 0; i < std::min(before, build.stages.size()); ++i) {
    if (!build.stages[i].name.empty() && build.stages[i].name == l) return static_cast<int>(i);
  }
  // A stage can also be named by its index.
  if (!l.empty() &&
      std::all_of(l.begin(), l.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    // Parsed by hand: an index longer than any stage count must not throw.
    size_t limit = std::min(before, build.stages.size()), idx = 0;
    for (char c : l) {
      idx = idx * 10 + static_cast<size_t>(c - '0');
      if (idx >= limit) return -1;
    }
    return static_cast<int>(idx);
  }
  return -1;
}

Build evaluate_dockerfile(ParsedDockerfile file, const BuildOptions& options) {
  Build build;
  build.file = std::move(file);
  Evaluator(build, options).run();
  return build;
}

}  // namespace ctxpack
