// A run's journal as the agent reads it back after a restart: a crash may
// have cut it anywhere, and a disk may have damaged it.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "runtime/journal.h"
#include "tests/fuzz/fuzz_temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = dso::FuzzTempDir() + "/run.journal";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data),
             static_cast<std::streamsize>(size));
  (void)dso::SummarizeJournal(path);
  (void)dso::ReadJournalEnds(path);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)dso::JournalRunId(fd, path);
    close(fd);
  }
  return 0;
}
