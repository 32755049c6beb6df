#include "ctxpack/pack/pack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "ctxpack/support/error.h"
#include "ctxpack/output/format.h"
#include "ctxpack/support/sha256.h"

namespace ctxpack {

namespace {

// An entry's content: the open file's bytes, then bytes from memory.
struct Content {
  InputFile* file = nullptr;
  std::string_view data;
};

class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual void add(const TarEntry& e, std::string_view path, const Content& content) = 0;
  // Whether the sink needs the files' contents (measuring needs none).
  virtual bool reads_content() const = 0;
  // A file that changed while being packed.
  virtual void changed(std::string_view path, const std::string& what) = 0;
};

std::optional<TarType> tar_type(FileType t) {
  switch (t) {
    case FileType::kRegular:
      return TarType::kRegular;
    case FileType::kDirectory:
      return TarType::kDirectory;
    case FileType::kSymlink:
      return TarType::kSymlink;
    case FileType::kFifo:
      return TarType::kFifo;
    case FileType::kCharDevice:
      return TarType::kCharDevice;
    case FileType::kBlockDevice:
      return TarType::kBlockDevice;
    case FileType::kSocket:
    case FileType::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

// Turns the walk into tar entries the way go-archive's addTarFile does,
// and adds the Dockerfile the way pack.h describes.
class ContextTar : public WalkVisitor {
 public:
  // `output`: the file the tar goes to, when it is one.
  ContextTar(BuildContext& ctx, const PackOptions& options, EntrySink& sink, const PackCallbacks& callbacks,
             std::optional<struct stat> output = std::nullopt)
      : ctx_(ctx),
        rules_(ctx.builder->pack_rules()),
        options_(options),
        sink_(sink),
        callbacks_(callbacks),
        output_(output) {
    const bool outside = ctx.dockerfile_exists && ctx.dockerfile_rel.empty();
    // Read now, when pack may have to add it: a Dockerfile it cannot read
    // fails the run before anything is written.
    if (options.add_dockerfile && (outside || (ctx.dockerfile_exists && rules_.add_excluded_dockerfile))) {
      dockerfile_ = read_dockerfile(ctx);
    }
    if (outside && options.add_dockerfile) {
      injected_name_ = injected_dockerfile_name(dockerfile_.text);
      if (rules_.hide_outside_dockerfile) dockerignore_suffix_ = dockerignore_suffix(dockerfile_.text);
    }
  }

  void visit(const WalkEntry& e) override {
    if (!e.sent) return;
    const FileInfo& info = e.entry->info;
    std::optional<TarType> type = tar_type(info.type);
    if (!type) {
      warn(quote_path(e.path) + ": " + (info.type == FileType::kSocket ? "socket" : "file of unknown type") +
            " left out (a tar cannot hold it)");
      return;
    }
    if (type == TarType::kRegular && output_ && info.dev == output_->st_dev && info.ino == output_->st_ino) {
      // Writing into the context: the tar must not hold itself.
      warn(quote_path(e.path) + ": the output being written; left out");
      return;
    }
    name_.assign(e.path);
    TarEntry t;
    t.type = *type;
    t.mode = info.mode;
    t.mtime = options_.reproducible ? options_.epoch : info.mtime_sec;
    if (t.type == TarType::kDirectory) name_ += '/';
    if (t.type == TarType::kRegular) t.size = info.size;
    // go-archive copies the device numbers for anything whose mode shares
    // a bit with S_IFBLK or S_IFCHR: devices, but also directories and
    // symlinks (whose st_rdev is 0 on Linux file systems).
    if (t.type == TarType::kCharDevice || t.type == TarType::kBlockDevice || t.type == TarType::kDirectory ||
        t.type == TarType::kSymlink) {
      t.devmajor = info.rdev_major;
      t.devminor = info.rdev_minor;
    }
    if (t.type == TarType::kSymlink) {
      if (int err = ctx_.fs->read_link(e.dir, e.entry->name, &link_)) {
        sink_.changed(e.path, err == ENOENT ? "vanished while being packed; left out"
                                            : std::string("cannot be read (") + std::strerror(err) + "); left out");
        return;
      }
      t.linkname = link_;
    }
    const bool linkable = t.type != TarType::kDirectory && info.nlink > 1;
    if (linkable) {
      // Keyed by inode number alone, as go-archive does.
      auto it = links_.find(info.ino);
      if (it != links_.end()) {
        t.type = TarType::kHardlink;
        t.linkname = it->second;
        t.size = 0;
      }
    }
    std::unique_ptr<InputFile> file;
    if (t.type == TarType::kRegular && t.size > 0 && sink_.reads_content()) {
      // Opened before anything is written: a file gone by now is left out
      // rather than archived as a header without content.
      if (int err = ctx_.fs->open_file(e.dir, e.entry->name, &file)) {
        sink_.changed(e.path, err == ENOENT ? "vanished while being packed; left out"
                                            : std::string("cannot be read (") + std::strerror(err) + "); left out");
        return;
      }
    }
    if (read_capability(e, file.get()) == 0) {
      capability_ = docker_capability(std::move(capability_));
      t.capability = capability_;
    }
    t.name = name_;
    Content content{file.get(), {}};
    if (!dockerignore_suffix_.empty() && t.type == TarType::kRegular && e.path == ".dockerignore") {
      // The docker CLI lists the Dockerfile it adds in .dockerignore, so
      // that the daemon removes it after reading it.
      content.data = dockerignore_suffix_;
      t.size += dockerignore_suffix_.size();
      dockerignore_rewritten_ = true;
    }
    sink_.add(t, e.path, content);
    if (linkable && t.type != TarType::kHardlink) links_.emplace(info.ino, name_);
    if (e.path == ctx_.dockerfile_rel && ctx_.dockerfile_exists) dockerfile_sent_ = true;
  }

  void warning(const std::string& message) override { warn(message); }

  void warn(const std::string& message) const {
    if (callbacks_.warning) callbacks_.warning(message);
  }
  void warn_added(const std::string& message) const {
    if (callbacks_.dockerfile_added) {
      callbacks_.dockerfile_added(message);
    } else {
      warn(message);
    }
  }

  // After the walk: adds what the Dockerfile policy asks for and returns
  // the Dockerfile's name in the tar ("" when it holds none).
  std::string finish() {
    if (!ctx_.dockerfile_exists) return "";
    const std::string& rel = ctx_.dockerfile_rel;
    if (!rel.empty()) return finish_inside(rel);
    if (!options_.add_dockerfile) {
      warn("the Dockerfile " + ctx_.dockerfile_path + " is outside the context and not in the tar");
      return "";
    }
    const int64_t mtime = options_.reproducible ? options_.epoch : options_.now;
    add_memory(injected_name_, 0600, mtime, dockerfile_.text);
    if (!rules_.hide_outside_dockerfile) {
      // The classic daemon deletes what .dockerignore lists; BuildKit
      // applies no ignore file to a tar.
      warn_added("the Dockerfile " + ctx_.dockerfile_path + " is outside the context; it is added to the tar as " +
             injected_name_ + " so that docker build - reads it, and a COPY of the whole context copies it too");
    }
    if (rules_.hide_outside_dockerfile && !dockerignore_rewritten_) {
      add_memory(".dockerignore", 0600, mtime, ".dockerignore" + dockerignore_suffix_);
    }
    return injected_name_;
  }

 private:
  std::string finish_inside(const std::string& rel) {
    if (dockerfile_sent_) return rel;
    if (!rules_.add_excluded_dockerfile) {
      warn("the Dockerfile " + quote_path(rel) +
            " is excluded and the docker CLI does not re-include it, so it is not in the tar: docker build fails "
            "the same way from the directory (\"Cannot locate specified Dockerfile\")");
      return "";
    }
    if (!options_.add_dockerfile) {
      warn("the Dockerfile " + quote_path(rel) + " is excluded by the ignore file and not in the tar");
      return "";
    }
    add_memory(rel, dockerfile_.mode, options_.reproducible ? options_.epoch : dockerfile_.mtime, dockerfile_.text);
    warn_added("excluded Dockerfile " + quote_path(rel) +
           " added to the tar so that docker build - finds it; a COPY of the whole context copies it too, unlike "
           "a directory build");
    return rel;
  }

  void add_memory(const std::string& name, uint32_t mode, int64_t mtime, std::string_view data) {
    TarEntry t;
    t.name = name;
    t.type = TarType::kRegular;
    t.mode = mode;
    t.mtime = mtime;
    t.size = data.size();
    sink_.add(t, name, Content{nullptr, data});
  }

  // Into capability_. An open file answers without a path lookup.
  int read_capability(const WalkEntry& e, InputFile* file) {
    capability_.clear();
    if (!file || file->fd() < 0) return ctx_.fs->get_xattr(e.dir, e.entry->name, kCapability, &capability_);
    char buf[256];
    ssize_t n = ::fgetxattr(file->fd(), kCapability, buf, sizeof buf);
    if (n < 0) return errno;
    capability_.assign(buf, static_cast<size_t>(n));
    return 0;
  }

  static constexpr const char* kCapability = "security.capability";

  BuildContext& ctx_;
  const PackRules rules_;
  const PackOptions& options_;
  EntrySink& sink_;
  const PackCallbacks& callbacks_;
  std::optional<struct stat> output_;
  std::unordered_map<uint64_t, std::string> links_;  // only inodes with more than one link
  std::string name_, link_, capability_;             // reused from entry to entry
  DockerfileContent dockerfile_;                     // when pack may have to add it
  std::string injected_name_;
  std::string dockerignore_suffix_;
  bool dockerignore_rewritten_ = false;
  bool dockerfile_sent_ = false;
};

// Writes entries to a TarStream, coping with files that change meanwhile.
class StreamSink : public EntrySink {
 public:
  StreamSink(TarStream& out, PackResult& result, const PackCallbacks& callbacks)
      : out_(out), result_(result), callbacks_(callbacks) {}

  void add(const TarEntry& e, std::string_view path, const Content& content) override {
    out_.write_header(e);
    if (content.file) copy(*content.file, e.size - content.data.size(), path);
    out_.write(content.data.data(), content.data.size());
    out_.write_zeros(tar_padding(e.size));
    PackStats& s = result_.stats;
    ++s.entries;
    if (e.type == TarType::kRegular || e.type == TarType::kHardlink) ++s.files;
    s.content_bytes += e.size;
    s.tar_bytes = out_.tar_bytes();
    s.output_bytes = out_.output_bytes();
    if (callbacks_.progress) callbacks_.progress(s);
  }

  bool reads_content() const override { return true; }

  void changed(std::string_view path, const std::string& what) override {
    std::string message = quote_path(path) + ": " + what;
    if (callbacks_.warning) callbacks_.warning(message);
    result_.changed.push_back(std::move(message));
  }

 private:
  void copy(InputFile& file, uint64_t size, std::string_view path) {
    bool grew = false;
    int64_t n = out_.copy_file(file, size, &grew);
    if (n < 0) {
      changed(path, std::string("read failed (") + std::strerror(static_cast<int>(-n)) +
                        "); the rest of its content is zeros in the tar");
      n = 0;
    } else if (static_cast<uint64_t>(n) < size) {
      changed(path, "shrank from " + std::to_string(size) + " to " + std::to_string(n) +
                        " bytes while being packed; padded with zeros in the tar");
    } else if (grew) {
      changed(path, "grew while being packed; the tar holds its first " + std::to_string(size) + " bytes");
    }
    // Zeros keep the header's size true.
    if (static_cast<uint64_t>(n) < size) out_.write_zeros(size - static_cast<uint64_t>(n));
  }

  TarStream& out_;
  PackResult& result_;
  const PackCallbacks& callbacks_;
};

class CountingSink : public EntrySink {
 public:
  void add(const TarEntry& e, std::string_view, const Content&) override { total += tar_entry_size(e); }
  bool reads_content() const override { return false; }
  void changed(std::string_view, const std::string&) override {}
  uint64_t total = 0;
};

}  // namespace

std::string injected_dockerfile_name(std::string_view dockerfile_text) {
  Sha256 sha;
  sha.update(dockerfile_text.data(), dockerfile_text.size());
  return ".dockerfile." + sha.hex_digest().substr(0, 20);
}

std::string dockerignore_suffix(std::string_view dockerfile_text) {
  return "\n" + injected_dockerfile_name(dockerfile_text) + "\n";
}

PackResult pack_context(BuildContext& ctx, const PackOptions& options, TarStream& out, const PackCallbacks& callbacks) {
  PackResult result;
  StreamSink sink(out, result, callbacks);
  struct stat st;
  std::optional<struct stat> output;
  if (::fstat(out.fd(), &st) == 0 && S_ISREG(st.st_mode)) output = st;
  ContextTar tar(ctx, options, sink, callbacks, output);
  WalkOptions walk;
  walk.stat = true;
  walk_context(ctx, walk, tar);
  result.dockerfile = tar.finish();
  out.finish();
  result.stats.tar_bytes = out.tar_bytes();
  result.stats.output_bytes = out.output_bytes();
  return result;
}

class TarSizeCounter::Impl {
 public:
  Impl(BuildContext& ctx, const PackOptions& options)
      : options_(options), tar_(ctx, options_, sink_, callbacks_) {}
  PackOptions options_;
  PackCallbacks callbacks_;  // none: measuring warns about nothing
  CountingSink sink_;
  ContextTar tar_;
  bool finished_ = false;
};

TarSizeCounter::TarSizeCounter(BuildContext& ctx, const PackOptions& options)
    : impl_(std::make_unique<Impl>(ctx, options)) {}

TarSizeCounter::~TarSizeCounter() = default;

void TarSizeCounter::visit(const WalkEntry& e) { impl_->tar_.visit(e); }

uint64_t TarSizeCounter::total() {
  if (!impl_->finished_) impl_->tar_.finish();
  impl_->finished_ = true;
  return impl_->sink_.total + kTarEndOfArchiveSize;
}

}  // namespace ctxpack
