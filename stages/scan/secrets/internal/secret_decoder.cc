#include "stages/scan/secrets/internal/secret_decoder.h"

#include <algorithm>
#include <array>

#ifdef __SSE2__
#include <immintrin.h>
#endif

namespace dso {
namespace {

constexpr size_t kMinHex = 32;
constexpr size_t kMinBase64 = 16;

struct Tables {
  std::array<bool, 256> base64_run{};  // [\w/+-]
  std::array<int8_t, 256> hex{};       // nibble, or -1
  std::array<int8_t, 256> std64{};     // 6-bit value, or -1
  std::array<int8_t, 256> url64{};
  std::array<bool, 256> printable{};
  std::array<bool, 256> base64_likely{};  // a digit or one of +/-_
  Tables() {
    hex.fill(-1);
    std64.fill(-1);
    url64.fill(-1);
    const char* alpha =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 62; ++i) {
      auto c = static_cast<unsigned char>(alpha[i]);
      std64[c] = url64[c] = static_cast<int8_t>(i);
      base64_run[c] = true;
    }
    std64['+'] = 62;
    std64['/'] = 63;
    url64['-'] = 62;
    url64['_'] = 63;
    for (unsigned char c : {'_', '/', '+', '-'}) {
      base64_run[c] = base64_likely[c] = true;
    }
    for (int i = 0; i < 10; ++i) {
      hex['0' + i] = static_cast<int8_t>(i);
      base64_likely['0' + i] = true;
    }
    for (int i = 0; i < 6; ++i) {
      hex['a' + i] = hex['A' + i] = static_cast<int8_t>(10 + i);
    }
    for (int c = 9; c < 127; ++c) printable[c] = true;
  }
};

const Tables& T() {
  static const Tables* t = new Tables();
  return *t;
}

bool AllPrintable(const std::string& s) {
  for (unsigned char c : s) {
    if (!T().printable[c]) return false;
  }
  return true;
}

// `(?:%[0-9A-Fa-f]{2})+` at `i`; returns its end, or `i` if none.
size_t PercentRunEnd(absl::string_view text, size_t i) {
  while (i + 2 < text.size() && text[i] == '%' &&
         T().hex[static_cast<unsigned char>(text[i + 1])] >= 0 &&
         T().hex[static_cast<unsigned char>(text[i + 2])] >= 0) {
    i += 3;
  }
  return i;
}

// The byte two hex digits stand for.
char HexByte(char hi, char lo) {
  return static_cast<char>(T().hex[static_cast<unsigned char>(hi)] << 4 |
                           T().hex[static_cast<unsigned char>(lo)]);
}

std::string DecodePercent(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i + 3 <= s.size(); i += 3) {
    out.push_back(HexByte(s[i + 1], s[i + 2]));
  }
  return AllPrintable(out) ? out : std::string();
}

std::string DecodeHex(absl::string_view s) {
  if (s.size() % 2 != 0) return "";
  bool digit = false;
  for (char c : s) digit |= c >= '0' && c <= '9';
  if (!digit) return "";
  std::string out;
  out.reserve(s.size() / 2);
  for (size_t i = 0; i < s.size(); i += 2)
    out.push_back(HexByte(s[i], s[i + 1]));
  return AllPrintable(out) ? out : std::string();
}

// Go's lenient decoders: the standard alphabet with its padding required
// (non-zero trailing bits allowed), or the URL alphabet without padding.
// Gives up at the first byte that is not printable.
bool DecodeBase64With(absl::string_view s, const std::array<int8_t, 256>& map,
                      bool padded, std::string& out) {
  size_t pad = 0;
  while (pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  if (padded ? (s.size() % 4 != 0 || pad > 2)
             : (pad > 0 || s.size() % 4 == 1)) {
    return false;
  }
  s.remove_suffix(pad);
  const auto& printable = T().printable;
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v = map[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      auto byte = static_cast<unsigned char>(acc >> bits & 0xff);
      if (!printable[byte]) return false;
      out.push_back(static_cast<char>(byte));
    }
  }
  return true;
}

std::string DecodeBase64(absl::string_view s) {
  std::string out;
  if (!DecodeBase64With(s, T().std64, true, out) &&
      !DecodeBase64With(s, T().url64, false, out)) {
    return "";
  }
  // Letters alone are more likely a word than base64.
  const auto& likely = T().base64_likely;
  return std::any_of(
             s.begin(), s.end(),
             [&](char c) { return likely[static_cast<unsigned char>(c)]; })
             ? out
             : "";
}

#ifdef __SSE2__
// Bit k set where p[k] is one of [A-Za-z0-9_/+-], for 16 bytes.
inline unsigned Base64Mask16(const char* p) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i zero = _mm_setzero_si128();
  auto at_most = [&](__m128i v, char n) {  // v <= n, unsigned
    return _mm_cmpeq_epi8(_mm_subs_epu8(v, _mm_set1_epi8(n)), zero);
  };
  __m128i letter = at_most(
      _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a')),
      25);
  __m128i digit_or_slash = at_most(_mm_sub_epi8(x, _mm_set1_epi8('/')), 10);
  __m128i other =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')),
                                _mm_cmpeq_epi8(x, _mm_set1_epi8('+'))),
                   _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
  return static_cast<unsigned>(_mm_movemask_epi8(
      _mm_or_si128(_mm_or_si128(letter, digit_or_slash), other)));
}

// For 64 bytes: bit k of *b64 set where p[k] is a base64 character, of
// *pct where it is '%'.
void BlockMasksSse2(const char* p, uint64_t* b64, uint64_t* pct) {
  *b64 = *pct = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i x =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    *b64 |= uint64_t{Base64Mask16(p + 16 * k)} << (16 * k);
    *pct |= uint64_t{static_cast<unsigned>(
                _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('%'))))}
            << (16 * k);
  }
}

__attribute__((target("avx2"))) void BlockMasksAvx2(const char* p,
                                                    uint64_t* b64,
                                                    uint64_t* pct) {
  *b64 = *pct = 0;
  const __m256i zero = _mm256_setzero_si256();
  for (int k = 0; k < 2; ++k) {
    const __m256i x =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * k));
    // v <= n (unsigned) is subs(v, n) == 0.
    __m256i letter = _mm256_cmpeq_epi8(
        _mm256_subs_epu8(
            _mm256_sub_epi8(_mm256_or_si256(x, _mm256_set1_epi8(0x20)),
                            _mm256_set1_epi8('a')),
            _mm256_set1_epi8(25)),
        zero);
    __m256i digit_or_slash = _mm256_cmpeq_epi8(
        _mm256_subs_epu8(_mm256_sub_epi8(x, _mm256_set1_epi8('/')),
                         _mm256_set1_epi8(10)),
        zero);
    __m256i other = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('_')),
                        _mm256_cmpeq_epi8(x, _mm256_set1_epi8('+'))),
        _mm256_cmpeq_epi8(x, _mm256_set1_epi8('-')));
    __m256i any =
        _mm256_or_si256(_mm256_or_si256(letter, digit_or_slash), other);
    *b64 |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(any))}
            << (32 * k);
    *pct |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(x, _mm256_set1_epi8('%'))))}
            << (32 * k);
  }
}

using BlockMasksFn = void (*)(const char*, uint64_t*, uint64_t*);

BlockMasksFn BlockMasks() {
  static const BlockMasksFn fn =
      __builtin_cpu_supports("avx2") ? BlockMasksAvx2 : BlockMasksSse2;
  return fn;
}
#endif

// The end of the run of base64 characters from `i`.
size_t RunEnd(absl::string_view text, size_t i) {
#ifdef __SSE2__
  while (i + 16 <= text.size()) {
    unsigned m = ~Base64Mask16(text.data() + i) & 0xffff;
    if (m != 0) return i + static_cast<size_t>(__builtin_ctz(m));
    i += 16;
  }
#endif
  while (i < text.size() &&
         T().base64_run[static_cast<unsigned char>(text[i])]) {
    ++i;
  }
  return i;
}

int Precedence(EncodingKind k) {
  return k == kPercentEncoding ? 3 : k == kHexEncoding ? 2 : 1;
}

// The leftmost-first match of percent|hex|base64 (as one regex) starting
// at `i`, if any, goes to `found`; returns where matching goes on.
size_t MatchAt(absl::string_view text, size_t i,
               std::vector<EncodedSegment>& found) {
  const Tables& t = T();
  auto c = static_cast<unsigned char>(text[i]);
  if (c == '%') {
    size_t end = PercentRunEnd(text, i);
    if (end == i) return i + 1;
    found.push_back({i, end, kPercentEncoding, ""});
    return end;
  }
  if (!t.base64_run[c]) return i + 1;
  size_t run = RunEnd(text, i);
  if (run - i < kMinBase64) return run;  // nor can 32 hex digits start inside
  size_t hex = i;
  while (hex < run && t.hex[static_cast<unsigned char>(text[hex])] >= 0) {
    ++hex;
  }
  if (hex - i >= kMinHex) {
    found.push_back({i, hex, kHexEncoding, ""});
    return hex;
  }
  size_t end = run;
  while (end < text.size() && end - run < 3 && text[end] == '=') ++end;
  // Base64 has the lowest precedence, so one that cannot decode changes
  // nothing for its neighbours. A printable first byte (< 0x7f) needs a
  // first character worth less than 32: [A-Za-f] in either alphabet.
  if (c <= 'f' && (c >= 'a' || (c >= 'A' && c <= 'Z'))) {
    found.push_back({i, end, kBase64Encoding, ""});
  }
  return end;
}

}  // namespace

std::vector<EncodedSegment> FindEncodedSegments(absl::string_view text,
                                                size_t from, size_t to) {
  const Tables& t = T();
  auto is_b64 = [&](size_t k) {
    return t.base64_run[static_cast<unsigned char>(text[k])];
  };
  std::vector<EncodedSegment> found;
  to = std::min(to, text.size());
  size_t i = from;  // matching goes on here
  size_t block = from;
#ifdef __SSE2__
  // 64 bytes at a time: only a '%' or a run of 16 base64 characters can
  // start a match, and the masks find both without looking at each byte.
  unsigned carry = 0;  // base64 characters ending the previous block
  const BlockMasksFn masks = BlockMasks();
  for (; block + 64 <= to; block += 64) {
    if (i >= block + 64) {  // a match reached past this block
      carry = 0;
      continue;
    }
    uint64_t b64, pct;
    masks(text.data() + block, &b64, &pct);
    unsigned lead =
        ~b64 == 0 ? 64 : static_cast<unsigned>(__builtin_ctzll(~b64));
    if (i <= block && carry > 0 && carry + lead >= kMinBase64) {
      size_t j = block;  // a run from earlier blocks: back to its start
      while (j > i && is_b64(j - 1)) --j;
      i = MatchAt(text, j, found);
      if (i >= block + 64) {
        carry = 0;
        continue;
      }
    }
    uint64_t run = b64 & (b64 >> 1);  // bit k: b64[k..k+1] all set
    run &= run >> 2;
    run &= run >> 4;
    run &= run >> 8;  // bit k: b64[k..k+15] all set
    uint64_t starts = run | pct;
    if (i > block) starts &= ~uint64_t{0} << (i - block);
    while (starts != 0) {
      i = MatchAt(text, block + static_cast<size_t>(__builtin_ctzll(starts)),
                  found);
      if (i >= block + 64) break;
      starts &= ~uint64_t{0} << (i - block);
    }
    carry =
        ~b64 == 0 ? carry + 64 : static_cast<unsigned>(__builtin_clzll(~b64));
  }
#endif
  // The rest one byte at a time, from the start of a run that reaches in.
  size_t j = std::max(i, block);
  while (j > i && is_b64(j - 1)) --j;
  for (i = j; i < to;) i = MatchAt(text, i, found);
  // A segment touching one of higher precedence waits for the next pass.
  std::vector<EncodedSegment> out;
  for (size_t k = 0; k < found.size(); ++k) {
    EncodedSegment& s = found[k];
    int p = Precedence(s.kind);
    if ((k > 0 && found[k - 1].end == s.start &&
         Precedence(found[k - 1].kind) > p) ||
        (k + 1 < found.size() && found[k + 1].start == s.end &&
         Precedence(found[k + 1].kind) > p)) {
      continue;
    }
    absl::string_view enc = text.substr(s.start, s.end - s.start);
    s.decoded = s.kind == kPercentEncoding ? DecodePercent(enc)
                : s.kind == kHexEncoding   ? DecodeHex(enc)
                                           : DecodeBase64(enc);
    if (!s.decoded.empty()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> EncodingNames(uint8_t kinds) {
  std::vector<std::string> out;
  if (kinds & kPercentEncoding) out.push_back("percent");
  if (kinds & kHexEncoding) out.push_back("hex");
  if (kinds & kBase64Encoding) out.push_back("base64");
  return out;
}

}  // namespace dso
