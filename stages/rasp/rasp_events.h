// RASP events: what the monitor saw and decided, one JSON object per line
// in the target's event log (written by dso-run, read by `dsoctl deploy
// events`). Fields: @timestamp, target (the deployment), kind (exec,
// connect, open, chmod, attr, signal; start, user and exit from dso-run
// itself), what (the program, address, path or process), decision (blocked |
// allowed), mode, reason, pid, ppid, exe, detail (arguments, open flags). The
// monitor's datagrams come from the protected — possibly compromised — program,
// so only those fields are taken from them, as strings or numbers.
#ifndef DSO_STAGES_RASP_RASP_EVENTS_H_
#define DSO_STAGES_RASP_RASP_EVENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace dso {

// The log line (no newline) for one datagram from the monitor; an error
// when it is not one.
absl::StatusOr<std::string> NormalizeRaspEvent(absl::string_view datagram,
                                               const std::string& deployment,
                                               absl::Time now);

// A log line for an event of dso-run itself (`fields`: a JSON object).
std::string LauncherEvent(const std::string& kind,
                          const std::string& deployment,
                          const std::string& fields_json, absl::Time now);

// One line for people: "2026-11-27T08:00:00Z blocked exec /bin/sh (pid 12:
// not in the policy's exec list) sh -c id".
std::string DescribeRaspEvent(absl::string_view line);

// The last `limit` lines of the event log at `path` (all when 0).
absl::StatusOr<std::vector<std::string>> ReadRaspEvents(const std::string& path,
                                                        size_t limit);

}  // namespace dso

#endif  // DSO_STAGES_RASP_RASP_EVENTS_H_
