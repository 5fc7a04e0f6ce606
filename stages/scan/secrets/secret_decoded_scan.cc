// SecretScanner::Worker::ScanDecoded: secrets hidden in base64, hex or
// percent encoding. Each stretch of a line around encoded segments is
// rewritten with the segments decoded and matched again; only matches that
// touch text decoded in that pass count (the others were seen before), and
// they are reported at the encoded text's place. Decoded text can hold
// encoded text again, up to max_decode_depth passes.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "stages/scan/secrets/internal/secret_decoder.h"
#include "stages/scan/secrets/internal/secret_worker.h"
#include "stages/scan/secrets/internal/text_lines.h"

namespace dso {
namespace {

// Context kept around encoded segments: enough for a rule's prefix (e.g.
// `api_key = "`) without rescanning whole long lines.
constexpr size_t kContext = 1 << 10;

// A stretch of the rewritten text and where it came from in the scanned
// buffer: copied text maps byte for byte, decoded text as a whole to the
// encoded text it replaced.
struct Piece {
  size_t start, end;            // in the rewritten text
  size_t orig_start, orig_end;  // in the scanned buffer
  int pass;                     // 0: copied; else the pass that decoded it
  uint8_t kinds;                // encodings it went through
};

struct Origin {
  size_t start = SIZE_MAX, end = 0;
  uint8_t kinds = 0;
  bool decoded_now = false;  // touches text decoded in the latest pass
};

// Where text[start, end) of a pass's text came from.
Origin OriginOf(const std::vector<Piece>& pieces, size_t start, size_t end,
                int pass) {
  Origin o;
  for (const Piece& p : pieces) {
    if (p.end <= start || p.start >= end) {
      if (p.start >= end) break;
      continue;
    }
    size_t s = p.orig_start, e = p.orig_end;
    if (p.pass == 0) {  // byte for byte
      s += std::max(start, p.start) - p.start;
      e = p.orig_start + (std::min(end, p.end) - p.start);
    }
    o.start = std::min(o.start, s);
    o.end = std::max(o.end, e);
    o.kinds |= p.kinds;
    o.decoded_now |= p.pass == pass;
  }
  return o;
}

// Appends the pieces covering old text [from, to), moved to `at` onwards.
void CopyPieces(const std::vector<Piece>& pieces, size_t from, size_t to,
                size_t at, std::vector<Piece>& out) {
  for (const Piece& p : pieces) {
    size_t s = std::max(from, p.start), e = std::min(to, p.end);
    if (s >= e) continue;
    Piece q = p;
    q.start = at + (s - from);
    q.end = at + (e - from);
    if (p.pass == 0) {
      q.orig_start = p.orig_start + (s - p.start);
      q.orig_end = p.orig_start + (e - p.start);
    }
    out.push_back(q);
  }
}

}  // namespace

void SecretScanner::Worker::ScanDecoded(absl::string_view text,
                                        const std::string& rel,
                                        uint32_t line_base, size_t report_from,
                                        size_t report_to,
                                        const SecretFinding* commit) {
  std::vector<EncodedSegment> found =
      FindEncodedSegments(text, LineStart(text, report_from), report_to);
  found.erase(std::remove_if(found.begin(), found.end(),
                             [&](const EncodedSegment& s) {
                               return s.start < report_from;
                             }),
              found.end());
  const int depth = scanner_.options_.max_decode_depth;
  size_t counted = 0;  // lines are counted up to here
  uint32_t line = line_base;
  for (size_t k = 0; k < found.size();) {
    // One region: a stretch of a line with the segments close together.
    size_t line_start = LineStart(text, found[k].start);
    size_t line_end = LineEnd(text, found[k].start);
    size_t begin = std::max(
        line_start, found[k].start > kContext ? found[k].start - kContext : 0);
    size_t end = std::min(line_end, found[k].end + kContext);
    std::vector<EncodedSegment> segments;
    for (; k < found.size() && found[k].start < end; ++k) {
      end = std::min(line_end, found[k].end + kContext);
      EncodedSegment s = std::move(found[k]);
      s.start -= begin;
      s.end -= begin;
      segments.push_back(std::move(s));
    }
    std::string current(text.substr(begin, end - begin));
    std::vector<Piece> pieces{{0, current.size(), begin, end, 0, 0}};
    absl::string_view source = text.substr(line_start, line_end - line_start);
    line += CountLines(text.substr(counted, line_start - counted));
    counted = line_start;
    for (int pass = 1; pass <= depth && !segments.empty(); ++pass) {
      std::string next;
      std::vector<Piece> next_pieces;
      size_t at = 0;
      for (const EncodedSegment& s : segments) {
        CopyPieces(pieces, at, s.start, next.size(), next_pieces);
        next.append(current, at, s.start - at);
        Origin o = OriginOf(pieces, s.start, s.end, pass - 1);
        next_pieces.push_back({next.size(), next.size() + s.decoded.size(),
                               o.start, o.end, pass,
                               static_cast<uint8_t>(o.kinds | s.kind)});
        next += s.decoded;
        at = s.end;
      }
      CopyPieces(pieces, at, current.size(), next.size(), next_pieces);
      next.append(current, at, std::string::npos);
      current = std::move(next);
      pieces = std::move(next_pieces);

      MatchInOrder(current, rel, 0, current.size());
      for (const SecretMatch& m : matches_) {
        Origin o = OriginOf(pieces, m.start, m.end, pass);
        if (!o.decoded_now) continue;
        absl::string_view decoded(current);
        size_t ls = LineStart(decoded, m.start);
        absl::string_view decoded_line =
            decoded.substr(ls, LineEnd(decoded, m.start) - ls);
        size_t last = o.end > o.start ? o.end - 1 : o.start;
        Position where{line, static_cast<uint32_t>(o.start - line_start + 1),
                       line, static_cast<uint32_t>(last - line_start + 1)};
        std::vector<std::string> tags;
        for (const std::string& name : EncodingNames(o.kinds)) {
          tags.push_back("decoded:" + name);
        }
        tags.push_back(absl::StrCat("decode-depth:", pass));
        Report(m, decoded.substr(m.start, m.end - m.start), decoded_line,
               source, where, rel, commit, std::move(tags));
      }
      segments = FindEncodedSegments(current, 0, current.size());
    }
  }
}

}  // namespace dso
