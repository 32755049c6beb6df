#include <algorithm>

#include "ctxpack/support/filesystem.h"

namespace ctxpack {

int read_dir_sorted(FileSystem& fs, FileSystem::Dir dir, bool stat, std::vector<DirEntry>* out) {
  if (int err = fs.read_dir(dir, stat, out)) return err;
  std::sort(out->begin(), out->end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return 0;
}

}  // namespace ctxpack
