#include "dsoctl/follow.h"

#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "dsoctl/terminal_text.h"
#include "stages/core/finding.h"

namespace dso {

namespace {

// A fresh idempotency key for a run this invocation starts.
std::string RandomKey() {
  std::random_device rd;
  return absl::StrCat("dsoctl-", absl::Hex(rd(), absl::kZeroPad8),
                      absl::Hex(rd(), absl::kZeroPad8),
                      absl::Hex(rd(), absl::kZeroPad8));
}

// What the interrupt thread needs to cancel the run in progress.
struct InterruptState {
  absl::Mutex mu;
  AgentConnection* conn ABSL_GUARDED_BY(mu) = nullptr;
  std::string run_id ABSL_GUARDED_BY(mu);
  int signals ABSL_GUARDED_BY(mu) = 0;
};

InterruptState& State() {
  static InterruptState* s = new InterruptState;
  return *s;
}

void OnInterrupt() {
  InterruptState& s = State();
  absl::MutexLock lock(&s.mu);
  ++s.signals;
  if (s.signals > 1 || s.conn == nullptr) {
    std::cerr << "\n[dso] interrupted\n";
    _exit(130);
  }
  if (!s.run_id.empty()) {
    std::cerr << "\n[dso] cancelling run " << s.run_id
              << " (Ctrl-C again to leave without waiting)\n";
    dso::v1::CancelRequest req;
    req.set_run_id(s.run_id);
    req.set_reason("Ctrl-C in dsoctl");
    absl::StatusOr<dso::v1::Run> run = s.conn->client().Cancel(req);
    if (!run.ok()) {
      std::cerr << "[dso] cancel failed: " << run.status().message() << "\n";
      s.conn->client().StopStream();
    }
  } else {
    s.conn->client().StopStream();
  }
}

// On a terminal progress rewrites one line; in a log (Jenkins) it prints a
// line every few seconds at most.
bool progress_line_open = false;  // a terminal line without its newline

void PrintProgress(const dso::v1::Progress& p) {
  static const bool tty = isatty(STDERR_FILENO);
  progress_line_open = tty;
  static absl::Time last_line = absl::InfinitePast();
  if (!tty && absl::Now() - last_line < absl::Seconds(5)) return;
  last_line = absl::Now();
  std::string text =
      absl::StrCat("[dso] ", TerminalSafe(p.phase()), ": ", p.done());
  if (p.total()) absl::StrAppend(&text, "/", p.total());
  if (p.unit() == "layers") {  // findings are known once layers are read
    absl::StrAppend(&text, " layers, ",
                    absl::StrFormat("%.1f", p.bytes() / 1e6), " MB read");
  } else if (!p.unit().empty()) {
    absl::StrAppend(&text, " ", p.unit(), ", ", p.findings(), " findings");
  } else if (p.bytes()) {
    absl::StrAppend(&text, " files, ", absl::StrFormat("%.1f", p.bytes() / 1e6),
                    " MB, ", p.findings(), " findings");
  }
  std::cerr << (tty ? "\r\033[K" : "") << text << (tty ? "" : "\n")
            << std::flush;
}

void PrintEvent(const dso::v1::Event& e, FollowResult& out) {
  out.last_seq = e.seq();
  if (progress_line_open && !e.has_progress()) {
    std::cerr << "\n";
    progress_line_open = false;
  }
  if (out.run_id.empty()) out.run_id = e.run_id();
  if (e.has_started()) {
    std::cerr << "[dso] run " << e.run_id() << " started ("
              << TerminalSafe(e.started().run().description()) << ")\n";
  } else if (e.has_log()) {
    const auto& l = e.log();
    if (l.stream() == dso::v1::LogLine::STDOUT) {
      std::cout << l.text() << std::flush;
    } else if (l.stream() == dso::v1::LogLine::STDERR) {
      std::cerr << l.text() << std::flush;
    } else {
      std::cerr << "[dso] " << TerminalSafe(l.text(), true) << std::flush;
    }
  } else if (e.has_progress()) {
    PrintProgress(e.progress());
  } else if (e.has_finding()) {
    const auto& f = e.finding();
    // Every field may come from the scanned tree (a file name, a rule of a
    // config the client sent).
    std::cerr << "[dso] " << SeverityName(f.severity()) << " "
              << TerminalSafe(f.rule_id());
    if (!f.location().file().empty()) {
      std::cerr << " " << TerminalSafe(f.location().file()) << ":"
                << f.location().line();
    }
    std::cerr << " " << TerminalSafe(f.title());
    if (!f.evidence().empty()) std::cerr << " " << TerminalSafe(f.evidence());
    std::cerr << "\n";
    out.findings.push_back(f);
  } else if (e.has_artifact()) {
    out.artifacts.push_back(e.artifact());
    std::cerr << "[dso] artifact " << TerminalSafe(e.artifact().name()) << " "
              << e.artifact().digest() << " (" << e.artifact().size()
              << " bytes)\n";
  } else if (e.has_result()) {
    out.result = e.result();
    std::cerr << "[dso] run " << e.run_id() << ": "
              << dso::v1::Outcome_Name(e.result().outcome());
    if (!e.result().message().empty()) {
      std::cerr << " (" << TerminalSafe(e.result().message()) << ")";
    }
    std::cerr << "\n";
  }
}

// Prints one event of the stream and remembers the run it belongs to, for
// Ctrl-C.
void OnEvent(const dso::v1::Event& e, FollowResult& out) {
  PrintEvent(e, out);
  absl::MutexLock lock(&State().mu);
  State().run_id = out.run_id;
}

absl::StatusOr<FollowResult> Follow(AgentConnection& conn,
                                    const dso::v1::RunStepRequest* request,
                                    std::string run_id, uint64_t from_seq) {
  FollowResult out;
  out.run_id = run_id;
  out.last_seq = from_seq ? from_seq - 1 : 0;
  // Sent again after a lost connection, a request attaches to the run it
  // started by its idempotency key: a fresh one unless the user gave one.
  // In process nothing is lost, and a key would make the embedded agent
  // read every run it keeps to look for it.
  dso::v1::RunStepRequest keyed;
  if (request && request->idempotency_key().empty() && !conn.embedded()) {
    keyed = *request;
    keyed.set_idempotency_key(RandomKey());
    request = &keyed;
  }
  absl::Time give_up = absl::Now() + absl::Seconds(60);
  absl::Duration backoff = absl::Milliseconds(200);
  auto on_event = [&out](const dso::v1::Event& e) { OnEvent(e, out); };
  while (true) {
    {
      absl::MutexLock lock(&State().mu);
      State().conn = &conn;
      State().run_id = out.run_id;
    }
    AgentClient::StreamEnd end;
    if (out.run_id.empty()) {
      // (Re)sent with the same idempotency key: attaches if it started.
      end = conn.client().RunStep(*request, on_event);
    } else {
      dso::v1::AttachRequest req;
      req.set_run_id(out.run_id);
      req.set_from_seq(out.last_seq + 1);
      end = conn.client().Attach(req, on_event);
    }
    absl::Status st = end.status;
    int signals;
    {
      absl::MutexLock lock(&State().mu);
      signals = State().signals;
    }
    // With a result, the result decides (a run cancelled by Ctrl-C ends
    // CANCELLED; one that finished first keeps its outcome).
    if (out.result.outcome() != dso::v1::OUTCOME_UNSPECIFIED) return out;
    if (signals > 0) {
      out.interrupted_by_user = true;
      out.result.set_outcome(dso::v1::CANCELLED);
      out.result.set_message("interrupted");
      return out;
    }
    if (st.ok()) {
      return absl::DataLossError(absl::StrCat("the stream of run ", out.run_id,
                                              " ended without a result"));
    }
    if (absl::IsCancelled(st) && !conn.embedded()) {
      // Not the user's doing (no signal): the agent went away mid-stream.
      st = absl::UnavailableError(
          absl::StrCat("the agent closed the stream (", st.message(), ")"));
    } else if (!absl::IsUnavailable(st) || end.refused || conn.embedded() ||
               absl::Now() > give_up) {
      // An answer of the agent's; in process, nothing to reconnect to.
      return st;
    }
    if (absl::Now() > give_up) return st;
    std::cerr << "[dso] connection lost (" << st.message()
              << "); reconnecting\n";
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

}  // namespace

absl::StatusOr<FollowResult> RunAndFollow(
    AgentConnection& conn, const dso::v1::RunStepRequest& request) {
  return Follow(conn, &request, "", 1);
}

absl::StatusOr<FollowResult> AttachAndFollow(AgentConnection& conn,
                                             const std::string& run_id,
                                             uint64_t from_seq) {
  return Follow(conn, nullptr, run_id, from_seq);
}

void InstallInterruptHandler() {
  static sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([] {
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) == 0) OnInterrupt();
    }
  }).detach();
}

}  // namespace dso
