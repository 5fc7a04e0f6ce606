#include "stages/scan/secrets/hyperscan_cache.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/sha256.h"

namespace dso {
namespace {

constexpr absl::string_view kMagic = "dso-hyperscan-cache 1\n";

std::string PathFor(const std::string& dir, const std::string& key) {
  return absl::StrCat(dir, "/hs-", key, ".db");
}

}  // namespace

std::string HyperscanCacheKey(const std::vector<std::string>& patterns,
                              const std::vector<unsigned>& flags,
                              const std::vector<unsigned>& ids) {
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  std::string all = absl::StrCat(hs_version(), "|", platform.tune, "|",
                                 platform.cpu_features, "|");
  for (size_t i = 0; i < patterns.size(); ++i) {
    absl::StrAppend(&all, ids[i], ":", flags[i], ":", patterns[i].size(), ":",
                    patterns[i], "\n");
  }
  return Sha256Digest(all).substr(7);
}

std::optional<CompiledPatterns> LoadCompiledPatterns(const std::string& dir,
                                                     const std::string& key) {
  if (dir.empty()) return std::nullopt;
  auto data = ReadFile(PathFor(dir, key), FileKind::kDocument);
  if (!data.ok() || !absl::StartsWith(*data, kMagic)) return std::nullopt;
  absl::string_view rest(*data);
  rest.remove_prefix(kMagic.size());
  // "<refused count>\n" then "<rule>\t<reason>\n" each, then the database.
  auto line = [&rest]() -> std::optional<absl::string_view> {
    size_t nl = rest.find('\n');
    if (nl == absl::string_view::npos) return std::nullopt;
    absl::string_view l = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    return l;
  };
  CompiledPatterns out;
  size_t count = 0;
  auto first = line();
  if (!first || !absl::SimpleAtoi(*first, &count)) return std::nullopt;
  for (size_t i = 0; i < count; ++i) {
    auto l = line();
    if (!l) return std::nullopt;
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(*l, absl::MaxSplits('\t', 1));
    size_t rule = 0;
    if (!absl::SimpleAtoi(parts.first, &rule)) return std::nullopt;
    out.refused.emplace_back(rule, std::string(parts.second));
  }
  if (hs_deserialize_database(rest.data(), rest.size(), &out.db) !=
      HS_SUCCESS) {
    return std::nullopt;
  }
  return out;
}

void StoreCompiledPatterns(const std::string& dir, const std::string& key,
                           const CompiledPatterns& compiled) {
  if (dir.empty() || !compiled.db) return;
  char* bytes = nullptr;
  size_t length = 0;
  if (hs_serialize_database(compiled.db, &bytes, &length) != HS_SUCCESS) {
    return;
  }
  std::string data(kMagic);
  absl::StrAppend(&data, compiled.refused.size(), "\n");
  for (const auto& [rule, why] : compiled.refused) {
    absl::StrAppend(&data, rule, "\t", why, "\n");
  }
  data.append(bytes, length);
  free(bytes);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  (void)WriteFileAtomically(PathFor(dir, key), data);
}

}  // namespace dso
