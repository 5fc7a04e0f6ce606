#include "stages/scan/deps/internal/json_stream.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

// Writes each event down: K(name@line) { } [ ] S(value) L(value).
class Recorder : public JsonHandler {
 public:
  std::string log;
  void Key(absl::string_view name, uint32_t line) override {
    absl::StrAppend(&log, "K(", name, "@", line, ")");
  }
  void StartContainer(bool object) override { log += object ? "{" : "["; }
  void EndContainer(bool object) override { log += object ? "}" : "]"; }
  void String(absl::string_view v) override {
    absl::StrAppend(&log, "S(", v, ")");
  }
  void Literal(absl::string_view v) override {
    absl::StrAppend(&log, "L(", v, ")");
  }
};

// Reads `text` in two pieces cut at `cut`, as a file reader would: what
// the first call leaves comes again before the second piece.
absl::StatusOr<std::string> Events(absl::string_view text, size_t cut,
                                   size_t max_depth = 64) {
  Recorder r;
  JsonStream js(&r, "f.json", max_depth);
  absl::StatusOr<size_t> used = js.Consume(text.substr(0, cut), false);
  if (!used.ok()) return used.status();
  std::string rest(text.substr(*used));
  used = js.Consume(rest, true);
  if (!used.ok()) return used.status();
  EXPECT_EQ(*used, rest.size());
  return r.log;
}

absl::StatusOr<std::string> Events(absl::string_view text) {
  return Events(text, text.size());
}

TEST(JsonStreamTest, EventsWithTheLinesOfMemberNames) {
  constexpr char kText[] = R"({
  "a": [1, -2.5e+3, true, false, null],
  "b": {"c": "d\u00e9\n\"", "": {}},
  "e": "\ud83d\ude00"
})";
  EXPECT_EQ(*Events(kText),
            "{K(a@2)[L(1)L(-2.5e+3)L(true)L(false)L(null)]"
            "K(b@3){K(c@3)S(d\xc3\xa9\n\")K(@3){}}"
            "K(e@4)S(\xf0\x9f\x98\x80)}");
}

TEST(JsonStreamTest, TheSameEventsWhereverTheTextIsCut) {
  constexpr char kText[] =
      "{\"name\": \"caf\xc3\xa9\", \"n\": [12345, 0.5e-7, true, null],\n"
      " \"esc\": \"a\\\\b\\u00e9\\ud83d\\ude00\", \"deep\": [[{}], []]}";
  const std::string whole = *Events(kText);
  for (size_t cut = 0; cut <= sizeof(kText) - 1; ++cut) {
    absl::StatusOr<std::string> split = Events(kText, cut);
    ASSERT_TRUE(split.ok()) << cut << ": " << split.status();
    EXPECT_EQ(*split, whole) << "cut at " << cut;
  }
}

TEST(JsonStreamTest, WhatIsNotJsonIsRefusedWithTheLine) {
  for (const char* bad : {"",
                          "  ",
                          "[1,",
                          "[1,]",
                          "{\"a\" 1}",
                          "{\"a\":1,}",
                          "{1:2}",
                          "[01]",
                          "[1.]",
                          "[-]",
                          "[.5]",
                          "[1e]",
                          "[tru]",
                          "[nul]",
                          "[True]",
                          "\"a\nb\"",
                          "\"\\x\"",
                          "\"\\u12\"",
                          "\"\\ud800\"",
                          "\"\\udc00\"",
                          "\"\\ud800\\u0041\"",
                          "\"\xff\"",
                          "\"\xc0\xaf\"",
                          "\"\xed\xa0\x80\"",
                          "\"\xf4\x90\x80\x80\"",
                          "{} {}",
                          "[1] x",
                          "[\"a\"",
                          "{\"a\":}",
                          "[1 2]",
                          "[1e400]",
                          "[-1e999]"}) {
    EXPECT_FALSE(Events(bad).ok()) << "accepted: " << bad;
  }
  EXPECT_THAT(Events("{\n\"a\": 1,\n\"b\" 2}").status().message(),
              HasSubstr("f.json:3: not JSON: expected ':'"));
  EXPECT_THAT(Events("[[[[1]]]]", 9, 3).status().message(),
              HasSubstr("nested deeper than 3"));
  std::string long_string = "[\"" + std::string(kMaxJsonToken + 1, 'a') + "\"]";
  EXPECT_THAT(Events(long_string, 1000).status().message(),
              HasSubstr("a string longer than"));
}

TEST(JsonStreamTest, ATokenCutByThePieceComesAgain) {
  Recorder r;
  JsonStream js(&r, "f.json", 8);
  // "abc is cut: only '[' is consumed.
  EXPECT_EQ(*js.Consume("[\"abc", false), 1u);
  EXPECT_EQ(*js.Consume("\"abc\", 12", false), 7u);  // the number may go on
  EXPECT_EQ(*js.Consume("12]", true), 3u);
  EXPECT_EQ(r.log, "[S(abc)L(12)]");
}

}  // namespace
}  // namespace dso
