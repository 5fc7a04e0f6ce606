#include "stages/scan/image/image_checks.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/finding.h"

namespace dso {
namespace {

using json = nlohmann::json;
using Type = LayerEntryInfo::Type;

constexpr char kScanner[] = "image";

dso::v1::Finding Make(const std::string& rule, dso::v1::Severity severity,
                      const std::string& title, const std::string& path,
                      const std::string& layer, const std::string& evidence) {
  dso::v1::Finding f;
  f.set_rule_id(rule);
  f.set_title(title);
  f.set_severity(severity);
  f.set_scanner(kScanner);
  f.mutable_location()->set_file(path);
  f.mutable_location()->set_layer(layer);
  f.set_evidence(evidence);
  f.set_fingerprint(Fingerprint({"image", rule, path}));
  return f;
}

// Where package managers leave their caches, and what they are.
struct Cache {
  const char* dir;
  const char* what;
};
constexpr Cache kCaches[] = {
    {"var/cache/apt/archives", "apt's downloaded .deb files"},
    {"var/lib/apt/lists", "apt's package lists"},
    {"var/cache/apk", "apk's package cache"},
    {"root/.cache/pip", "pip's cache"},
    {"root/.npm/_cacache", "npm's cache"},
};

// What each kind of layer problem is reported as, in LayerProblem::Kind
// order.
struct ProblemRule {
  const char* rule;
  dso::v1::Severity severity;
  const char* title;
};
constexpr ProblemRule kProblemRules[] = {
    {"image-layer-path-traversal", dso::v1::HIGH,
     "A layer entry climbs out of the root"},
    {"image-layer-link-escapes", dso::v1::LOW, "A link leads out of the root"},
    {"image-layer-device-file", dso::v1::MEDIUM, "A device file in a layer"},
    {"image-layer-too-large", dso::v1::MEDIUM, "A layer past the size limits"},
};

std::string UserPart(const std::string& user) {
  return user.substr(0, user.find(':'));
}

}  // namespace

std::vector<dso::v1::Finding> CheckImage(const ImageScanResult& scan,
                                         const std::string& config_json,
                                         const std::string& base_name) {
  std::vector<dso::v1::Finding> out;
  auto layer = [&](size_t i) {
    return i < scan.layer_digests.size() ? scan.layer_digests[i] : "";
  };
  json config = json::parse(config_json, nullptr, false);
  // A hostile image's config: values of another type count as missing.
  const json& c = MemberAt(config, "config");
  std::string user = StringAt(c, "User");
  if (user.empty() || UserPart(user) == "0" || UserPart(user) == "root") {
    out.push_back(Make("image-runs-as-root", dso::v1::MEDIUM,
                       "The image runs as root", "config:User", "",
                       user.empty() ? "no USER set" : "User: " + user));
  }
  const json& test = MemberAt(MemberAt(c, "Healthcheck"), "Test");
  if (!test.is_array() || test.empty() || test[0] == "NONE") {
    out.push_back(Make("image-no-healthcheck", dso::v1::LOW,
                       "The image has no health check", "config:Healthcheck",
                       "", "no HEALTHCHECK in the image config"));
  }
  if (!base_name.empty()) {
    std::string tail = base_name.substr(base_name.rfind('/') + 1);
    bool digest = absl::StrContains(base_name, "@sha256:");
    size_t colon = tail.rfind(':');
    if (!digest &&
        (colon == std::string::npos || tail.substr(colon + 1) == "latest")) {
      out.push_back(Make("image-base-unpinned", dso::v1::LOW,
                         "The base image is not pinned to a version",
                         "manifest:base", "",
                         "base " + base_name + " (tag latest or none)"));
    }
  }

  std::map<std::string, std::pair<uint64_t, uint64_t>> caches;  // files, bytes
  for (const auto& [path, node] : scan.view.nodes()) {
    const LayerEntryInfo& e = node.info;
    if (e.type == Type::kSymlink) continue;
    bool sticky_dir = e.type == Type::kDirectory && (e.mode & 01000);
    if ((e.mode & 0002) && !sticky_dir) {
      out.push_back(Make("image-world-writable", dso::v1::MEDIUM,
                         "Anyone may write to this path", path,
                         layer(node.layer),
                         absl::StrFormat("mode %04o", e.mode & 07777)));
    }
    if (e.type == Type::kFile && (e.mode & 06000)) {
      out.push_back(Make("image-setuid-setgid", dso::v1::INFO,
                         (e.mode & 04000) ? "A setuid file" : "A setgid file",
                         path, layer(node.layer),
                         absl::StrFormat("mode %04o", e.mode & 07777)));
    }
    if (e.type == Type::kFile) {
      for (const Cache& cache : kCaches) {
        if (absl::StartsWith(path, absl::StrCat(cache.dir, "/")) &&
            !absl::EndsWith(path, "/lock") &&
            path.find("/partial") == std::string::npos) {
          auto& [files, bytes] = caches[cache.dir];
          ++files;
          bytes += e.size;
        }
      }
    }
  }
  for (const Cache& cache : kCaches) {
    auto it = caches.find(cache.dir);
    if (it == caches.end()) continue;
    const ImageFileView::Node* node = scan.view.Find(cache.dir);
    out.push_back(Make("image-package-cache", dso::v1::LOW,
                       absl::StrCat("The image keeps ", cache.what), cache.dir,
                       node ? layer(node->layer) : "",
                       absl::StrCat(it->second.first, " files, ",
                                    it->second.second, " bytes")));
  }

  for (size_t i = 0; i < scan.problems.size(); ++i) {
    for (const LayerProblem& p : scan.problems[i]) {
      const ProblemRule& r = kProblemRules[static_cast<int>(p.kind)];
      out.push_back(
          Make(r.rule, r.severity, r.title, p.path, layer(i), p.detail));
    }
  }
  return out;
}

}  // namespace dso
