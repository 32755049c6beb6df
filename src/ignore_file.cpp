#include "ctxpack/ignore_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "ctxpack/error.h"
#include "ctxpack/path.h"
#include "ctxpack/utf8.h"

namespace ctxpack {

namespace {

// Go's bufio.Scanner gives up on a line once its buffer (64 KiB) fills up
// without a newline, so a line of 65536 bytes or more, counting a trailing
// '\r', fails the whole file.
constexpr size_t kMaxLine = 64 * 1024;

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

IgnoreFile parse_ignore_file(std::string_view content, const std::string& name) {
  IgnoreFile out;
  out.path = name;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    std::string_view raw = content.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? content.size() : nl + 1;
    ++line_no;
    if (raw.size() >= kMaxLine) {
      throw Error(name + ":" + std::to_string(line_no) + ": line too long (" + std::to_string(raw.size()) +
                  " bytes; Docker rejects lines of 64 KiB or more)");
    }
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = raw;
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    std::string_view text = line;
    if (!line.empty() && line[0] == '#') continue;
    line = trim_space(line);
    if (line.empty()) continue;
    bool exception = false;
    if (line[0] == '!') {
      exception = true;
      line = trim_space(line.substr(1));
    }
    std::string pattern;
    if (!line.empty()) {
      pattern = clean_path(line);
      if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
    }
    if (exception) pattern.insert(0, "!");
    out.rules.push_back(Rule{std::move(pattern), name, line_no, std::string(text)});
  }
  return out;
}

IgnoreFile read_ignore_file(const std::string& path, const std::string& display_name, bool required) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error("cannot read " + display_name + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT && !required) return IgnoreFile{};
    throw_errno("cannot read", display_name, errno);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw_errno("cannot read", display_name, errno);
  return parse_ignore_file(buf.str(), display_name);
}

std::string_view builder_name(Builder b) { return b == Builder::kBuildKit ? "buildkit" : "legacy"; }

std::string find_ignore_file(const std::string& context_dir, const std::string& dockerfile_path, Builder builder) {
  if (builder == Builder::kBuildKit && !dockerfile_path.empty()) {
    std::string specific = dockerfile_path + ".dockerignore";
    if (exists(specific)) return specific;
  }
  std::string root = join_path(context_dir, ".dockerignore");
  return exists(root) ? root : std::string();
}

}  // namespace ctxpack
