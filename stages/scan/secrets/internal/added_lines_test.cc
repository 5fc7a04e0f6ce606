#include "stages/scan/secrets/internal/added_lines.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

// "line:text" for every added line, from the runs.
std::vector<std::string> Added(const std::string& old_text,
                               const std::string& new_text) {
  std::vector<std::string> out;
  for (const AddedRun& r : AddedLines(old_text, new_text)) {
    uint32_t line = r.first_line;
    size_t pos = r.begin;
    while (pos < r.end) {
      size_t nl = new_text.find('\n', pos);
      size_t end = nl == std::string::npos || nl >= r.end ? r.end : nl + 1;
      out.push_back(absl::StrCat(line++, ":", new_text.substr(pos, end - pos)));
      pos = end;
    }
  }
  return out;
}

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(AddedLinesTest, SameTextAddsNothing) {
  EXPECT_THAT(Added("a\nb\n", "a\nb\n"), IsEmpty());
  EXPECT_THAT(Added("", ""), IsEmpty());
}

TEST(AddedLinesTest, NewFileIsAllAdded) {
  EXPECT_THAT(Added("", "a\nb"), ElementsAre("1:a\n", "2:b"));
}

TEST(AddedLinesTest, LinesInsertedInTheMiddle) {
  EXPECT_THAT(Added("a\nb\nc\n", "a\nb\nx\ny\nc\n"),
              ElementsAre("3:x\n", "4:y\n"));
}

TEST(AddedLinesTest, ChangedLineIsAddedWhole) {
  // Only part of the line differs; the whole line is added.
  EXPECT_THAT(Added("key = old\nz\n", "key = new\nz\n"),
              ElementsAre("1:key = new\n"));
}

TEST(AddedLinesTest, LastLineGainingANewlineCounts) {
  EXPECT_THAT(Added("a\nb", "a\nb\nc\n"), ElementsAre("2:b\n", "3:c\n"));
}

TEST(AddedLinesTest, DeletionsAddNothing) {
  EXPECT_THAT(Added("a\nb\nc\n", "a\nc\n"), IsEmpty());
}

TEST(AddedLinesTest, MovedLineIsAddedWhereItLands) {
  EXPECT_THAT(Added("s\na\nb\nc\n", "a\nb\nc\ns\n"), ElementsAre("4:s\n"));
}

TEST(AddedLinesTest, SeparateRunsKeepTheirLineNumbers) {
  auto runs = AddedLines("a\nb\nc\nd\n", "a\nX\nb\nc\nY\nd\n");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].first_line, 2u);
  EXPECT_EQ(runs[1].first_line, 5u);
}

TEST(AddedLinesTest, SuffixDoesNotOverlapPrefix) {
  // Repeated lines: the common prefix and suffix would overlap.
  EXPECT_THAT(Added("x\nx\n", "x\nx\nx\n"), ElementsAre("3:x\n"));
  EXPECT_THAT(Added("ab\n", "ab\nab\n"), ElementsAre("2:ab\n"));
}

// The length of a longest common subsequence of two line lists.
size_t Lcs(const std::vector<std::string>& a,
           const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1
                                     : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    size_t end = nl == std::string::npos ? s.size() : nl + 1;
    out.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// On random texts of few distinct lines: the lines not added are a common
// subsequence, and as long a one as there is (the edit is a shortest one).
TEST(AddedLinesTest, KeepsALongestCommonSubsequence) {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    auto text = [&] {
      std::string s;
      int lines = rng() % 12;
      for (int i = 0; i < lines; ++i)
        s += std::string(1, 'a' + rng() % 4) + "\n";
      if (rng() % 3 == 0) s += "z";  // no newline at the end
      return s;
    };
    std::string a = text(), b = text();
    std::vector<std::string> al = SplitLines(a), bl = SplitLines(b);
    std::vector<bool> added(bl.size(), false);
    for (const AddedRun& r : AddedLines(a, b)) {
      ASSERT_GE(r.first_line, 1u);
      for (size_t j = r.first_line - 1, pos = r.begin; pos < r.end; ++j) {
        ASSERT_LT(j, bl.size());
        ASSERT_EQ(b.compare(pos, bl[j].size(), bl[j]), 0) << a << "|" << b;
        added[j] = true;
        pos += bl[j].size();
      }
    }
    std::vector<std::string> kept;
    for (size_t j = 0; j < bl.size(); ++j) {
      if (!added[j]) kept.push_back(bl[j]);
    }
    EXPECT_EQ(Lcs(al, kept), kept.size()) << a << "|" << b;
    EXPECT_EQ(kept.size(), Lcs(al, bl)) << a << "|" << b;
  }
}

TEST(AddedLinesTest, LongEditsFallBackToCountingCopies) {
  std::string a, b;
  for (size_t i = 0; i < kMaxEdits; ++i) {
    a += absl::StrCat("old ", i, "\n");
    b += absl::StrCat("new ", i, "\n");
  }
  a += "kept\n";
  b = "kept\n" + b;  // moved: counted as present, not re-added
  auto added = Added(a, b);
  EXPECT_EQ(added.size(), kMaxEdits);
  EXPECT_EQ(added.front(), "2:new 0\n");
}

}  // namespace
}  // namespace dso
