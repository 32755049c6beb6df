// The COPY planner's test fixture: the research notes' context A
// (copy-semantics.md §6) on a fake machine, planned by any builder.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/context.h"
#include "ctxpack/copy/copy_plan.h"
#include "ctxpack/dockerfile/dockerfile.h"
#include "fake_filesystem.h"

namespace ctxpack {

using Strings = std::vector<std::string>;

const Builder* const kBK = &buildkit_builder();
const Builder* const kLegacy = &legacy_builder();

// The research notes' context A, on a fake machine at /work/ctx.
class FakeContext {
 public:
  FakeContext() { host.machine().dir("work/ctx"); }
  void write(const std::string& rel, const std::string& content) { host.machine().file("work/ctx/" + rel, content); }
  void mkdir(const std::string& rel) { host.machine().dir("work/ctx/" + rel); }
  void symlink(const std::string& target, const std::string& rel) { host.machine().symlink("work/ctx/" + rel, target); }
  std::string path() const { return "ctx"; }
  testing::FakeHost host;
};

class CopyPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write(".dockerignore", "secret.txt\n");
    dir.write(".env", "TOKEN=1\n");
    dir.write("a.txt", "a\n");
    dir.write("b.txt", "b\n");
    dir.write("c.md", "c\n");
    dir.write("secret.txt", "s\n");
    dir.write("dir1/f1", "dir1 f1\n");
    dir.write("dir1/x.txt", "x\n");
    dir.write("dir1/sub/f2", "f2\n");
    dir.write("dir2/f1", "dir2 f1\n");
    dir.write("dir2/.hidden", "h\n");
    dir.mkdir("empty");
    link("a.txt", "link-a");
    link("dir1", "link-dir");
  }

  void link(const std::string& target, const std::string& name) { dir.symlink(target, name); }

  CopyPlan plan(const std::string& instructions, const Builder* builder = kBK, BuildOptions options = {},
                const std::string& head = "FROM scratch\n") {
    std::string df = head + instructions;
    dir.write("Dockerfile", df);
    ContextOptions co;
    co.context = dir.path();
    co.host = &dir.host;
    co.builder = builder;
    BuildContext ctx = open_build_context(co);
    options.builder = builder;
    Build build = evaluate_dockerfile(parse_dockerfile(df, "Dockerfile"), options);
    return plan_copies(ctx, build);
  }

  // The last COPY/ADD of a plan.
  static const CopyInstructionPlan& last(const CopyPlan& p) { return p.instructions.back(); }

  // What the target stage's image holds: "path" ("path/" for directories,
  // "path -> target" for symlinks, "path = origin" for files).
  static Strings image(const CopyPlan& p) {
    Strings out;
    for (const auto& e : p.image) {
      if (e.type == EntryType::kDir) {
        out.push_back(e.dest + "/");
      } else if (e.type == EntryType::kSymlink) {
        out.push_back(e.dest + " -> " + e.link);
      } else {
        out.push_back(e.dest + " = " + e.src);
      }
    }
    return out;
  }

  static std::string error(const CopyPlan& p) { return last(p).error.value_or(""); }

  static bool has_warning(const CopyInstructionPlan& ip, const std::string& code) {
    for (const auto& w : ip.warnings) {
      if (w.code == code) return true;
    }
    return false;
  }
  static std::string warning(const CopyInstructionPlan& ip, const std::string& code) {
    for (const auto& w : ip.warnings) {
      if (w.code == code) return w.message;
    }
    return "";
  }

  FakeContext dir;
};

}  // namespace ctxpack
