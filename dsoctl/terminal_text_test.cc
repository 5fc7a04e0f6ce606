#include "dsoctl/terminal_text.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(TerminalSafeTest, EscapesWhatCouldForgeOrRestyleALine) {
  EXPECT_EQ(TerminalSafe("src/a.py"), "src/a.py");
  EXPECT_EQ(TerminalSafe("x\n[dso] run 1: SUCCEEDED\r"),
            "x\\n[dso] run 1: SUCCEEDED\\r");
  EXPECT_EQ(TerminalSafe("\x1b[2Kred\x7f\x01"), "\\e[2Kred\\x7f\\x01");
  EXPECT_EQ(TerminalSafe("csi \xC2\x9B"
                         "2J"),
            "csi \\u009b2J");
  EXPECT_EQ(TerminalSafe("caf\xC3\xA9\ttab"), "caf\xC3\xA9\ttab");
  EXPECT_EQ(TerminalSafe("line\n", true), "line\n");
  EXPECT_EQ(TerminalSafe("a\nb\n", true), "a\\nb\n");
  EXPECT_EQ(TerminalSafe("line\n"), "line\\n");
}

}  // namespace
}  // namespace dso
