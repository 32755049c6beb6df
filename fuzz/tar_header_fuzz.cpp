// Fuzzes tar header encoding: every TarEntry a walk can produce must come
// back unchanged from a reader that follows Go's archive/tar (the daemon's
// reader), in exactly tar_header_size() bytes, with valid checksums, no
// global header, and plain USTAR whenever every field fits, as Go writes.
//
// The decoder below is written from the format, independently of the
// encoder, so the two cannot share a mistake.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "ctxpack/pack/tar_writer.h"

namespace {

using ctxpack::TarEntry;
using ctxpack::TarType;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "tar_header_fuzz: %s\n", what.c_str());
  std::abort();
}

// Consumes fuzz input as typed values; zeros once it runs out.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint64_t u64(size_t bytes) {
    uint64_t x = 0;
    for (size_t i = 0; i < bytes; ++i) x = x << 8 | byte();
    return x;
  }
  uint8_t byte() {
    if (!n_) return 0;
    --n_;
    return *p_++;
  }
  std::string bytes(size_t max) {
    size_t len = std::min<size_t>(u64(2) % (max + 1), n_);
    std::string s(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    n_ -= len;
    return s;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

// A name as a walk produces it: non-empty components without NUL, "." or
// "..", joined by '/'.
std::string walk_name(std::string raw) {
  std::string out;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string::npos) j = raw.size();
    std::string part = raw.substr(i, j - i);
    i = j + 1;
    std::erase(part, '\0');
    if (part.empty() || part == "." || part == "..") continue;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out.empty() ? "f" : out;
}

// ---- a reader after Go's archive/tar ----------------------------------------

uint64_t parse_octal(std::string_view field) {
  // Go trims spaces and NULs, then parses what is left as octal.
  size_t b = field.find_first_not_of(std::string_view(" \0", 2));
  if (b == std::string_view::npos) return 0;
  size_t e = field.find_last_not_of(std::string_view(" \0", 2));
  uint64_t x = 0;
  for (char c : field.substr(b, e - b + 1)) {
    if (c < '0' || c > '7') fail("a numeric field holds " + std::string(field));
    x = x * 8 + static_cast<uint64_t>(c - '0');
  }
  return x;
}

std::string parse_string(std::string_view field) { return std::string(field.substr(0, field.find('\0'))); }

void check_block(std::string_view block) {
  uint64_t want = parse_octal(block.substr(148, 8)), sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  if (sum != want) fail("a header checksum is " + std::to_string(want) + ", the block sums to " + std::to_string(sum));
  if (block.substr(257, 8) != std::string_view("ustar\0"
                                               "00",
                                               8))
    fail("a header lacks the USTAR magic");
}

struct Decoded {
  std::string name, linkname, uname, gname;
  char type = 0;
  uint64_t mode = 0, uid = 0, gid = 0, size = 0, devmajor = 0, devminor = 0;
  int64_t mtime = 0;
  std::map<std::string, std::string> pax;
  bool had_pax = false;
};

std::map<std::string, std::string> parse_pax(std::string_view data) {
  std::map<std::string, std::string> out;
  while (!data.empty()) {
    size_t sp = data.find(' ');
    if (sp == std::string_view::npos || sp == 0) fail("a PAX record has no length");
    size_t len = 0;
    for (char c : data.substr(0, sp)) {
      if (c < '0' || c > '9') fail("a PAX record length is not decimal");
      len = len * 10 + static_cast<size_t>(c - '0');
    }
    if (len <= sp + 1 || len > data.size() || data[len - 1] != '\n') fail("a PAX record's length is wrong");
    std::string_view rec = data.substr(sp + 1, len - sp - 2);
    size_t eq = rec.find('=');
    if (eq == std::string_view::npos || eq == 0) fail("a PAX record has no key");
    if (!out.emplace(rec.substr(0, eq), rec.substr(eq + 1)).second) fail("a PAX record is repeated");
    data.remove_prefix(len);
  }
  return out;
}

int64_t parse_decimal(const std::string& s) {
  if (s.empty()) fail("an empty PAX number");
  size_t i = s[0] == '-';
  if (i == s.size()) fail("an empty PAX number");
  int64_t x = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') fail("a PAX number holds " + s);
    x = x * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -x : x;
}

Decoded decode(std::string_view tar) {
  Decoded d;
  if (tar.size() % 512) fail("the header is not a whole number of blocks");
  if (tar.size() < 512) fail("no header");
  std::string_view block = tar.substr(0, 512);
  check_block(block);
  if (block[156] == 'g') fail("a global PAX header (moby#41496)");
  if (block[156] == 'x') {
    d.had_pax = true;
    uint64_t size = parse_octal(block.substr(124, 12));
    uint64_t padded = (size + 511) / 512 * 512;
    if (tar.size() != 512 + padded + 512) fail("the PAX header's size does not account for the blocks that follow");
    std::string_view records = tar.substr(512, size);
    if (tar.substr(512 + size, padded - size).find_first_not_of('\0') != std::string_view::npos)
      fail("PAX padding is not zero");
    d.pax = parse_pax(records);
    block = tar.substr(512 + padded, 512);
    check_block(block);
    if (block[156] == 'x' || block[156] == 'g') fail("two extended headers in a row");
  } else if (tar.size() != 512) {
    fail("a plain header followed by more blocks");
  }
  d.name = parse_string(block.substr(0, 100));
  std::string prefix = parse_string(block.substr(345, 155));
  if (!prefix.empty()) d.name = prefix + "/" + d.name;
  d.mode = parse_octal(block.substr(100, 8));
  d.uid = parse_octal(block.substr(108, 8));
  d.gid = parse_octal(block.substr(116, 8));
  d.size = parse_octal(block.substr(124, 12));
  d.mtime = static_cast<int64_t>(parse_octal(block.substr(136, 12)));
  d.type = block[156];
  d.linkname = parse_string(block.substr(157, 100));
  d.uname = parse_string(block.substr(265, 32));
  d.gname = parse_string(block.substr(297, 32));
  d.devmajor = parse_octal(block.substr(329, 8));
  d.devminor = parse_octal(block.substr(337, 8));
  for (const auto& [key, value] : d.pax) {
    if (key == "path")
      d.name = value;
    else if (key == "linkpath")
      d.linkname = value;
    else if (key == "size")
      d.size = static_cast<uint64_t>(parse_decimal(value));
    else if (key == "mtime")
      d.mtime = parse_decimal(value);
    else if (key != "SCHILY.xattr.security.capability")
      fail("an unexpected PAX record " + key);
  }
  return d;
}

bool ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  static constexpr TarType kTypes[] = {TarType::kRegular,    TarType::kHardlink,    TarType::kSymlink,
                                       TarType::kCharDevice, TarType::kBlockDevice, TarType::kDirectory,
                                       TarType::kFifo};
  TarType type = kTypes[in.byte() % std::size(kTypes)];
  uint8_t widths = in.byte();
  std::string name = walk_name(in.bytes(400));
  if (type == TarType::kDirectory) name += '/';
  std::string linkname;
  if (type == TarType::kSymlink) {
    linkname = in.bytes(400);  // a symlink target is anything without NUL
    std::erase(linkname, '\0');
  } else if (type == TarType::kHardlink) {
    linkname = walk_name(in.bytes(400));
  }
  std::string capability = (widths & 1) ? in.bytes(64) : std::string();

  TarEntry e;
  e.name = name;
  e.type = type;
  e.mode = static_cast<uint32_t>(in.u64(2)) & 07777;
  // Sizes up to 2^63 (Go's int64), but mostly small or near the USTAR limit.
  const uint64_t raw_size = in.u64(8);
  e.size = type != TarType::kRegular ? 0 : (widths & 2) ? raw_size >> 1 : (uint64_t{1} << 33) - 64 + raw_size % 128;
  // mtimes from before 1970 to past 2242 (where USTAR's 11 octal digits end);
  // Go treats year 1 as "no time", which no file has.
  const int64_t raw_mtime = static_cast<int64_t>(in.u64(8));
  e.mtime = (widths & 4) ? raw_mtime % (int64_t{1} << 40) : int64_t{8589934592} - 64 + (raw_mtime & 127);
  if (type == TarType::kCharDevice || type == TarType::kBlockDevice) {
    e.devmajor = static_cast<uint32_t>(in.u64(2)) & 0xfff;  // Linux: 12-bit major, 20-bit minor
    e.devminor = static_cast<uint32_t>(in.u64(3)) & 0xfffff;
  }
  e.linkname = linkname;
  e.capability = capability;

  std::string out;
  ctxpack::append_tar_header(e, out);
  if (out.size() != ctxpack::tar_header_size(e))
    fail("append_tar_header wrote " + std::to_string(out.size()) + " bytes, tar_header_size says " +
         std::to_string(ctxpack::tar_header_size(e)));
  Decoded d = decode(out);

  auto expect = [&](const char* field, auto got, auto want) {
    if (got != want) fail(std::string(field) + " does not round-trip for entry " + name);
  };
  expect("the name", d.name, name);
  expect("the link target", d.linkname, linkname);
  expect("the type", d.type, static_cast<char>(type));
  expect("the mode", d.mode, uint64_t{e.mode});
  expect("the size", d.size, e.size);
  expect("the mtime", d.mtime, e.mtime);
  expect("the uid", d.uid, uint64_t{0});
  expect("the gid", d.gid, uint64_t{0});
  expect("the user name", d.uname, std::string());
  expect("the group name", d.gname, std::string());
  expect("the device major", d.devmajor, uint64_t{e.devmajor});
  expect("the device minor", d.devminor, uint64_t{e.devminor});
  auto cap = d.pax.find("SCHILY.xattr.security.capability");
  expect("the capability", cap == d.pax.end() ? std::string() : cap->second, capability);

  // Go writes plain USTAR whenever every field fits its USTAR field.
  const bool fits = ascii(name) && name.size() <= 100 && ascii(linkname) && linkname.size() <= 100 &&
                    e.size < (uint64_t{1} << 33) && e.mtime >= 0 && e.mtime < (int64_t{1} << 33) && capability.empty();
  if (fits && d.had_pax) fail("a PAX header for an entry that fits USTAR: " + name);
  if (!d.had_pax && !ascii(name)) fail("a non-ASCII name without a PAX header");
  return 0;
}
