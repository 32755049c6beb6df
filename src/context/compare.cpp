#include "ctxpack/context/compare.h"

#include <cerrno>
#include <cinttypes>
#include <unordered_set>
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

// One record per sent entry: "<rule> <type> <size> <ino> <nlink> <path>\0"
// (paths hold no NUL).
void SentPaths::record(const WalkEntry& e, const Matcher& matcher) {
  const int rule = e.verdict.rule ? static_cast<int>(matcher.index_of(*e.verdict.rule)) : -1;
  const FileInfo& info = e.entry->info;
  std::fprintf(file_, "%d %d %" PRIu64 " %" PRIu64 " %" PRIu64 " ", rule, static_cast<int>(info.type), info.size,
               info.ino, info.nlink);
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
  int type = 0, used = 0;
  // %n before the separator: the path may start with blanks.
  std::sscanf(line_, "%d %d %" SCNu64 " %" SCNu64 " %" SCNu64 "%n", &out.rule, &type, &out.size, &out.ino, &out.nlink,
              &used);
  out.type = static_cast<FileType>(type);
  out.is_dir = out.type == FileType::kDirectory;
  out.path.assign(rec.substr(static_cast<size_t>(used) + 1));
  return true;
}

namespace {

class Selector : public WalkVisitor {
 public:
  Selector(Selection& s, const SelectOptions& what, TarSizeCounter* tar) : s_(s), what_(what), tar_(tar) {}
  void visit(const WalkEntry& e) override {
    if (what_.also) what_.also->visit(e);
    if (!e.sent) return;
    const FileInfo& info = e.entry->info;
    if (info.type == FileType::kRegular) {
      ++s_.files;
      s_.bytes += info.size;
      // The tar holds a hardlinked inode's content once, at its first name.
      if (info.nlink <= 1 || linked_.insert(info.ino).second) s_.content_bytes += info.size;
    }
    if (tar_) tar_->visit(e);
    if (s_.sent) s_.sent->record(e, *s_.ctx.matcher);
  }
  void warning(const std::string&) override {}

 private:
  Selection& s_;
  const SelectOptions& what_;
  TarSizeCounter* tar_;
  std::unordered_set<uint64_t> linked_;  // inodes with several links, seen
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
