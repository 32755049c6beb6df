// ctxpack why: which .dockerignore line decides each path, in the style of
// `git check-ignore -v`.
//
// With --stdin it is a filter over possibly millions of paths, so input is
// read and output written in large blocks, and nothing is allocated per
// path once the buffers have grown.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "commands.h"
#include "format_option.h"
#include "ctxpack/support/error.h"
#include "ctxpack/context/explain.h"
#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/support/path.h"

namespace ctxpack::cli {

namespace {

struct WhyFlags {
  ContextFlags ctx;
  std::string ignore_file;
  bool from_stdin = false;
  std::string format = "text";
  bool null = false;
  std::string unused;
};

// The operands among CLI11's extras, in order: "--" ends the options (the
// first one only), anything else that looks like an option is an error.
std::vector<std::string> operands(const std::vector<std::string>& extras) {
  std::vector<std::string> out;
  bool options_over = false;
  for (const std::string& a : extras) {
    if (!options_over && a == "--") {
      options_over = true;
    } else if (!options_over && a.size() > 1 && a[0] == '-') {
      throw Error("why: unknown option " + a + " (see ctxpack why --help; use -- before paths that start with -)");
    } else {
      out.push_back(a);
    }
  }
  return out;
}

// Records separated by `delim`, read from a descriptor in large blocks.
class RecordReader {
 public:
  RecordReader(int fd, char delim) : fd_(fd), delim_(delim), buf_(1 << 20) {}

  // The next record (valid until the next call); false at the end.
  bool next(std::string_view& record) {
    while (true) {
      if (const void* hit = std::memchr(buf_.data() + begin_, delim_, end_ - begin_)) {
        size_t at = static_cast<const char*>(hit) - buf_.data();
        record = std::string_view(buf_.data() + begin_, at - begin_);
        begin_ = at + 1;
        return true;
      }
      if (eof_) {
        if (begin_ == end_) return false;
        record = std::string_view(buf_.data() + begin_, end_ - begin_);  // no final delimiter
        begin_ = end_;
        return true;
      }
      fill();
    }
  }

 private:
  void fill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a record longer than the buffer
    ssize_t n;
    do {
      n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw Error(std::string("reading standard input: ") + std::strerror(errno));
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
  }

  int fd_;
  char delim_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

// Bytes that print as themselves; anything else goes through quote_path.
bool plain_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

// Paths as the user gives them, as paths in the context: absolute ones,
// and relative ones that name something inside the context from the
// working directory (as git check-ignore takes them), are mapped into it;
// any other relative path is taken relative to the context.
class ContextPaths {
 public:
  ContextPaths(const std::string& context, const std::string& real) : real_(real) {
    char* cwd = ::getcwd(nullptr, 0);
    cwd_ = cwd ? cwd : "/";
    std::free(cwd);
    lexical_ = clean_path(context.starts_with("/") ? context : cwd_ + "/" + context);
    whole_ = context.empty() || clean_path(context) == ".";
  }

  // The path in the context; throws Error for one outside it.
  std::string map(std::string_view given) const {
    const std::string g(given);
    if (g.starts_with("/")) {
      if (auto rel = inside(clean_path(g))) return *rel;
      throw Error("why: " + quote_path(g) + " is outside the context " + quote_path(real_));
    }
    if (!whole_) {
      if (auto rel = inside(clean_path(cwd_ + "/" + g))) return *rel;
    }
    std::string rel = clean_path(g);
    if (rel == ".." || rel.starts_with("../")) {
      throw Error("why: " + quote_path(g) + " is outside the context " + quote_path(real_));
    }
    return rel;
  }

 private:
  std::optional<std::string> inside(const std::string& abs) const {
    for (const std::string& root : {lexical_, real_}) {
      if (abs == root) return std::string(".");
      if (is_at_or_below(abs, root) && root != "/") return abs.substr(root.size() + 1);
      if (root == "/") return abs.substr(1);
    }
    return std::nullopt;
  }

  std::string cwd_, lexical_, real_;
  bool whole_ = true;  // the context is the working directory: both readings agree
};

class Printer {
 public:
  Printer(const WhyFlags& flags, const Matcher& matcher) : flags_(flags), matcher_(matcher) {
    out_.reserve(kBlock + 4096);
  }
  ~Printer() { flush(); }

  // `given` is the path as the user wrote it: echoed, so that output lines
  // up with input (as git check-ignore does).
  void print(const Explanation& ex, std::string_view given) {
    if (flags_.format == "json") {
      out_ += dump_line(explanation_json(ex, given));
    } else {
      text(ex, given);
    }
    if (out_.size() >= kBlock) flush();
  }

  void flush() {
    if (out_.empty()) return;
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
  }

 private:
  static constexpr size_t kBlock = 1 << 16;

  void text(const Explanation& ex, std::string_view given) {
    out_ += ex.excluded ? "excluded\t" : "included\t";
    if (flags_.null || plain_ascii(given)) {
      out_ += given;
    } else {
      out_ += quote_path(given);
    }
    out_ += '\t';
    if (ex.verdict.rule) out_ += reference(*ex.verdict.rule);
    if (!ex.via.empty() || !ex.note.empty()) {
      out_ += '\t';
      if (!ex.via.empty()) {
        out_ += "matched parent directory ";
        out_ += ex.via;
        out_ += '/';
        if (!ex.note.empty()) out_ += "; ";
      }
      out_ += ex.note;
    }
    out_ += flags_.null ? '\0' : '\n';
  }

  // FILE:LINE:PATTERN, built once per rule.
  const std::string& reference(const Rule& rule) {
    const size_t i = matcher_.index_of(rule);
    if (references_.size() <= i) references_.resize(i + 1);
    std::string& r = references_[i];
    if (r.empty()) r = rule_reference(rule);
    return r;
  }

  const WhyFlags& flags_;
  const Matcher& matcher_;
  std::vector<std::string> references_;
  std::string out_;
};

void register_why(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<WhyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "why", "Show the .dockerignore line that decides each path (exit 0 if any is excluded, 1 if none)");
  // The operands are taken raw from CLI11's extras: as values of a
  // positional option CLI11 would turn "[slug]" into "slug" (its list
  // syntax), and a "--" after the context would end the subcommand. The
  // option below only documents them; its check sends every operand on.
  cmd->allow_extras();
  cmd->validate_positionals();
  cmd->add_option("operands", flags->unused,
                  "[CONTEXT] PATH...: the first argument is the context when it is a directory, an archive or a git URL and paths follow "
                  "(or --stdin); paths are relative to the context; -- ends the options")
      ->check(CLI::Validator([](std::string&) { return std::string("taken raw"); }, "", ""));
  flags->ctx.add_to(*cmd, false);
  cmd->add_option("--ignore-file", flags->ignore_file,
                  "Judge paths against this ignore file alone (no context; paths need not exist)");
  cmd->add_flag("--stdin", flags->from_stdin, "Read paths from standard input, one per line");
  add_format_options(*cmd, flags->format, {"text", "json"}, "text (default), or json: one JSON object per path per line");
  cmd->add_flag("-0,-z,--null", flags->null, "NUL-separated paths on input and output, names raw");
  cmd->callback([flags, cmd, &run] {
    run = [flags, cmd] {
      std::vector<std::string> paths = operands(cmd->remaining());
      std::optional<BuildContext> ctx;
      std::unique_ptr<Matcher> rules_only;
      std::string paths_context;
      if (!flags->ignore_file.empty()) {
        rules_only = std::make_unique<Matcher>(read_named_ignore_file(flags->ignore_file).rules);
      } else {
        if (flags->from_stdin && flags->ctx.dockerfile == "-") throw Error("why: -f - and --stdin both read stdin");
        ContextFlags given = flags->ctx;
        if (!paths.empty() && (paths.size() > 1 || flags->from_stdin) &&
            (is_directory(paths[0]) || is_context_archive(paths[0]) || is_git_url(paths[0]))) {
          given.context = paths[0];
          paths.erase(paths.begin());
        }
        ContextOptions options = given.options();
        options.require_dockerfile = false;
        paths_context = options.context;
        ctx.emplace(open_build_context(options));
      }
      if (paths.empty() && !flags->from_stdin) throw Error("why: no paths given (name them, or use --stdin)");
      const Matcher& matcher = ctx ? *ctx->matcher : *rules_only;
      bool any_excluded = false;
      Printer printer(*flags, matcher);
      std::optional<ContextPaths> mapping;
      // Paths in an archive or a clone are only ever relative to its root.
      const bool remote = ctx && (ctx->archive || ctx->git);
      if (ctx) mapping.emplace(remote ? "." : paths_context, remote ? "/" : ctx->dir);
      Explanation ex;
      auto judge = [&](std::string_view path) {
        if (ctx) {
          std::string in_context;
          try {
            in_context = mapping->map(path);
          } catch (const Error&) {
            printer.flush();
            throw;
          }
          ex = explain_in_context(*ctx, in_context);
        } else {
          explain_by_rules(matcher, path, ex);
        }
        any_excluded = any_excluded || ex.excluded;
        printer.print(ex, path);
      };
      for (const std::string& p : paths) judge(p);
      if (flags->from_stdin) {
        RecordReader in(STDIN_FILENO, flags->null ? '\0' : '\n');
        std::string_view line;
        while (in.next(line)) {
          if (!flags->null && !line.empty() && line.back() == '\r') line.remove_suffix(1);
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
