// Dockerfiles as any repository may hold them: parsed and checked.
#include <cstddef>
#include <cstdint>

#include "stages/scan/iac/dockerfile.h"
#include "stages/scan/iac/dockerfile_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  dso::Dockerfile df = dso::ParseDockerfile(in);
  size_t lines = 1;
  for (char c : in) lines += c == '\n';
  uint32_t previous_end = 0;
  for (const dso::DockerInstruction& i : df.instructions) {
    // Lines are in order, within the text, each instruction after the last.
    if (i.line == 0 || i.line > i.end_line || i.end_line > lines ||
        i.line <= previous_end || i.keyword.empty()) {
      __builtin_trap();
    }
    previous_end = i.end_line;
  }
  for (const dso::IacFinding& f : dso::CheckDockerfile(df, "Dockerfile")) {
    if (!f.check || f.line == 0 || f.line > f.end_line) __builtin_trap();
  }
  return 0;
}
