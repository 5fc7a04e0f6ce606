// A datagram from a deployed application's monitor: the application is
// hostile, and writes what it likes to the events socket.
#include <cstddef>
#include <cstdint>

#include "absl/time/clock.h"
#include "stages/rasp/rasp_events.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  (void)dso::NormalizeRaspEvent(in, "app", absl::FromUnixSeconds(1700000000));
  return 0;
}
