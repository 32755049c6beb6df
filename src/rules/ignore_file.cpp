#include "ctxpack/rules/ignore_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack {

namespace {

// Go's bufio.Scanner gives up on a line once its buffer (64 KiB) fills up
// without a newline, so a line of 65536 bytes or more, counting a trailing
// '\r', fails the whole file.
constexpr size_t kMaxLine = 64 * 1024;

// Docker's ReadAll, fed in pieces: like bufio.Scanner it holds at most one
// line, so a file that never ends a line fails once that line reaches the
// limit, however much more there is.
class Reader {
 public:
  explicit Reader(const std::string& name) { out_.path = name; }

  void feed(std::string_view data) {
    while (!data.empty()) {
      size_t nl = data.find('\n');
      std::string_view part = data.substr(0, nl);
      if (pending_.size() + part.size() >= kMaxLine) too_long();
      if (nl == std::string_view::npos) {
        pending_.append(part);
        return;
      }
      if (pending_.empty()) {
        line(part);
      } else {
        pending_.append(part);
        line(pending_);
        pending_.clear();
      }
      data.remove_prefix(nl + 1);
    }
  }

  IgnoreFile finish() {
    if (!pending_.empty()) line(pending_);  // the last line needs no newline
    return std::move(out_);
  }

 private:
  [[noreturn]] void too_long() const {
    throw Error(out_.path + ":" + std::to_string(line_no_ + 1) +
                ": line too long (Docker rejects lines of 64 KiB or more)");
  }

  void line(std::string_view raw) {
    ++line_no_;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = raw;
    if (line_no_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    std::string_view text = line;
    if (!line.empty() && line[0] == '#') return;
    line = trim_space(line);
    if (line.empty()) return;
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
    out_.rules.push_back(Rule{std::move(pattern), out_.path, line_no_, std::string(text)});
  }

  IgnoreFile out_;
  std::string pending_;
  size_t line_no_ = 0;
};

}  // namespace

IgnoreFile parse_ignore_file(std::string_view content, const std::string& name) {
  Reader reader(name);
  reader.feed(content);
  return reader.finish();
}

namespace {

template <class Feed>
void read_chunks(InputFile& in, const std::string& name, Feed&& feed) {
  char buf[1 << 16];
  while (true) {
    ssize_t n = in.read(buf, sizeof buf);
    if (n < 0) throw_errno("cannot read", name, static_cast<int>(-n));
    if (n == 0) break;
    feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

}  // namespace

IgnoreFile read_ignore_file(InputFile& in, const std::string& name) {
  Reader reader(name);
  read_chunks(in, name, [&](std::string_view data) { reader.feed(data); });
  return reader.finish();
}

IgnoreFile parse_imagebuilder_ignore(std::string_view content, const std::string& name) {
  IgnoreFile out;
  out.path = name;
  size_t line_no = 0;
  while (!content.empty()) {
    const size_t nl = content.find('\n');
    const std::string_view text = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    ++line_no;
    if (text.empty() || text[0] == '#') continue;
    // ParseIgnore trims slashes before NewPatternMatcher trims spaces, so
    // " /x" keeps its slash and "/!x" becomes an exception.
    std::string_view line = text;
    while (!line.empty() && line.front() == '/') line.remove_prefix(1);
    while (!line.empty() && line.back() == '/') line.remove_suffix(1);
    line = trim_space(line);
    if (line.empty()) continue;
    std::string pattern = clean_path(line);
    if (pattern.size() > 1 && pattern[0] == '!') {
      std::string rest = clean_path(pattern.substr(1));
      if (rest.starts_with("/")) rest.erase(0, 1);
      pattern = "!" + rest;
    }
    std::string raw(text);
    if (raw.ends_with("\r")) raw.pop_back();
    out.rules.push_back(Rule{std::move(pattern), name, line_no, std::move(raw)});
  }
  return out;
}

IgnoreFile read_imagebuilder_ignore(InputFile& in, const std::string& name) {
  std::string content;
  read_chunks(in, name, [&](std::string_view data) { content.append(data); });
  return parse_imagebuilder_ignore(content, name);
}

IgnoreFile read_named_ignore_file(const std::string& path) {
  // Non-blocking, so that opening a FIFO with no writer cannot hang; it
  // then reads as empty.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw_errno("cannot read", path, errno);
  std::unique_ptr<InputFile> in = fd_input(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) throw_errno("cannot read", path, errno);
  if (S_ISDIR(st.st_mode)) throw Error("cannot read " + path + ": is a directory");
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return read_ignore_file(*in, path);
}

namespace {

// `text`, whose lines end in "\n", with `eol` instead.
std::string with_eol(std::string_view text, std::string_view eol) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += eol;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string apply_edit(std::string_view content, const IgnoreEdit& edit) {
  const std::string eol = content.substr(0, content.find('\n')).ends_with("\r") ? "\r\n" : "\n";
  if (!edit.line) {
    std::string out(content);
    if (!out.empty() && !out.ends_with("\n")) out += eol;
    return out + with_eol(edit.text.value_or(""), eol) + eol;
  }
  std::string out;
  size_t line = 1, i = 0;
  while (i < content.size()) {
    size_t nl = content.find('\n', i);
    size_t end = nl == std::string_view::npos ? content.size() : nl + 1;
    std::string_view raw = content.substr(i, end - i);
    if (line == *edit.line) {
      if (edit.text) {
        std::string_view ending = raw.ends_with("\r\n") ? "\r\n" : raw.ends_with("\n") ? "\n" : "";
        out += with_eol(*edit.text, eol);
        out += ending;
      }
    } else {
      out += raw;
    }
    ++line;
    i = end;
  }
  return out;
}

std::string rule_source(const Rule& rule) { return rule.origin == RuleOrigin::kClient ? "(docker CLI)" : rule.file; }

}  // namespace ctxpack
