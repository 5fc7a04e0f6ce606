// The modules a Go binary was built from, as `go version -m` shows them:
// the build information Go (1.18 and later) embeds after the marker
// "\xff Go buildinf:" — the toolchain version (reported as the package
// "stdlib"), the main module and every dependency, replacements applied.
//
//   GoBuildInfoFinder finder;
//   for (chunk : file) finder.Feed(chunk);       // streaming, any chunking
//   if (finder.found()) ParseGoBuildInfo(finder.data(), path, &inventory);
#ifndef DSO_STAGES_SCAN_DEPS_GO_BUILDINFO_H_
#define DSO_STAGES_SCAN_DEPS_GO_BUILDINFO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

// Finds the marker in a stream and keeps what follows it (up to 1 MiB).
class GoBuildInfoFinder {
 public:
  void Feed(absl::string_view chunk);
  bool found() const { return found_; }
  // Whether enough has been kept; a caller may stop reading then.
  bool done() const { return data_.size() >= kKeep; }
  const std::string& data() const { return data_; }  // from the marker on

  static constexpr size_t kKeep = 1 << 20;

 private:
  bool found_ = false;
  std::string tail_;  // the last bytes of the stream, while searching
  std::string data_;
};

// Packages from build information starting at the marker; an error names
// `file` when it is not Go 1.18+ build information or is cut short.
absl::Status ParseGoBuildInfo(absl::string_view data, const std::string& file,
                              Inventory* out);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_GO_BUILDINFO_H_
