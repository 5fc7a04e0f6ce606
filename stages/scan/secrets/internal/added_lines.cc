#include "stages/scan/secrets/internal/added_lines.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace dso {
namespace {

// Bytes compared at a time before the byte that differs is looked for.
constexpr size_t kBlock = 256;

struct Line {
  size_t begin = 0;  // byte offsets in its text
  size_t end = 0;
  size_t hash = 0;
};

class Lines {
 public:
  // The lines of text[from, to); `from` is the start of a line.
  Lines(absl::string_view text, size_t from, size_t to) : text_(text) {
    while (from < to) {
      const void* nl = std::memchr(text.data() + from, '\n', to - from);
      size_t end =
          nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) +
                   1
             : to;
      lines_.push_back({from, end, absl::HashOf(Text(from, end))});
      from = end;
    }
  }
  int size() const { return static_cast<int>(lines_.size()); }
  const Line& operator[](int i) const { return lines_[i]; }
  absl::string_view Text(int i) const {
    return Text(lines_[i].begin, lines_[i].end);
  }
  bool Same(int i, const Lines& other, int j) const {
    return lines_[i].hash == other.lines_[j].hash && Text(i) == other.Text(j);
  }

 private:
  absl::string_view Text(size_t b, size_t e) const {
    return text_.substr(b, e - b);
  }
  absl::string_view text_;
  std::vector<Line> lines_;
};

// Marks the lines of `b` that a shortest edit script from `a` inserts.
// False when that script needs more than kMaxEdits changes.
bool ShortestEdit(const Lines& a, const Lines& b, std::vector<bool>& added) {
  const int n = a.size(), m = b.size();
  const int max_d =
      static_cast<int>(std::min<size_t>(static_cast<size_t>(n) + m, kMaxEdits));
  const int off = max_d + 1;
  std::vector<int> v(2 * static_cast<size_t>(max_d) + 3, 0);
  // The furthest x on each diagonal k in [-d, d] after step d, at d*d.
  std::vector<int> trace;
  int found = -1;
  for (int d = 0; d <= max_d && found < 0; ++d) {
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                  ? v[off + k + 1]
                  : v[off + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a.Same(x, b, y)) ++x, ++y;
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found < 0)
      trace.insert(trace.end(), v.begin() + off - d, v.begin() + off + d + 1);
  }
  if (found < 0) return false;
  // Back from (n, m): each step down inserted one line of b.
  int x = n, y = m;
  for (int d = found; d > 0; --d) {
    const int* prev = trace.data() + static_cast<size_t>(d - 1) * (d - 1);
    auto at = [&](int k) { return prev[k + d - 1]; };
    int k = x - y;
    bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    int pk = down ? k + 1 : k - 1;
    x = at(pk);
    y = x - pk;
    if (down) added[y] = true;
  }
  return true;
}

// Each line of `b` beyond the copies `a` holds of it.
void UnmatchedLines(const Lines& a, const Lines& b, std::vector<bool>& added) {
  absl::flat_hash_map<absl::string_view, int> copies;
  for (int i = 0; i < a.size(); ++i) ++copies[a.Text(i)];
  for (int j = 0; j < b.size(); ++j) {
    auto it = copies.find(b.Text(j));
    if (it != copies.end() && it->second > 0) {
      --it->second;
    } else {
      added[j] = true;
    }
  }
}

}  // namespace

size_t CommonPrefixBytes(absl::string_view a, absl::string_view b) {
  size_t n = std::min(a.size(), b.size()), p = 0;
  while (p + kBlock <= n &&
         std::memcmp(a.data() + p, b.data() + p, kBlock) == 0)
    p += kBlock;
  while (p < n && a[p] == b[p]) ++p;
  return p;
}

size_t CommonSuffixBytes(absl::string_view a, absl::string_view b,
                         size_t limit) {
  const char* ea = a.data() + a.size();
  const char* eb = b.data() + b.size();
  size_t s = 0;
  while (s + kBlock <= limit &&
         std::memcmp(ea - s - kBlock, eb - s - kBlock, kBlock) == 0)
    s += kBlock;
  while (s < limit && ea[-1 - static_cast<ptrdiff_t>(s)] ==
                          eb[-1 - static_cast<ptrdiff_t>(s)])
    ++s;
  return s;
}

std::vector<AddedRun> AddedLines(absl::string_view old_text,
                                 absl::string_view new_text) {
  std::vector<AddedRun> runs;
  // Whole lines both versions begin with.
  size_t prefix = CommonPrefixBytes(old_text, new_text);
  if (prefix == old_text.size() && prefix == new_text.size()) return runs;
  while (prefix > 0 && old_text[prefix - 1] != '\n') --prefix;
  // Whole lines both end with, after the prefix in both.
  size_t suffix = CommonSuffixBytes(
      old_text, new_text, std::min(old_text.size(), new_text.size()) - prefix);
  auto line_start = [&](absl::string_view t) {
    size_t at = t.size() - suffix;
    return at == prefix || t[at - 1] == '\n';
  };
  while (suffix > 0 && !(line_start(old_text) && line_start(new_text))) {
    --suffix;
  }
  const size_t new_end = new_text.size() - suffix;
  if (new_end == prefix) return runs;  // only deletions
  uint32_t line = 1 + static_cast<uint32_t>(std::count(
                          new_text.begin(), new_text.begin() + prefix, '\n'));
  if (old_text.size() - suffix == prefix) {  // only insertions
    runs.push_back({line, prefix, new_end});
    return runs;
  }
  Lines a(old_text, prefix, old_text.size() - suffix);
  Lines b(new_text, prefix, new_end);
  std::vector<bool> added(b.size(), false);
  if (!ShortestEdit(a, b, added)) UnmatchedLines(a, b, added);
  for (int j = 0; j < b.size(); ++j, ++line) {
    if (!added[j]) continue;
    if (!runs.empty() && runs.back().end == b[j].begin) {
      runs.back().end = b[j].end;
    } else {
      runs.push_back({line, b[j].begin, b[j].end});
    }
  }
  return runs;
}

}  // namespace dso
