// The archives ADD extracts, read with libarchive through the context's
// file system.
#include <archive.h>
#include <archive_entry.h>

#include "ctxpack/support/path.h"
#include "planner.h"

namespace ctxpack::copy {

namespace {

struct ReadCtx {
  InputFile* file;
  char buf[65536];
};

la_ssize_t read_cb(struct archive*, void* data, const void** out) {
  auto* rc = static_cast<ReadCtx*>(data);
  *out = rc->buf;
  ssize_t n = rc->file->read(rc->buf, sizeof rc->buf);
  return n < 0 ? -1 : n;
}

ArchiveEntry entry_of(struct archive_entry* e, std::string path) {
  ArchiveEntry ae;
  ae.path = std::move(path);
  ae.size = static_cast<uint64_t>(archive_entry_size(e));
  mode_t t = archive_entry_filetype(e);
  ae.type = t == AE_IFDIR ? EntryType::kDir : t == AE_IFLNK ? EntryType::kSymlink : EntryType::kFile;
  if (ae.type == EntryType::kSymlink && archive_entry_symlink(e)) ae.link = archive_entry_symlink(e);
  return ae;
}

}  // namespace

bool read_archive(FileSystem& fs, const std::vector<std::string>& parts, std::vector<ArchiveEntry>* entries) {
  FileSystem::Dir dir = fs.root();
  std::vector<DirHandle> handles;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    FileSystem::Dir next;
    if (fs.open_dir(dir, parts[i], &next) != 0) return false;
    handles.emplace_back(fs, next);
    dir = next;
  }
  std::unique_ptr<InputFile> file;
  if (fs.open_file(dir, parts.back(), &file) != 0) return false;
  auto rc = std::make_unique<ReadCtx>();
  rc->file = file.get();
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  bool ok = false;
  if (archive_read_open(a, rc.get(), nullptr, read_cb, nullptr) == ARCHIVE_OK) {
    struct archive_entry* e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
      ok = true;
      const char* name = archive_entry_pathname(e);
      std::string p = clean_path(name ? name : "");
      while (p.starts_with("/")) p.erase(0, 1);
      if (!p.empty() && p != ".") entries->push_back(entry_of(e, std::move(p)));
      archive_read_data_skip(a);
    }
  }
  archive_read_free(a);
  return ok;
}

}  // namespace ctxpack::copy
