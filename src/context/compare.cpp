#include "ctxpack/context/compare.h"

#include <cerrno>
#include <cstdlib>

#include "ctxpack/pack/pack.h"
#include "ctxpack/support/error.h"

namespace ctxpack {

int compare_walk_order(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    // '/' sorts before every byte a name can hold.
    unsigned ca = a[i] == '/' ? 0u : static_cast<unsigned char>(a[i]);
    unsigned cb = b[i] == '/' ? 0u : static_cast<unsigned char>(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

SentPaths::SentPaths() : file_(std::tmpfile()) {
  if (!file_) throw_errno("cannot create", "a temporary file", errno);
}

SentPaths::~SentPaths() {
  std::fclose(file_);
  std::free(line_);
}

// One record per sent entry: "<rule> <d|f> <path>\0" (paths hold no NUL).
void SentPaths::record(const WalkEntry& e, const Matcher& matcher) {
  const int rule = e.verdict.rule ? static_cast<int>(matcher.index_of(*e.verdict.rule)) : -1;
  std::fprintf(file_, "%d %c ", rule, e.entry->info.type == FileType::kDirectory ? 'd' : 'f');
  std::fwrite(e.path.data(), 1, e.path.size(), file_);
  if (std::fputc('\0', file_) == EOF) throw_errno("cannot write", "a temporary file", errno);
}

void SentPaths::rewind() {
  if (std::fflush(file_) != 0) throw_errno("cannot write", "a temporary file", errno);
  std::rewind(file_);
}

bool SentPaths::next(Entry& out) {
  ssize_t n = ::getdelim(&line_, &line_cap_, '\0', file_);
  if (n <= 0) return false;
  std::string_view rec(line_, static_cast<size_t>(n) - (line_[n - 1] == '\0' ? 1 : 0));
  size_t sp = rec.find(' ');
  out.rule = std::atoi(line_);
  out.is_dir = rec[sp + 1] == 'd';
  out.path.assign(rec.substr(sp + 3));
  return true;
}

namespace {

class Selector : public WalkVisitor {
 public:
  Selector(Selection& s, const SelectOptions& what, TarSizeCounter* tar) : s_(s), what_(what), tar_(tar) {}
  void visit(const WalkEntry& e) override {
    if (what_.also) what_.also->visit(e);
    if (!e.sent) return;
    if (e.entry->info.type == FileType::kRegular) {
      ++s_.files;
      s_.bytes += e.entry->info.size;
    }
    if (tar_) tar_->visit(e);
    if (s_.sent) s_.sent->record(e, *s_.ctx.matcher);
  }
  void warning(const std::string&) override {}

 private:
  Selection& s_;
  const SelectOptions& what_;
  TarSizeCounter* tar_;
};

}  // namespace

Selection select_with(ContextOptions options, const Builder& builder, const SelectOptions& what) {
  options.builder = &builder;
  Selection s{open_build_context(options)};
  walk_selection(s, what);
  return s;
}

void walk_selection(Selection& s, const SelectOptions& what) {
  if (what.record) s.sent = std::make_unique<SentPaths>();
  std::unique_ptr<TarSizeCounter> tar;
  if (what.measure) tar = std::make_unique<TarSizeCounter>(s.ctx);
  Selector selector(s, what, tar.get());
  WalkOptions walk;
  walk.stat = what.measure;
  walk.include_excluded = what.also != nullptr;
  walk.keep_going = what.audit;
  walk_context(s.ctx, walk, selector);
  if (tar) s.tar_bytes = tar->total();
  if (s.sent) s.sent->rewind();
}

}  // namespace ctxpack
