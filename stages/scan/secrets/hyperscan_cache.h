// Compiled Hyperscan databases kept on disk, so a scan with the same rules
// skips compilation (0.3-0.7 s for a few hundred rules). An entry is keyed
// by the SHA-256 of everything that went into it: Hyperscan's version, the
// CPU platform it was compiled for, and every pattern with its flags and id.
// A missing, stale or damaged entry just means compiling again.
#ifndef DSO_STAGES_SCAN_SECRETS_HYPERSCAN_CACHE_H_
#define DSO_STAGES_SCAN_SECRETS_HYPERSCAN_CACHE_H_

#include <hs/hs.h>

#include <optional>
#include <string>
#include <vector>

namespace dso {

struct CompiledPatterns {
  hs_database_t* db = nullptr;  // owned by the caller once returned
  // Rules Hyperscan refused, each with the reason.
  std::vector<std::pair<size_t, std::string>> refused;
};

std::string HyperscanCacheKey(const std::vector<std::string>& patterns,
                              const std::vector<unsigned>& flags,
                              const std::vector<unsigned>& ids);

std::optional<CompiledPatterns> LoadCompiledPatterns(const std::string& dir,
                                                     const std::string& key);

// Best effort: a cache that cannot be written is skipped.
void StoreCompiledPatterns(const std::string& dir, const std::string& key,
                           const CompiledPatterns& compiled);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_HYPERSCAN_CACHE_H_
