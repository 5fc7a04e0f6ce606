#include "stages/scan/deps/internal/json_stream.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dso {
namespace {

// Bytes that end a run of plain string characters: the quote, the
// backslash, control characters and the start of a multi-byte character.
constexpr std::array<bool, 256> kStringStop = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
  }
  return t;
}();

constexpr std::array<bool, 256> kNumberByte = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("0123456789+-.eE")) {
    t[static_cast<unsigned char>(c)] = true;
  }
  return t;
}();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// JSON's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsNumber(absl::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    if (++i == n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

// The length of the UTF-8 character at s[0] (RFC 3629: no overlong forms,
// no surrogates, at most U+10FFFF); 0 when it is invalid, and -1 when `s`
// ends before it does and is a valid start of one.
int Utf8Length(absl::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  int len;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<size_t>(i) >= s.size()) return -1;
    unsigned char c = b(i);
    if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
  }
  return len;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits at s[0..3], or -1.
int Hex4(absl::string_view s) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    int h = HexValue(s[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

JsonStream::JsonStream(JsonHandler* handler, std::string name, size_t max_depth)
    : handler_(handler), name_(std::move(name)), max_depth_(max_depth) {}

absl::Status JsonStream::Error(absl::string_view what) const {
  return absl::InvalidArgumentError(
      absl::StrCat(name_, ":", line_, ": not JSON: ", what));
}

JsonStream::Token JsonStream::ReadString(absl::string_view data, size_t& i,
                                         bool last, absl::string_view* value) {
  const size_t start = i + 1, n = data.size();
  size_t j = start, copied = start;  // data[start, copied) is in scratch_
  bool escaped = false;
  const auto more = [&] {
    if (last) {
      problem_ = "the text ends inside a string";
      return Token::kBad;
    }
    return Token::kMore;
  };
  while (true) {
    while (j < n && !kStringStop[static_cast<unsigned char>(data[j])]) ++j;
    if (j - start > kMaxJsonToken) {
      problem_ = absl::StrCat("a string longer than ", kMaxJsonToken, " bytes");
      return Token::kBad;
    }
    if (j == n) return more();
    const unsigned char c = data[j];
    if (c == '"') {
      if (escaped) {
        scratch_.append(data.data() + copied, j - copied);
        *value = scratch_;
      } else {
        *value = data.substr(start, j - start);
      }
      i = j + 1;
      return Token::kDone;
    }
    if (c < 0x20) {
      problem_ = "a control character in a string";
      return Token::kBad;
    }
    if (c >= 0x80) {
      int len = Utf8Length(data.substr(j));
      if (len < 0) return more();
      if (len == 0) {
        problem_ = "a string that is not UTF-8";
        return Token::kBad;
      }
      j += len;
      continue;
    }
    // A backslash: what it stands for goes to scratch_.
    if (!escaped) scratch_.clear();
    escaped = true;
    scratch_.append(data.data() + copied, j - copied);
    if (j + 1 >= n) return more();
    const char e = data[j + 1];
    static constexpr absl::string_view kFrom = "\"\\/bfnrt";
    static constexpr absl::string_view kTo = "\"\\/\b\f\n\r\t";
    if (size_t k = kFrom.find(e); k != absl::string_view::npos) {
      scratch_.push_back(kTo[k]);
      j += 2;
    } else if (e == 'u') {
      if (j + 6 > n) return more();
      int cp = Hex4(data.substr(j + 2, 4));
      if (cp < 0) {
        problem_ = "\\u without four hex digits";
        return Token::kBad;
      }
      j += 6;
      if (cp >= 0xDC00 && cp <= 0xDFFF) {
        problem_ = "a low surrogate without a high one before it";
        return Token::kBad;
      }
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (j + 6 > n) return more();
        int low = data[j] == '\\' && data[j + 1] == 'u'
                      ? Hex4(data.substr(j + 2, 4))
                      : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
          problem_ = "a high surrogate without a low one after it";
          return Token::kBad;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        j += 6;
      }
      AppendUtf8(cp, scratch_);
    } else {
      problem_ = "an invalid escape in a string";
      return Token::kBad;
    }
    copied = j;
  }
}

JsonStream::Token JsonStream::ReadLiteral(absl::string_view data, size_t& i,
                                          bool last, absl::string_view* value) {
  const size_t n = data.size();
  const char c = data[i];
  if (c == 't' || c == 'f' || c == 'n') {
    absl::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
    absl::string_view have = data.substr(i, word.size());
    if (have != word.substr(0, have.size())) {
      problem_ = "an unexpected word";
      return Token::kBad;
    }
    if (have.size() < word.size()) {
      if (!last) return Token::kMore;
      problem_ = "the text ends inside a word";
      return Token::kBad;
    }
    *value = have;
    i += word.size();
    return Token::kDone;
  }
  size_t j = i;
  while (j < n && kNumberByte[static_cast<unsigned char>(data[j])]) ++j;
  if (j - i > kMaxJsonToken) {
    problem_ = absl::StrCat("a number longer than ", kMaxJsonToken, " bytes");
    return Token::kBad;
  }
  if (j == n && !last) return Token::kMore;
  *value = data.substr(i, j - i);
  if (!IsNumber(*value)) {
    problem_ = j == i ? "an unexpected character" : "an invalid number";
    return Token::kBad;
  }
  // As nlohmann's parser: a number is a double, and must be one (1e999
  // is refused). Only a long one or one with an exponent can overflow.
  if (value->size() > 300 || value->find_first_of("eE") != value->npos) {
    if (!std::isfinite(std::strtod(std::string(*value).c_str(), nullptr))) {
      problem_ = "a number too large for a double";
      return Token::kBad;
    }
  }
  i = j;
  return Token::kDone;
}

absl::StatusOr<size_t> JsonStream::Consume(absl::string_view data, bool last) {
  const size_t n = data.size();
  size_t i = 0;
  if (!started_) {  // a byte order mark may lead
    constexpr absl::string_view kBom = "\xEF\xBB\xBF";
    if (n < kBom.size() && !last && kBom.substr(0, n) == data) return 0;
    if (absl::StartsWith(data, kBom)) i = kBom.size();
    started_ = true;
  }
  while (true) {
    for (; i < n; ++i) {
      const char c = data[i];
      if (c == '\n') {
        ++line_;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        break;
      }
    }
    if (i == n) break;
    const size_t token = i;
    const char c = data[i];
    const auto end_container = [&] {
      const bool object = open_.back();
      open_.pop_back();
      handler_->EndContainer(object);
      ++i;
      expect_ = AfterValue();
    };
    switch (expect_) {
      case Expect::kNothing:
        return Error("more text after the document");
      case Expect::kColon:
        if (c != ':') return Error("expected ':' after a member name");
        ++i;
        expect_ = Expect::kValue;
        continue;
      case Expect::kCommaOrEnd:
        if (c == ',') {
          ++i;
          expect_ = open_.back() ? Expect::kKey : Expect::kValue;
        } else if (c == (open_.back() ? '}' : ']')) {
          end_container();
        } else {
          return Error(open_.back() ? "expected ',' or '}'"
                                    : "expected ',' or ']'");
        }
        continue;
      case Expect::kKeyOrEnd:
        if (c == '}') {
          end_container();
          continue;
        }
        [[fallthrough]];
      case Expect::kKey: {
        if (c != '"') return Error("expected a member name in quotes");
        const uint32_t line = line_;
        absl::string_view key;
        Token t = ReadString(data, i, last, &key);
        if (t == Token::kMore) return token;
        if (t == Token::kBad) return Error(problem_);
        handler_->Key(key, line);
        expect_ = Expect::kColon;
        continue;
      }
      case Expect::kValueOrEnd:
        if (c == ']') {
          end_container();
          continue;
        }
        [[fallthrough]];
      case Expect::kValue: {
        if (c == '{' || c == '[') {
          if (open_.size() >= max_depth_) {
            return Error(absl::StrCat("nested deeper than ", max_depth_));
          }
          open_.push_back(c == '{');
          handler_->StartContainer(c == '{');
          ++i;
          expect_ = c == '{' ? Expect::kKeyOrEnd : Expect::kValueOrEnd;
          continue;
        }
        absl::string_view value;
        Token t = c == '"' ? ReadString(data, i, last, &value)
                           : ReadLiteral(data, i, last, &value);
        if (t == Token::kMore) return token;
        if (t == Token::kBad) return Error(problem_);
        if (c == '"') {
          handler_->String(value);
        } else {
          handler_->Literal(value);
        }
        expect_ = AfterValue();
        continue;
      }
    }
  }
  if (last && expect_ != Expect::kNothing) {
    return Error(expect_ == Expect::kValue && open_.empty()
                     ? "no value"
                     : "the text ends inside the document");
  }
  return n;
}

}  // namespace dso
