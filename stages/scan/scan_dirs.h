// Where the scan steps keep what outlives a run, given by whoever
// registers them (the agent, from its configuration): not read from the
// environment.
#ifndef DSO_STAGES_SCAN_SCAN_DIRS_H_
#define DSO_STAGES_SCAN_SCAN_DIRS_H_

#include <string>

namespace dso {

struct ScanDirs {
  // Compiled rule databases (hyperscan_cache.h); "" keeps none.
  std::string cache_dir;
  // The vulnerability database, unless a request names another
  // (deps/db_step.h: DatabaseDir).
  std::string db_dir;
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SCAN_DIRS_H_
