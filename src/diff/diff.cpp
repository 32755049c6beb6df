#include "ctxpack/diff/diff.h"

#include <algorithm>
#include <cstring>
#include <cstdlib>

#include "ctxpack/support/error.h"

namespace ctxpack {

namespace {

// Reads until `len` bytes or the end; -errno on failure.
ssize_t read_full(InputFile& f, char* buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = f.read(buf + got, len - got);
    if (n < 0) return n;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

bool same_content(InputFile& a, InputFile& b, const std::string& path) {
  static constexpr size_t kChunk = 1 << 16;
  std::vector<char> ba(kChunk), bb(kChunk);
  for (;;) {
    ssize_t na = read_full(a, ba.data(), kChunk);
    ssize_t nb = read_full(b, bb.data(), kChunk);
    if (na < 0 || nb < 0) throw_errno("cannot read", path, static_cast<int>(-(na < 0 ? na : nb)));
    if (na != nb || std::memcmp(ba.data(), bb.data(), static_cast<size_t>(na)) != 0) return false;
    if (na == 0) return true;
  }
}

class Merge {
 public:
  Merge(EntrySource& before, EntrySource& after, ChangeVisitor& visitor)
      : before_(before), after_(after), visitor_(visitor) {}

  DiffTotals run() {
    bool has_b = pull(before_, b_, totals_.entries_before, totals_.bytes_before);
    bool has_a = pull(after_, a_, totals_.entries_after, totals_.bytes_after);
    while (has_b || has_a) {
      if (has_b && (!has_a || docker_order_less(b_.path, a_.path))) {
        report(Change{ChangeKind::kRemoved, &b_, nullptr, 0, after_.excluded_by(b_.path)});
        has_b = pull(before_, b_, totals_.entries_before, totals_.bytes_before);
      } else if (has_a && (!has_b || docker_order_less(a_.path, b_.path))) {
        report(Change{ChangeKind::kAdded, nullptr, &a_, 0, before_.excluded_by(a_.path)});
        has_a = pull(after_, a_, totals_.entries_after, totals_.bytes_after);
      } else {
        if (unsigned what = compare()) report(Change{ChangeKind::kChanged, &b_, &a_, what});
        has_b = pull(before_, b_, totals_.entries_before, totals_.bytes_before);
        has_a = pull(after_, a_, totals_.entries_after, totals_.bytes_after);
      }
    }
    return totals_;
  }

 private:
  static bool pull(EntrySource& src, SourceEntry& e, uint64_t& entries, uint64_t& bytes) {
    if (!src.next(e)) return false;
    ++entries;
    bytes += content_bytes(e);
    return true;
  }

  void report(const Change& c) {
    if (c.kind == ChangeKind::kAdded) ++totals_.added;
    if (c.kind == ChangeKind::kRemoved) ++totals_.removed;
    if (c.kind == ChangeKind::kChanged) ++totals_.changed;
    visitor_.change(c);
  }

  unsigned compare() {
    if (b_.type != a_.type) return kChangedType;
    unsigned what = 0;
    if (b_.type == FileType::kRegular && !same_file(b_, a_)) what |= kChangedContent;
    if (b_.mode != a_.mode) what |= kChangedMode;
    if (b_.type == FileType::kSymlink && b_.target != a_.target) what |= kChangedTarget;
    return what;
  }

  bool same_file(const SourceEntry& b, const SourceEntry& a) {
    if (b.size != a.size) return false;
    if (b.has_mtime && a.has_mtime && b.mtime_sec == a.mtime_sec && b.mtime_nsec == a.mtime_nsec) return true;
    std::unique_ptr<InputFile> fb = before_.open(b);
    if (!fb) return true;
    std::unique_ptr<InputFile> fa = after_.open(a);
    if (!fa) return true;
    ++totals_.contents_compared;
    return same_content(*fb, *fa, a.path);
  }

  EntrySource& before_;
  EntrySource& after_;
  ChangeVisitor& visitor_;
  SourceEntry b_, a_;
  DiffTotals totals_;
};

int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

}  // namespace

std::vector<std::string> change_names(unsigned what) {
  std::vector<std::string> out;
  if (what & kChangedType) out.emplace_back("type");
  if (what & kChangedContent) out.emplace_back("content");
  if (what & kChangedMode) out.emplace_back("mode");
  if (what & kChangedTarget) out.emplace_back("target");
  return out;
}

uint64_t content_bytes(const SourceEntry& e) { return e.type == FileType::kRegular ? e.size : 0; }

int64_t Change::byte_delta() const {
  const int64_t b = before ? static_cast<int64_t>(content_bytes(*before)) : 0;
  const int64_t a = after ? static_cast<int64_t>(content_bytes(*after)) : 0;
  return a - b;
}

DiffTotals diff_sources(EntrySource& before, EntrySource& after, ChangeVisitor& visitor) {
  return Merge(before, after, visitor).run();
}

void ChangeGroups::change(const Change& c) {
  const std::string& path = c.path();
  const size_t slash = path.find('/');
  const std::string top = path.substr(0, slash);
  ChangeGroup& g = groups_[top];
  g.path = top;
  const SourceEntry& e = c.after ? *c.after : *c.before;
  g.is_dir = g.is_dir || slash != std::string::npos || e.type == FileType::kDirectory;
  const int64_t delta = c.byte_delta();
  g.byte_delta += delta;
  if (c.kind == ChangeKind::kAdded) ++g.added;
  if (c.kind == ChangeKind::kRemoved) ++g.removed;
  if (c.kind == ChangeKind::kChanged) ++g.changed;
  if (top_ == 0) return;
  if (g.top.size() == top_ && magnitude(g.top.back().byte_delta) >= magnitude(delta)) return;
  Contributor entry{path, c.kind, c.what, e.type, delta, c.excluded_by};
  // Stable: among equal deltas the earlier (Docker's order) stays first.
  auto at = std::upper_bound(g.top.begin(), g.top.end(), entry, [](const Contributor& x, const Contributor& y) {
    return magnitude(x.byte_delta) > magnitude(y.byte_delta);
  });
  g.top.insert(at, std::move(entry));
  if (g.top.size() > top_) g.top.pop_back();
}

std::vector<ChangeGroup> ChangeGroups::sorted() const {
  std::vector<ChangeGroup> out;
  out.reserve(groups_.size());
  for (const auto& [name, g] : groups_) out.push_back(g);
  std::stable_sort(out.begin(), out.end(), [](const ChangeGroup& x, const ChangeGroup& y) {
    if (magnitude(x.byte_delta) != magnitude(y.byte_delta)) return magnitude(x.byte_delta) > magnitude(y.byte_delta);
    return x.added + x.removed + x.changed > y.added + y.removed + y.changed;
  });
  return out;
}

}  // namespace ctxpack
