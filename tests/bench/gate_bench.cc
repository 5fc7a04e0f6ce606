// Gate speed in process, phase by phase: reading the reports (parse,
// merge), the baseline and waivers, deciding, and writing the decision's
// three forms. Usage: dso_gate_bench WAIVERS BASELINE REPORT...
#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/gate/gate_decision.h"

namespace {

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s WAIVERS BASELINE REPORT...\n", argv[0]);
    return 2;
  }
  // As the gate step reads them: the baseline first, then the reports, all
  // in parallel.
  auto baseline_text = dso::ReadFile(argv[2]);
  if (!baseline_text.ok()) return Fail(baseline_text.status());
  std::vector<dso::ReportText> texts = {{argv[2], *std::move(baseline_text)}};
  for (int i = 3; i < argc; ++i) {
    auto t = dso::ReadFile(argv[i]);
    if (!t.ok()) return Fail(t.status());
    texts.push_back({argv[i], *std::move(t)});
  }
  auto waivers_text = dso::ReadFile(argv[1]);
  if (!waivers_text.ok()) return Fail(waivers_text.status());

  absl::Time t0 = absl::Now();
  auto parsed = dso::ParseReports(texts);
  if (!parsed.ok()) return Fail(parsed.status());
  absl::flat_hash_set<std::string> baseline;
  for (const auto& f : parsed->front().findings) {
    baseline.insert(f.fingerprint());
  }
  parsed->erase(parsed->begin());
  dso::GateInputs in;
  dso::MergeReports(*std::move(parsed), &in);
  absl::Time t1 = absl::Now();
  auto waivers = dso::ParseWaivers(*waivers_text, argv[1]);
  if (!waivers.ok()) return Fail(waivers.status());
  absl::Time t2 = absl::Now();
  dso::GateRequest req;
  req.level = 3;
  req.today = absl::CivilDay(2026, 11, 27);
  dso::GateDecision d =
      dso::Decide(dso::DefaultPolicy(), req, in, *waivers, baseline);
  absl::Time t3 = absl::Now();
  size_t out = dso::DecisionJson(d).size() + dso::DecisionJunit(d).size() +
               dso::DecisionStatement(d).size();
  absl::Time t4 = absl::Now();
  std::printf(
      "reports %zu, findings read %zu, unique %zu, waived %zu, in baseline "
      "%zu, counted %zu; read reports and baseline %.1f ms, waivers %.1f ms, "
      "decide %.1f ms, outputs %.1f ms (%zu bytes); total %.1f ms\n",
      texts.size() - 1, in.read, in.findings.size(), d.waived_total,
      d.in_baseline, d.counted_total, Ms(t1 - t0), Ms(t2 - t1), Ms(t3 - t2),
      Ms(t4 - t3), out, Ms(t4 - t0));
  return 0;
}
