// A JSON document (RFC 8259) read piece by piece, for lockfiles larger than
// dso holds in memory: each piece's whole tokens go to a handler as events
// (member names with their line, container starts and ends, strings
// unescaped, other scalars as written), and the caller keeps the bytes of a
// token cut by the piece's end for the next call. The grammar is checked as
// strictly as nlohmann's parser checks it (UTF-8 and escapes included, a
// leading byte order mark skipped); a
// document nested deeper than `max_depth` or holding a string or number
// longer than kMaxJsonToken is refused. The handler owns what it keeps; the
// views it gets live until it returns.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_JSON_STREAM_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_JSON_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

inline constexpr size_t kMaxJsonToken = 1 << 20;

class JsonHandler {
 public:
  virtual ~JsonHandler() = default;
  // A member's name, before its value.
  virtual void Key(absl::string_view name, uint32_t line) = 0;
  virtual void StartContainer(bool object) = 0;
  virtual void EndContainer(bool object) = 0;
  virtual void String(absl::string_view value) = 0;
  // A number, true, false or null, as written.
  virtual void Literal(absl::string_view value) = 0;
};

class JsonStream {
 public:
  // `name` leads every error ("NAME:LINE: not JSON: ...").
  JsonStream(JsonHandler* handler, std::string name, size_t max_depth);

  // Reads the whole tokens of `data` (the bytes following those consumed
  // before) and returns how many bytes that was; the rest starts a token
  // that continues in the next piece. `last`: nothing follows `data`, and
  // the document must end in it.
  absl::StatusOr<size_t> Consume(absl::string_view data, bool last);

  uint32_t line() const { return line_; }

 private:
  enum class Expect : uint8_t {
    kValue,
    kValueOrEnd,  // after '['
    kKeyOrEnd,    // after '{'
    kKey,
    kColon,
    kCommaOrEnd,
    kNothing,  // after the document
  };
  enum class Token : uint8_t { kDone, kMore, kBad };

  Token ReadString(absl::string_view data, size_t& i, bool last,
                   absl::string_view* value);
  Token ReadLiteral(absl::string_view data, size_t& i, bool last,
                    absl::string_view* value);
  absl::Status Error(absl::string_view what) const;
  Expect AfterValue() const {
    return open_.empty() ? Expect::kNothing : Expect::kCommaOrEnd;
  }

  JsonHandler* handler_;
  std::string name_;
  size_t max_depth_;
  std::vector<bool> open_;  // true: an object
  Expect expect_ = Expect::kValue;
  bool started_ = false;  // past a leading byte order mark
  uint32_t line_ = 1;
  std::string scratch_;  // a string with escapes, decoded
  std::string problem_;  // why ReadString or ReadLiteral said kBad
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_JSON_STREAM_H_
