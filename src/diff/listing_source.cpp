// A saved `ctxpack ls --json` listing as an EntrySource, read a line at a
// time so that a listing of a million entries costs one line of memory.
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "ctxpack/diff/source.h"
#include "ctxpack/output/format.h"
#include "ctxpack/support/error.h"

namespace ctxpack {

namespace {

// Longer than any line ls writes for a path within PATH_MAX several times over.
constexpr size_t kMaxLine = 1 << 20;

FileType parse_type(const std::string& name) {
  for (int t = 0; t <= static_cast<int>(FileType::kUnknown); ++t) {
    if (type_name(static_cast<FileType>(t)) == name) return static_cast<FileType>(t);
  }
  throw Error("unknown type \"" + name + "\"");
}

uint32_t parse_mode(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("01234567") != std::string::npos) {
    throw Error("bad mode \"" + text + "\"");
  }
  return static_cast<uint32_t>(std::stoul(text, nullptr, 8));
}

class ListingSource : public EntrySource {
 public:
  ListingSource(std::unique_ptr<InputFile> file, std::string name) : file_(std::move(file)), name_(std::move(name)) {}

  bool next(SourceEntry& out) override {
    std::string line;
    do {
      if (!read_line(line)) return false;
    } while (line.find_first_not_of(" \t\r") == std::string::npos);
    try {
      parse(line, out);
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("not an ls --json line (") + e.what() + ")");
    } catch (const Error& e) {
      fail(e.what());
    }
    if (!last_.empty() && !docker_order_less(last_, out.path)) {
      fail("\"" + out.path + "\" is out of Docker's order (the listing must be ls --json output, unsorted)");
    }
    last_ = out.path;
    return true;
  }

  std::unique_ptr<InputFile> open(const SourceEntry&) override { return nullptr; }

  const std::string& name() const override { return name_; }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(name_ + ":" + std::to_string(line_no_) + ": " + why);
  }

  static void parse(const std::string& line, SourceEntry& out) {
    const nlohmann::json j = nlohmann::json::parse(line);
    out = SourceEntry{};
    out.path = j.at("path").get<std::string>();
    if (out.path.empty() || out.path.front() == '/' || out.path.back() == '/') {
      throw Error("bad path \"" + out.path + "\"");
    }
    out.type = parse_type(j.at("type").get<std::string>());
    out.mode = parse_mode(j.at("mode").get<std::string>());
    out.size = j.at("size").get<uint64_t>();
    if (auto t = j.find("target"); t != j.end()) out.target = t->get<std::string>();
    if (auto r = j.find("rule"); r != j.end() && r->is_string()) out.rule = r->get<std::string>();
  }

  bool read_line(std::string& line) {
    line.clear();
    for (;;) {
      if (pos_ == len_) {
        ssize_t n = file_->read(buf_.data(), buf_.size());
        if (n < 0) throw_errno("cannot read", name_, static_cast<int>(-n));
        if (n == 0) {
          if (line.empty()) return false;
          ++line_no_;
          return true;
        }
        pos_ = 0;
        len_ = static_cast<size_t>(n);
      }
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      const size_t take = nl ? static_cast<const char*>(nl) - start : len_ - pos_;
      line.append(start, take);
      pos_ += take + (nl ? 1 : 0);
      if (line.size() > kMaxLine) fail("line too long for an ls --json listing");
      if (nl) {
        ++line_no_;
        return true;
      }
    }
  }

  std::unique_ptr<InputFile> file_;
  std::string name_;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
  size_t pos_ = 0, len_ = 0;
  size_t line_no_ = 0;
  std::string last_;
};

}  // namespace

std::unique_ptr<EntrySource> listing_source(std::unique_ptr<InputFile> file, std::string name) {
  return std::make_unique<ListingSource>(std::move(file), std::move(name));
}

}  // namespace ctxpack
