// A Host that is another one but for one file, whose content is given:
// how a change to the ignore file is tried without writing it.
#pragma once

#include <memory>
#include <string>

#include "ctxpack/support/filesystem.h"

namespace ctxpack {

class OverlayHost : public Host {
 public:
  // `path` (as the base host takes paths) reads as `content`; it exists
  // whether or not it does on `base`.
  OverlayHost(Host& base, const std::string& path, std::string content);
  std::string real_path(const std::string& p) override { return base_.real_path(p); }
  std::unique_ptr<FileSystem> open_directory(const std::string& p) override { return base_.open_directory(p); }
  int stat(const std::string& p, FileInfo* out) override;
  int check_readable(const std::string& p) override;
  int open_file(const std::string& p, std::unique_ptr<InputFile>* out) override;
  bool is_disk() const override { return base_.is_disk(); }

 private:
  bool is_it(const std::string& p) const;

  Host& base_;
  std::string path_;
  std::string content_;
};

}  // namespace ctxpack
