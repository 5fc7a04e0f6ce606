// The lockfiles dso reads in pieces (lockfile_stream.h) on a hostile file:
// the pieces must change nothing. The input's first byte picks the reader
// (package-lock.json, yarn.lock, pnpm-lock.yaml), the second where the file
// is cut in two; read whole and read cut, the verdict, the error, the
// packages and the notes must be the same. For package-lock.json the JSON
// reader must also accept exactly what nlohmann's parser accepts (texts
// without a NUL byte, which nlohmann reads as the end).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "nlohmann/json.hpp"
#include "stages/scan/deps/internal/json_stream.h"
#include "stages/scan/deps/lockfile_stream.h"

namespace {

struct Read {
  absl::Status status;
  dso::Inventory inventory;
};

Read ReadCut(dso::LockfileReaderFactory factory, absl::string_view text,
             size_t cut) {
  Read out;
  auto reader = factory("f", &out.inventory);
  absl::StatusOr<size_t> used = reader->Consume(text.substr(0, cut), false);
  if (used.ok()) {
    std::string rest(text.substr(*used));
    used = reader->Consume(rest, true);
    if (used.ok() && *used != rest.size()) __builtin_trap();
  }
  out.status = used.status();
  return out;
}

bool Same(const dso::Inventory& a, const dso::Inventory& b) {
  if (a.packages.size() != b.packages.size() || a.notes != b.notes ||
      a.warnings != b.warnings) {
    return false;
  }
  for (size_t i = 0; i < a.packages.size(); ++i) {
    const dso::Package &x = a.packages[i], &y = b.packages[i];
    if (x.name != y.name || x.version != y.version || x.line != y.line) {
      return false;
    }
  }
  return true;
}

class Ignore : public dso::JsonHandler {
  void Key(absl::string_view, uint32_t) override {}
  void StartContainer(bool) override {}
  void EndContainer(bool) override {}
  void String(absl::string_view) override {}
  void Literal(absl::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  absl::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  const dso::LockfileReaderFactory factories[] = {dso::NewPackageLockReader,
                                                  dso::NewYarnLockReader,
                                                  dso::NewPnpmLockReader};
  dso::LockfileReaderFactory factory = factories[data[0] % 3];
  Read whole = ReadCut(factory, text, text.size());
  Read cut = ReadCut(factory, text, data[1] * text.size() / 255);
  if (whole.status != cut.status) __builtin_trap();
  if (whole.status.ok() && !Same(whole.inventory, cut.inventory)) {
    __builtin_trap();
  }
  // nlohmann takes a NUL byte for the end of its input ("[1]\0x" is JSON
  // to it, not to RFC 8259 or dso): texts holding one are not compared.
  if (data[0] % 3 == 0 && !absl::StrContains(text, '\0')) {
    Ignore ignore;
    dso::JsonStream json(&ignore, "f", text.size() + 1);
    const bool ours = json.Consume(text, true).ok();
    if (ours != nlohmann::json::accept(text.begin(), text.end())) {
      __builtin_trap();
    }
  }
  return 0;
}
