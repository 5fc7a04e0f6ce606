// The packages a lockfile reader adds to an inventory, each (ecosystem,
// name, version) once — the first place it appears — and at most
// kMaxPackagesPerFile of them. The set holds indices into the inventory's
// packages, not copies, so a large lockfile costs one Package per distinct
// package and a few bytes more. The inventory is the caller's, and must
// outlive this.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_UNIQUE_PACKAGES_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_UNIQUE_PACKAGES_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

class UniquePackages {
 public:
  explicit UniquePackages(Inventory* out)
      : out_(out), index_(0, Hash{&out->packages}, Eq{&out->packages}) {}

  // Adds `p` unless it is there; an error naming its file once the file
  // has named more than kMaxPackagesPerFile.
  absl::Status Add(Package p) {
    out_->packages.push_back(std::move(p));
    const uint32_t i = static_cast<uint32_t>(out_->packages.size() - 1);
    if (!index_.insert(i).second) {
      out_->packages.pop_back();
    } else if (index_.size() > kMaxPackagesPerFile) {
      return absl::ResourceExhaustedError(
          absl::StrCat(out_->packages.back().file, ": more than ",
                       kMaxPackagesPerFile, " distinct packages"));
    }
    return absl::OkStatus();
  }

 private:
  using Packages = std::vector<Package>;
  using KeyTuple =
      std::tuple<const std::string&, const std::string&, const std::string&>;
  static KeyTuple Key(const Package& p) {
    return std::tie(p.ecosystem, p.name, p.version);
  }
  struct Hash {
    const Packages* packages;
    size_t operator()(uint32_t i) const {
      return absl::Hash<KeyTuple>()(Key((*packages)[i]));
    }
  };
  struct Eq {
    const Packages* packages;
    bool operator()(uint32_t a, uint32_t b) const {
      return Key((*packages)[a]) == Key((*packages)[b]);
    }
  };

  Inventory* out_;
  absl::flat_hash_set<uint32_t, Hash, Eq> index_;
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_UNIQUE_PACKAGES_H_
