// Dockerfiles as BuildKit reads them, for the IaC checks: instructions
// with their line ranges, flags, shell or exec form and heredocs.
//
// Read as the Dockerfile frontend does: parser directives at the top
// (`# escape=` changes the line-continuation character, `# syntax=` is
// kept), comment lines dropped wherever they are (also inside a continued
// instruction), empty lines inside a continuation skipped, keywords in any
// case, the arguments of an instruction in exec form when they are a JSON
// array of strings (else shell form), `<<EOF` / `<<-EOF` / `<<"EOF"`
// heredocs of RUN, COPY and ADD with their bodies.
//
// Input is untrusted (any repository): nothing reads past the text, and a
// line the parser cannot read is a warning naming it, the rest is read.
// The caller bounds the size of the text.
#ifndef DSO_STAGES_SCAN_IAC_DOCKERFILE_H_
#define DSO_STAGES_SCAN_IAC_DOCKERFILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace dso {

struct DockerHeredoc {
  std::string delimiter;  // EOF of <<EOF
  std::string body;       // the lines between, each with its newline
};

struct DockerInstruction {
  std::string keyword;  // upper case: FROM, RUN, COPY, ...
  // The text after the keyword, continued lines joined (the escape and the
  // newline removed), leading flags included.
  std::string args;
  // --name[=value] options at the start of the arguments (FROM, RUN, COPY,
  // ADD, HEALTHCHECK); the rest of the arguments without them.
  std::vector<std::string> flags;
  std::string rest;
  // Exec form: `rest` is a JSON array of strings, here one by one.
  bool exec_form = false;
  std::vector<std::string> exec_args;
  std::vector<DockerHeredoc> heredocs;
  uint32_t line = 0;      // 1-based, where the keyword is
  uint32_t end_line = 0;  // the last line, heredoc bodies included
};

struct Dockerfile {
  std::vector<DockerInstruction> instructions;
  char escape = '\\';
  std::string syntax;  // the `# syntax=` directive, if any
  // "LINE: what is wrong" for lines that could not be read.
  std::vector<std::string> warnings;
};

Dockerfile ParseDockerfile(absl::string_view text);

// Whether a file's name says it is a Dockerfile: Dockerfile, *.Dockerfile,
// Dockerfile.*, Containerfile (any case).
bool IsDockerfileName(absl::string_view file_name);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_IAC_DOCKERFILE_H_
