// A directory of the fuzz target's own under /tmp, made on first use and
// removed when the process exits (the targets that read files write each
// input there).
#ifndef DSO_TESTS_FUZZ_FUZZ_TEMP_DIR_H_
#define DSO_TESTS_FUZZ_FUZZ_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace dso {

inline const std::string& FuzzTempDir() {
  struct Dir {
    std::string path;
    Dir() {
      char name[] = "/tmp/dso-fuzz-XXXXXX";
      if (!mkdtemp(name)) std::abort();
      path = name;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

}  // namespace dso

#endif  // DSO_TESTS_FUZZ_FUZZ_TEMP_DIR_H_
