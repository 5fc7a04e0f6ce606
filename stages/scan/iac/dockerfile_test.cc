#include "stages/scan/iac/dockerfile.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(DockerfileTest, InstructionsWithLinesFlagsAndForms) {
  Dockerfile df = ParseDockerfile(
      "# syntax=docker/dockerfile:1\n"
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
      "\n"
      "  run go build \\\n"
      "    # a comment inside the instruction\n"
      "\n"
      "    -o /app ./cmd\n"
      "COPY --from=build --chown=1000 /app /app\n"
      "CMD [\"/app\", \"--serve\"]\n"
      "ENTRYPOINT [\"broken\"\n");
  EXPECT_EQ(df.syntax, "docker/dockerfile:1");
  ASSERT_EQ(df.instructions.size(), 5u);
  const DockerInstruction& from = df.instructions[0];
  EXPECT_EQ(from.keyword, "FROM");
  EXPECT_EQ(from.line, 2u);
  EXPECT_THAT(from.flags, ElementsAre("--platform=$BUILDPLATFORM"));
  EXPECT_EQ(from.rest, "golang:1.22 AS build");
  const DockerInstruction& run = df.instructions[1];
  EXPECT_EQ(run.keyword, "RUN");
  EXPECT_EQ(run.line, 4u);
  EXPECT_EQ(run.end_line, 7u);
  EXPECT_EQ(run.rest, "go build     -o /app ./cmd");
  EXPECT_FALSE(run.exec_form);
  EXPECT_THAT(df.instructions[2].flags,
              ElementsAre("--from=build", "--chown=1000"));
  EXPECT_TRUE(df.instructions[3].exec_form);
  EXPECT_THAT(df.instructions[3].exec_args, ElementsAre("/app", "--serve"));
  // Not a JSON array: the shell form, as Docker reads it.
  EXPECT_FALSE(df.instructions[4].exec_form);
  EXPECT_THAT(df.warnings, IsEmpty());
}

TEST(DockerfileTest, TheEscapeDirectiveChangesContinuations) {
  Dockerfile df = ParseDockerfile(
      "# escape=`\n"
      "FROM mcr.microsoft.com/windows/servercore\n"
      "WORKDIR C:\\app\n"
      "RUN dir `\n"
      "  c:\\\n");
  EXPECT_EQ(df.escape, '`');
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[1].rest, "C:\\app");
  EXPECT_EQ(df.instructions[2].rest, "dir   c:\\");
  // Directives count only at the top.
  Dockerfile late = ParseDockerfile("FROM a\n# escape=`\nRUN x `\n");
  EXPECT_EQ(late.escape, '\\');
}

TEST(DockerfileTest, Heredocs) {
  Dockerfile df = ParseDockerfile(
      "FROM debian:12\n"
      "RUN <<EOF bash\n"
      "apt-get update\n"
      "EOF\n"
      "COPY <<-\"CONF\" <<OTHER /etc/\n"
      "\t\tkey = value\n"
      "\tCONF\n"
      "x\n"
      "OTHER\n"
      "RUN echo $((1<<2))\n"
      "RUN cat <<END\n"
      "never closed\n");
  ASSERT_EQ(df.instructions.size(), 5u);
  const DockerInstruction& run = df.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].delimiter, "EOF");
  EXPECT_EQ(run.heredocs[0].body, "apt-get update\n");
  EXPECT_EQ(run.end_line, 4u);
  const DockerInstruction& copy = df.instructions[2];
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].body, "key = value\n");
  EXPECT_EQ(copy.heredocs[1].body, "x\n");
  EXPECT_EQ(copy.end_line, 9u);
  EXPECT_THAT(df.instructions[3].heredocs, IsEmpty());  // a shift, not <<
  ASSERT_EQ(df.warnings.size(), 1u);
  EXPECT_THAT(df.warnings[0], HasSubstr("11: the heredoc <<END is not closed"));
}

TEST(DockerfileTest, BadLinesAreWarningsAndTheRestIsRead) {
  Dockerfile df =
      ParseDockerfile("FROM alpine:3.19\r\n=oops\r\nUSER app\r\nRUN a \\");
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[1].keyword, "USER");
  EXPECT_EQ(df.instructions[1].rest, "app");
  EXPECT_EQ(df.instructions[2].rest, "a");  // a continuation at the end
  ASSERT_EQ(df.warnings.size(), 1u);
  EXPECT_THAT(df.warnings[0], HasSubstr("2: '=oops' is not an instruction"));
  EXPECT_THAT(ParseDockerfile("").instructions, IsEmpty());
  EXPECT_THAT(ParseDockerfile("# only a comment\n\n").instructions, IsEmpty());
}

TEST(DockerfileTest, FileNames) {
  for (const char* yes : {"Dockerfile", "dockerfile", "Containerfile",
                          "Dockerfile.prod", "web.Dockerfile"}) {
    EXPECT_TRUE(IsDockerfileName(yes)) << yes;
  }
  for (const char* no : {"Dockerfiles", "docker-compose.yml", "README.md"}) {
    EXPECT_FALSE(IsDockerfileName(no)) << no;
  }
}

}  // namespace
}  // namespace dso
