#include "ctxpack/output/format.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "ctxpack/support/error.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack {

std::string quote_path(std::string_view path, bool force) {
  bool plain = !force;
  for (size_t i = 0; i < path.size() && plain;) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') plain = false;
    auto [r, n] = decode_rune(path.substr(i));
    if (r == kRuneError && n == 1) plain = false;
    i += n;
  }
  if (plain) return std::string(path);
  std::string out = "\"";
  for (size_t i = 0; i < path.size();) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    auto [r, n] = decode_rune(path.substr(i));
    if (r == kRuneError && n == 1) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out.append(path.substr(i, n));
    }
    i += n;
  }
  out += '"';
  return out;
}

std::string human_size(uint64_t bytes) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double size = static_cast<double>(bytes);
  int i = 0;
  while (size >= 1000.0 && i < 6) {
    size /= 1000.0;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", size, units[i]);
  return buf;
}

uint64_t parse_size(std::string_view text) {
  std::string s(text);
  size_t pos = 0;
  double value;
  try {
    value = std::stod(s, &pos);
  } catch (...) {
    throw Error("invalid size \"" + s + "\" (examples: 500MB, 1.5GiB, 1024)");
  }
  std::string unit;
  for (char c : s.substr(pos)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const struct {
    const char* name;
    double factor;
  } units[] = {{"", 1},
               {"b", 1},
               {"k", 1e3},
               {"kb", 1e3},
               {"m", 1e6},
               {"mb", 1e6},
               {"g", 1e9},
               {"gb", 1e9},
               {"t", 1e12},
               {"tb", 1e12},
               {"kib", 1024.0},
               {"mib", 1048576.0},
               {"gib", 1073741824.0},
               {"tib", 1099511627776.0}};
  for (const auto& u : units) {
    if (unit == u.name && value >= 0 && std::isfinite(value))
      return static_cast<uint64_t>(std::llround(value * u.factor));
  }
  throw Error("invalid size \"" + s + "\" (examples: 500MB, 1.5GiB, 1024)");
}

std::string mode_string(FileType type, uint32_t mode) {
  std::string s(10, '-');
  switch (type) {
    case FileType::kDirectory:
      s[0] = 'd';
      break;
    case FileType::kSymlink:
      s[0] = 'l';
      break;
    case FileType::kFifo:
      s[0] = 'p';
      break;
    case FileType::kSocket:
      s[0] = 's';
      break;
    case FileType::kCharDevice:
      s[0] = 'c';
      break;
    case FileType::kBlockDevice:
      s[0] = 'b';
      break;
    case FileType::kUnknown:
      s[0] = '?';
      break;
    default:
      break;
  }
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (mode & (0400u >> i)) s[1 + i] = rwx[i];
  if (mode & 04000) s[3] = (mode & 0100) ? 's' : 'S';
  if (mode & 02000) s[6] = (mode & 0010) ? 's' : 'S';
  if (mode & 01000) s[9] = (mode & 0001) ? 't' : 'T';
  return s;
}

std::string_view type_name(FileType type) {
  switch (type) {
    case FileType::kRegular:
      return "file";
    case FileType::kDirectory:
      return "dir";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kFifo:
      return "fifo";
    case FileType::kSocket:
      return "socket";
    case FileType::kCharDevice:
      return "char-device";
    case FileType::kBlockDevice:
      return "block-device";
    default:
      return "unknown";
  }
}

std::string rule_reference(const Rule& rule) {
  if (rule.line == 0) return rule_source(rule) + ":" + rule.pattern;
  return rule.file + ":" + std::to_string(rule.line) + ":" + std::string(trim_space(rule.text));
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace ctxpack
