#include "ctxpack/support/overlay_host.h"

#include <algorithm>
#include <string_view>

#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

class StringInput : public InputFile {
 public:
  explicit StringInput(std::string_view data) : data_(data) {}
  ssize_t read(void* buf, size_t len) override {
    size_t n = std::min(len, data_.size());
    std::copy_n(data_.data(), n, static_cast<char*>(buf));
    data_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }

 private:
  std::string_view data_;
};

}  // namespace

OverlayHost::OverlayHost(Host& base, const std::string& path, std::string content)
    : base_(base), path_(clean_path(path)), content_(std::move(content)) {}

bool OverlayHost::is_it(const std::string& p) const { return clean_path(p) == path_; }

int OverlayHost::stat(const std::string& p, FileInfo* out) {
  if (!is_it(p)) return base_.stat(p, out);
  *out = FileInfo{};
  out->type = FileType::kRegular;
  out->mode = 0644;
  out->size = content_.size();
  return 0;
}

int OverlayHost::check_readable(const std::string& p) { return is_it(p) ? 0 : base_.check_readable(p); }

int OverlayHost::open_file(const std::string& p, std::unique_ptr<InputFile>* out) {
  if (!is_it(p)) return base_.open_file(p, out);
  *out = std::make_unique<StringInput>(content_);
  return 0;
}

}  // namespace ctxpack
