// What every builder moves for the same Dockerfile, beside the chosen
// builder's plan.
#include "ctxpack/context/compare.h"
#include "ctxpack/copy/copy_plan.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/support/error.h"

namespace ctxpack {

namespace {

BuilderMoves moves(const Builder& builder, const Selection& selection) {
  BuilderMoves m;
  m.builder = &builder;
  m.sent.files = selection.files;
  m.sent.bytes = selection.bytes;
  m.tar_bytes = selection.tar_bytes;
  m.transfer = m.sent;
  m.transfer_whole = true;
  return m;
}

void add_plan(BuilderMoves& m, const CopyPlan& plan) {
  m.transfer = plan.transfer;
  m.transfer_whole = plan.transfer_whole;
  m.transfer_paths = plan.transfer_paths;
}

}  // namespace

const BuilderMoves* CopyReport::moves_of(const Builder& b) const {
  for (const BuilderMoves& m : moves) {
    if (m.builder == &b) return &m;
  }
  return nullptr;
}

CopyReport make_copy_report(BuildContext& ctx, const ContextOptions& options, const ParsedDockerfile& parsed,
                            const BuildOptions& build_options) {
  CopyReport report;
  const SelectOptions measure{.measure = true};
  // Every builder is judged on the Dockerfile this build found: their
  // default names differ (Buildah's Containerfile).
  ContextOptions same_file = options;
  same_file.dockerfile = ctx.dockerfile_path;
  for (const Builder* b : builders()) {
    // Builders that cannot build this kind of context have nothing to compare.
    if (!builder_takes(*b, ctx)) continue;
    BuildOptions bo = build_options;
    bo.builder = b;
    if (b == ctx.builder) {
      report.plan = plan_copies(ctx, evaluate_dockerfile(parsed, bo));
      report.moves.push_back(moves(*b, select_with(same_file, *b, measure)));
      add_plan(report.moves.back(), report.plan);
      continue;
    }
    // Another builder refusing what the chosen one builds (an archive's
    // ignore file Docker never reads but Buildah applies) is no failure of
    // this build.
    try {
      if (b->copy_rules().uploads_selection()) {
        report.moves.push_back(moves(*b, select_with(same_file, *b, measure)));
        continue;
      }
      ContextOptions o = same_file;
      o.builder = b;
      BuildContext other = open_build_context(o);
      const CopyPlan plan = plan_copies(other, evaluate_dockerfile(parsed, bo));
      BuilderMoves m = moves(*b, select_with(same_file, *b, measure));
      add_plan(m, plan);
      report.moves.push_back(std::move(m));
    } catch (const Error& e) {
      report.warnings.push_back("not compared with " + std::string(b->subject()) + ": " + e.what());
    }
  }
  return report;
}

}  // namespace ctxpack
