#include "stages/gate/gate_step.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/status_macros.h"
#include "stages/core/step_context.h"
#include "stages/gate/gate_decision.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// At most this many counted findings become finding events; the decision
// JSON has the counts, the reports have every finding.
constexpr size_t kMaxFindingEvents = 1000;

absl::StatusOr<absl::CivilDay> ParseDate(const std::string& s) {
  absl::CivilDay day;
  if (s.size() != 10 || !absl::ParseCivilTime(s, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("gate.date '", s, "' is not a date, YYYY-MM-DD"));
  }
  return day;
}

// An input is a file: given in place, or a directory holding just it
// (SingleFileIn).
absl::StatusOr<std::string> ReadInput(StepContext& context,
                                      const dso::v1::Input& input,
                                      const std::string& name) {
  ASSIGN_OR_RETURN(std::string path, context.ResolveInput(input));
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::string only = SingleFileIn(path);
    if (only.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, fs::is_empty(path, ec)
                    ? ": empty input"
                    : ": a report must be one file, not a directory"));
    }
    path = only;
  }
  auto text = ReadFile(path, FileKind::kReport);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": cannot be read: ", text.status().message()));
  }
  return *std::move(text);
}

// The client's name for input i, else "<what> <i+1>".
std::string NameAt(const google::protobuf::RepeatedPtrField<std::string>& names,
                   int i, absl::string_view what) {
  return i < names.size() && !names.Get(i).empty()
             ? names.Get(i)
             : absl::StrCat(what, " ", i + 1);
}

absl::StatusOr<GateDecision> Judge(const dso::v1::GateParams& p,
                                   StepContext& context) {
  GatePolicy policy = DefaultPolicy();
  std::vector<Waiver> waivers;
  if (!p.policy_yaml().empty()) {
    std::string name = p.policy_name().empty() ? "policy" : p.policy_name();
    ASSIGN_OR_RETURN(policy, ParsePolicy(p.policy_yaml(), name));
    ASSIGN_OR_RETURN(waivers, ParseWaivers(p.policy_yaml(), name, true));
  }
  if (!p.waivers_yaml().empty()) {
    ASSIGN_OR_RETURN(
        auto more,
        ParseWaivers(p.waivers_yaml(),
                     p.waivers_name().empty() ? "waivers" : p.waivers_name()));
    waivers.insert(waivers.end(), more.begin(), more.end());
  }
  // The baseline is read with the reports, in parallel, first.
  std::vector<ReportText> texts;
  GateRequest request;
  if (p.has_baseline()) {
    std::string name =
        p.baseline_name().empty() ? "baseline" : p.baseline_name();
    ASSIGN_OR_RETURN(std::string text, ReadInput(context, p.baseline(), name));
    texts.push_back({std::move(name), std::move(text)});
    request.have_baseline = true;
  }
  for (int i = 0; i < p.reports_size(); ++i) {
    std::string name = NameAt(p.report_names(), i, "report");
    ASSIGN_OR_RETURN(std::string text, ReadInput(context, p.reports(i), name));
    texts.push_back({std::move(name), std::move(text)});
  }
  ASSIGN_OR_RETURN(std::vector<ParsedReport> parsed, ParseReports(texts));
  absl::flat_hash_set<std::string> baseline;
  if (request.have_baseline) {
    for (const auto& f : parsed.front().findings) {
      baseline.insert(f.fingerprint());
    }
    parsed.erase(parsed.begin());
  }
  GateInputs inputs;
  MergeReports(std::move(parsed), &inputs);
  for (int i = 0; i < p.evidence_size(); ++i) {
    std::string name = NameAt(p.evidence_names(), i, "evidence");
    ASSIGN_OR_RETURN(std::string text, ReadInput(context, p.evidence(i), name));
    RETURN_IF_ERROR(AddEvidence(text, name, &inputs.evidence));
  }
  request.subject = p.subject();
  request.level = static_cast<int>(p.level());
  request.stage = p.stage().empty() ? "source" : p.stage();
  request.warn_mode = p.warn();
  if (p.date().empty()) {
    request.today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  } else {
    ASSIGN_OR_RETURN(request.today, ParseDate(p.date()));
  }
  return Decide(policy, request, inputs, waivers, baseline);
}

absl::Status StoreOutputs(const GateDecision& d, StepContext& context) {
  for (auto [name, text, type] :
       {std::tuple<const char*, std::string, const char*>{
            kGateDecisionName, DecisionJson(d), "application/json"},
        {kGateJunitName, DecisionJunit(d), "application/xml"},
        {kGateStatementName, DecisionStatement(d),
         "application/vnd.in-toto+json"}}) {
    std::string path = absl::StrCat(context.scratch_dir(), "/", name);
    RETURN_IF_ERROR(WriteFileAtomically(path, text));
    RETURN_IF_ERROR(context.PutArtifact(path, name, type).status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GateStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.gate();
  if (p.level() < 1 || p.level() > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("gate.level ", p.level(), " is not a level (1 to 4)"));
  }
  if (!p.stage().empty() && !IsStage(p.stage())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gate.stage '", p.stage(), "' is not source, container or final"));
  }
  if (p.reports_size() == 0) {
    return absl::InvalidArgumentError(
        "gate: no report given; a gate with nothing to judge does not pass");
  }
  for (const auto& r : p.reports()) {
    if (r.source_case() == dso::v1::Input::SOURCE_NOT_SET) {
      return absl::InvalidArgumentError("gate.reports: an empty input");
    }
  }
  if (!p.subject().empty() &&
      (p.subject().rfind("sha256:", 0) != 0 || p.subject().size() != 71)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gate.subject '", p.subject(), "' is not sha256:<64 hex digits>"));
  }
  if (!p.date().empty()) return ParseDate(p.date()).status();
  return absl::OkStatus();
}

dso::v1::Result GateStep::Run(const dso::v1::RunStepRequest& request,
                              StepContext& context) const {
  auto d = Judge(request.gate(), context);
  if (!d.ok()) return ErrorResult(d.status());
  for (absl::string_view line :
       absl::StrSplit(DecisionTable(*d), '\n', absl::SkipEmpty())) {
    context.Log(dso::v1::LogLine::AGENT, absl::StrCat(line, "\n"));
  }
  for (size_t i = 0; i < d->counted.size() && i < kMaxFindingEvents; ++i) {
    dso::v1::Event e;
    *e.mutable_finding() = d->counted[i];
    context.Emit(std::move(e));
  }
  if (auto s = StoreOutputs(*d, context); !s.ok()) return ErrorResult(s);
  dso::v1::Result result;
  for (const auto& [sev, n] : d->counts) (*result.mutable_counts())[sev] = n;
  std::vector<std::string> failed;
  for (const auto& c : d->conditions) {
    if (!c.pass) {
      failed.push_back(absl::StrCat(c.name, " ", c.actual, " (allowed ", c.op,
                                    " ", c.allowed, ")"));
    }
  }
  std::string where = absl::StrCat("level ", d->request.level, ", ",
                                   d->request.stage, " stage");
  if (d->pass) {
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat("gate passed: ", where, ", ",
                                    d->conditions.size(), " conditions met"));
  } else if (d->request.warn_mode) {
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat("gate would fail (warn mode): ", where,
                                    ": ", absl::StrJoin(failed, "; ")));
  } else {
    result.set_outcome(dso::v1::POLICY_FAILED);
    result.set_message(absl::StrCat("gate failed: ", where, ": ",
                                    absl::StrJoin(failed, "; ")));
  }
  return result;
}

}  // namespace dso
