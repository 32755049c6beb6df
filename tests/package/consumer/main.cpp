// select CONTEXT: every path BuildKit's selection sends, in order, as
// `ctxpack ls` prints plain names.
#include <cstdio>
#include <ctxpack/context/context.h>
#include <ctxpack/context/walk.h>
#include <ctxpack/support/error.h>
#include <string>

namespace {
class Print : public ctxpack::WalkVisitor {
 public:
  void visit(const ctxpack::WalkEntry& e) override {
    const bool dir = e.entry->info.type == ctxpack::FileType::kDirectory;
    std::printf("%.*s%s\n", static_cast<int>(e.path.size()), e.path.data(), dir ? "/" : "");
  }
  void warning(const std::string& message) override { std::fprintf(stderr, "warning: %s\n", message.c_str()); }
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    ctxpack::ContextOptions options;
    options.context = argv[1];
    ctxpack::BuildContext ctx = ctxpack::open_build_context(options);
    Print print;
    ctxpack::walk_context(ctx, ctxpack::WalkOptions{}, print);
  } catch (const ctxpack::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
