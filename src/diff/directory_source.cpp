// A directory's context as an EntrySource. The walk pushes entries to a
// visitor; a diff needs to pull from two walks in step, so each walk runs on
// its own thread and hands its entries over in batches through a short
// queue (which also lets the two walks use both cores).
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ctxpack/context/walk.h"
#include "ctxpack/diff/source.h"
#include "ctxpack/output/format.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

constexpr size_t kBatch = 256;
constexpr size_t kQueuedBatches = 4;

// Unwinds the walk when the reader has gone away.
struct Cancelled {};

class DirectorySource : public EntrySource, private WalkVisitor {
 public:
  DirectorySource(const ContextOptions& options, WarningSink warn)
      : name_(options.context),
        warn_(std::move(warn)),
        ctx_(open_build_context(options)),
        // The walk's thread uses the context's matcher; this one answers
        // the reader's thread.
        verdicts_(ctx_.matcher->rules(), ctx_.matcher->syntax()) {
    // A malformed pattern fails here, before anything is compared.
    check_context(ctx_);
    thread_ = std::thread([this] { produce(); });
  }

  ~DirectorySource() override {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  bool next(SourceEntry& out) override {
    if (pos_ == current_.size()) {
      current_.clear();
      pos_ = 0;
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !queue_.empty() || done_; });
      if (queue_.empty()) {
        if (error_) std::rethrow_exception(error_);
        return false;
      }
      current_ = std::move(queue_.front());
      queue_.pop_front();
      changed_.notify_all();
    }
    out = std::move(current_[pos_++]);
    return true;
  }

  std::unique_ptr<InputFile> open(const SourceEntry& entry) override {
    std::unique_ptr<InputFile> file;
    int err = in_parent(entry.path, [&](FileSystem::Dir dir, const std::string& name) {
      return ctx_.fs->open_file(dir, name, &file);
    });
    if (err) throw_errno("cannot read", join_path(name_, entry.path), err);
    return file;
  }

  const std::string& name() const override { return name_; }

  std::string excluded_by(const std::string& path) override {
    FileInfo info;
    if (in_parent(path, [&](FileSystem::Dir dir, const std::string& name) { return ctx_.fs->stat(dir, name, &info); }))
      return "";
    try {
      Verdict v = verdicts_.matches_or_parents(path);
      // Kept by the rules yet not sent: a walk that never entered an
      // excluded directory above it (the legacy client, Buildah); the rule
      // excluding the outermost such directory is what keeps it out.
      for (size_t slash = path.find('/'); !v.excluded && slash != std::string::npos; slash = path.find('/', slash + 1))
        v = verdicts_.matches_or_parents(std::string_view(path).substr(0, slash));
      return v.excluded && v.rule ? rule_reference(*v.rule) : "";
    } catch (const PatternError&) {
      return "";
    }
  }

 private:
  void produce() {
    try {
      WalkOptions options;
      options.stat = true;
      walk_context(ctx_, options, *this);
      if (!batch_.empty()) push();
    } catch (const Cancelled&) {
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    done_ = true;
    changed_.notify_all();
  }

  void visit(const WalkEntry& e) override {
    const FileInfo& info = e.entry->info;
    SourceEntry& s = batch_.emplace_back();
    s.path = e.path;
    s.type = info.type;
    s.mode = info.mode;
    s.size = info.size;
    s.has_mtime = true;
    s.mtime_sec = info.mtime_sec;
    s.mtime_nsec = info.mtime_nsec;
    if (info.type == FileType::kSymlink) ctx_.fs->read_link(e.dir, e.entry->name, &s.target);
    if (e.verdict.rule) s.rule = rule_reference(*e.verdict.rule);
    if (batch_.size() == kBatch) push();
  }

  void warning(const std::string& message) override { warn_(message); }

  // Calls `fn` with the directory holding `path` and its last name, and
  // returns what it returns; an errno value when a parent cannot be opened.
  int in_parent(const std::string& path, const std::function<int(FileSystem::Dir, const std::string&)>& fn) {
    FileSystem& fs = *ctx_.fs;
    std::vector<std::string> parts = path_components(path);
    std::vector<DirHandle> dirs;
    FileSystem::Dir dir = fs.root();
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      FileSystem::Dir sub;
      if (int err = fs.open_dir(dir, parts[i], &sub)) return err;
      dirs.emplace_back(fs, sub);
      dir = sub;
    }
    return fn(dir, parts.back());
  }

  void push() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kQueuedBatches || cancelled_; });
    if (cancelled_) throw Cancelled{};
    queue_.push_back(std::move(batch_));
    batch_ = {};
    batch_.reserve(kBatch);
    changed_.notify_all();
  }

  std::string name_;
  WarningSink warn_;
  BuildContext ctx_;
  Matcher verdicts_;
  std::thread thread_;

  // The walk's thread only.
  std::vector<SourceEntry> batch_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<SourceEntry>> queue_;
  bool done_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;

  // The reader's thread only.
  std::vector<SourceEntry> current_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<EntrySource> directory_source(const ContextOptions& options, WarningSink warn) {
  return std::make_unique<DirectorySource>(options, std::move(warn));
}

bool docker_order_less(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return true;
    if (b[i] == '/') return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

}  // namespace ctxpack
