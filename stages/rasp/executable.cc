#include "stages/rasp/executable.h"

#include <elf.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dso {
namespace {

absl::StatusOr<std::string> Canonical(const std::string& path) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot find ", path, ": ", strerror(errno)));
  }
  return std::string(resolved);
}

// The file `path` is executed through, or "" for none.
std::string InterpreterOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[128] = {};
  in.read(head, sizeof(head));
  if (head[0] == '#' && head[1] == '!') {
    std::string line(head + 2, strnlen(head + 2, sizeof(head) - 2));
    line = line.substr(0, line.find('\n'));
    std::vector<std::string> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    return words.empty() ? "" : words[0];
  }
  if (memcmp(head, ELFMAG, SELFMAG) != 0 || head[EI_CLASS] != ELFCLASS64) {
    return "";
  }
  Elf64_Ehdr ehdr;
  memcpy(&ehdr, head, sizeof(ehdr));
  for (int i = 0; i < ehdr.e_phnum && i < 256; ++i) {
    Elf64_Phdr phdr;
    in.clear();
    in.seekg(ehdr.e_phoff + static_cast<uint64_t>(i) * ehdr.e_phentsize);
    if (!in.read(reinterpret_cast<char*>(&phdr), sizeof(phdr))) return "";
    if (phdr.p_type != PT_INTERP || phdr.p_filesz > PATH_MAX) continue;
    std::string interp(phdr.p_filesz, '\0');
    in.seekg(phdr.p_offset);
    if (!in.read(interp.data(), interp.size())) return "";
    return interp.substr(0, interp.find('\0'));
  }
  return "";
}

}  // namespace

absl::StatusOr<std::string> FindExecutable(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("no program to run");
  if (name.find('/') != std::string::npos) return Canonical(name);
  const char* path = getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return Canonical(candidate);
  }
  return absl::NotFoundError(
      absl::StrCat("cannot find the program ", name, " in PATH"));
}

absl::StatusOr<std::vector<std::string>> ExecutionChain(
    const std::string& program) {
  std::vector<std::string> chain;
  auto current = Canonical(program);
  for (int depth = 0; depth < 5 && current.ok(); ++depth) {
    chain.push_back(*current);
    std::string next = InterpreterOf(*current);
    if (next.empty()) return chain;
    current = Canonical(next);
  }
  if (!current.ok()) return current.status();
  return chain;
}

}  // namespace dso
