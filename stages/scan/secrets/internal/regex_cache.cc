#include "stages/scan/secrets/internal/regex_cache.h"

#include <list>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace dso {
namespace {

// The options that change what a pattern means or costs, as part of the key.
std::string OptionsKey(const RE2::Options& o) {
  return absl::StrCat(o.encoding(), o.posix_syntax(), o.longest_match(),
                      o.literal(), o.never_nl(), o.dot_nl(), o.never_capture(),
                      o.case_sensitive(), o.perl_classes(), o.word_boundary(),
                      o.one_line(), ":", o.max_mem(), ":");
}

class RegexCache {
 public:
  size_t size() {
    absl::MutexLock lock(&mu_);
    return map_.size();
  }

  std::shared_ptr<const RE2> Get(absl::string_view pattern,
                                 const RE2::Options& options) {
    std::string key = absl::StrCat(OptionsKey(options), pattern);
    {
      absl::MutexLock lock(&mu_);
      if (auto it = map_.find(key); it != map_.end()) {
        order_.splice(order_.begin(), order_, it->second.second);
        return it->second.first;
      }
    }
    // Compiled outside the lock: another thread may compile it too, and the
    // first to finish wins.
    auto re = std::make_shared<const RE2>(
        re2::StringPiece(pattern.data(), pattern.size()), options);
    absl::MutexLock lock(&mu_);
    auto [it, added] = map_.try_emplace(key);
    if (!added) {
      order_.splice(order_.begin(), order_, it->second.second);
      return it->second.first;
    }
    order_.push_front(key);
    it->second = {re, order_.begin()};
    while (map_.size() > kMaxCachedRegexes) {
      map_.erase(order_.back());
      order_.pop_back();
    }
    return re;
  }

 private:
  absl::Mutex mu_;
  std::list<std::string> order_;  // most recently asked for first
  absl::flat_hash_map<std::string, std::pair<std::shared_ptr<const RE2>,
                                             std::list<std::string>::iterator>>
      map_ ABSL_GUARDED_BY(mu_);
};

RegexCache& Cache() {
  static RegexCache* cache = new RegexCache();
  return *cache;
}

}  // namespace

std::shared_ptr<const RE2> SharedRegex(absl::string_view pattern,
                                       const RE2::Options& options) {
  return Cache().Get(pattern, options);
}

size_t CachedRegexCount() { return Cache().size(); }

}  // namespace dso
