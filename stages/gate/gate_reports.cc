#include "stages/gate/gate_reports.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <string_view>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "simdjson.h"
#include "stages/core/finding.h"
#include "stages/core/percent_encoding.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

using dso::v1::Finding;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Reports nest shallowly; anything deeper is not one.
constexpr size_t kMaxDepth = 64;

absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

// A JSON path ("$.runs[0].results[3].level"), formatted only when an error
// needs it: most reports have none, and a path per finding costs time.
class Path {
 public:
  explicit Path(std::string_view root) : key_(root) {}
  Path(const Path& parent, std::string_view key)
      : parent_(&parent), key_(key) {}
  Path(const Path& parent, size_t index)
      : parent_(&parent), index_(index), is_index_(true) {}
  std::string str() const {
    std::string out = parent_ ? parent_->str() : "";
    if (is_index_) {
      absl::StrAppend(&out, "[", index_, "]");
    } else {
      absl::StrAppend(&out, parent_ ? "." : "", View(key_));
    }
    return out;
  }

 private:
  const Path* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool is_index_ = false;
};

// Errors name the report and the JSON path of what is wrong.
class Reader {
 public:
  explicit Reader(const std::string& name) : name_(name) {}

  absl::Status Bad(const Path& path, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(name_, ": ", path.str(), ": ", what));
  }
  // A member that may be absent or null: nullopt then.
  static std::optional<element> Member(object obj, std::string_view key) {
    element e;
    if (obj[key].get(e) != simdjson::SUCCESS || e.is_null()) {
      return std::nullopt;
    }
    return e;
  }
  // A string member; "" when absent, an error when not text.
  absl::StatusOr<std::string_view> Str(object obj, std::string_view key,
                                       const Path& path) const {
    auto e = Member(obj, key);
    if (!e) return std::string_view();
    std::string_view s;
    if (e->get_string().get(s) != simdjson::SUCCESS) {
      return Bad(Path(path, key), "must be a string");
    }
    return s;
  }
  absl::StatusOr<std::optional<object>> Obj(object obj, std::string_view key,
                                            const Path& path) const {
    auto e = Member(obj, key);
    if (!e) return std::nullopt;
    object o;
    if (e->get_object().get(o) != simdjson::SUCCESS) {
      return Bad(Path(path, key), "must be an object");
    }
    return o;
  }
  absl::StatusOr<std::optional<array>> Arr(object obj, std::string_view key,
                                           const Path& path) const {
    auto e = Member(obj, key);
    if (!e) return std::nullopt;
    array a;
    if (e->get_array().get(a) != simdjson::SUCCESS) {
      return Bad(Path(path, key), "must be an array");
    }
    return a;
  }
  absl::StatusOr<object> AsObj(element e, const Path& path) const {
    object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) {
      return Bad(path, "must be an object");
    }
    return o;
  }

 private:
  const std::string& name_;
};

absl::StatusOr<dso::v1::Severity> SarifLevel(const Reader& r,
                                             std::string_view level,
                                             const Path& path) {
  if (level == "error") return dso::v1::HIGH;
  if (level == "warning" || level.empty()) return dso::v1::MEDIUM;
  if (level == "note") return dso::v1::LOW;
  if (level == "none") return dso::v1::INFO;
  return r.Bad(path, absl::StrCat("'", View(level),
                                  "' is not a SARIF level (error, warning, "
                                  "note, none)"));
}

// properties["security-severity"] as a number, if present (SARIF tools
// write it as a string, GitHub's convention; a number is taken too).
absl::StatusOr<std::optional<double>> Score(const Reader& r,
                                            std::optional<object> props,
                                            const Path& path) {
  if (!props) return std::nullopt;
  auto e = Reader::Member(*props, "security-severity");
  if (!e) return std::nullopt;
  double d;
  std::string_view s;
  if (e->get_double().get(d) == simdjson::SUCCESS && d >= 0 && d <= 10) {
    return d;
  }
  if (e->get_string().get(s) == simdjson::SUCCESS &&
      absl::SimpleAtod(View(s), &d) && d >= 0 && d <= 10) {
    return d;
  }
  return r.Bad(Path(Path(path, "properties"), "security-severity"),
               "must be a score from 0 to 10");
}

// Tools whose findings count as a dso scanner's.
std::string ScannerOfTool(std::string_view tool) {
  std::string t = absl::AsciiStrToLower(View(tool));
  if (t == "gitleaks" || t == "trufflehog") return "secrets";
  return t;
}

struct Rule {
  std::string_view id, default_level;
  std::optional<object> props;
};

absl::Status AddSarifRun(const Reader& r, object run, const Path& rp,
                         std::vector<Finding>* out) {
  const Path tool_path(rp, "tool"), driver_path(tool_path, "driver");
  ASSIGN_OR_RETURN(auto tool, r.Obj(run, "tool", rp));
  std::optional<object> driver;
  if (tool) {
    ASSIGN_OR_RETURN(driver, r.Obj(*tool, "driver", tool_path));
  }
  if (!driver) return r.Bad(driver_path, "is missing");
  ASSIGN_OR_RETURN(std::string_view tool_name,
                   r.Str(*driver, "name", driver_path));
  const std::string scanner_of_tool = ScannerOfTool(tool_name);
  // Rules by index and by id, for their default level and score.
  std::vector<Rule> rules;
  absl::flat_hash_map<std::string_view, size_t> rule_by_id;
  ASSIGN_OR_RETURN(auto rule_list, r.Arr(*driver, "rules", driver_path));
  if (rule_list) {
    for (element e : *rule_list) {
      Rule rule;
      object o;
      if (e.get_object().get(o) == simdjson::SUCCESS) {
        std::string_view id, level;
        if (o["id"].get_string().get(id) == simdjson::SUCCESS) rule.id = id;
        if (o["defaultConfiguration"]["level"].get_string().get(level) ==
            simdjson::SUCCESS) {
          rule.default_level = level;
        }
        object props;
        if (o["properties"].get_object().get(props) == simdjson::SUCCESS) {
          rule.props = props;
        }
      }
      if (!rule.id.empty()) rule_by_id.emplace(rule.id, rules.size());
      rules.push_back(rule);
    }
  }
  ASSIGN_OR_RETURN(auto results, r.Arr(run, "results", rp));
  if (!results) return absl::OkStatus();
  const Path results_path(rp, "results");
  size_t i = 0;
  for (element e : *results) {
    const Path p(results_path, i++);
    ASSIGN_OR_RETURN(object res, r.AsObj(e, p));
    ASSIGN_OR_RETURN(std::string_view rule_id, r.Str(res, "ruleId", p));
    const Rule* rule = nullptr;
    if (auto it = rule_by_id.find(rule_id); it != rule_by_id.end()) {
      rule = &rules[it->second];
    } else if (uint64_t idx;
               res["ruleIndex"].get_uint64().get(idx) == simdjson::SUCCESS &&
               idx < rules.size()) {
      rule = &rules[idx];
      if (rule_id.empty()) rule_id = rule->id;
    }
    if (rule_id.empty()) return r.Bad(p, "has no ruleId");
    ASSIGN_OR_RETURN(auto props, r.Obj(res, "properties", p));
    ASSIGN_OR_RETURN(auto score, Score(r, props, p));
    if (!score && rule) {
      ASSIGN_OR_RETURN(score,
                       Score(r, rule->props, Path(driver_path, "rules")));
    }
    ASSIGN_OR_RETURN(std::string_view level, r.Str(res, "level", p));
    if (level.empty() && rule) level = rule->default_level;
    Finding f;
    f.set_rule_id(std::string(rule_id));
    if (score) {
      f.set_severity(SeverityFromScore(*score));
    } else {
      ASSIGN_OR_RETURN(auto sev, SarifLevel(r, level, Path(p, "level")));
      f.set_severity(sev);
    }
    ASSIGN_OR_RETURN(auto message, r.Obj(res, "message", p));
    if (message) {
      ASSIGN_OR_RETURN(std::string_view text,
                       r.Str(*message, "text", Path(p, "message")));
      f.set_title(std::string(text));
    }
    std::string_view scanner;
    if (props) {
      ASSIGN_OR_RETURN(scanner,
                       r.Str(*props, "scanner", Path(p, "properties")));
    }
    f.set_scanner(scanner.empty() ? scanner_of_tool : std::string(scanner));
    auto* loc = f.mutable_location();
    element pl;
    if (res["locations"].at(0)["physicalLocation"].get(pl) ==
        simdjson::SUCCESS) {
      std::string_view uri;
      uint64_t line;
      if (pl["artifactLocation"]["uri"].get_string().get(uri) ==
          simdjson::SUCCESS) {
        loc->set_file(UrlDecode(absl::string_view(uri.data(), uri.size())));
      }
      if (pl["region"]["startLine"].get_uint64().get(line) ==
          simdjson::SUCCESS) {
        loc->set_line(static_cast<uint32_t>(line));
      }
    }
    // The fingerprint: the tool's own, else rule, place and message.
    std::string fp;
    for (const char* key : {"fingerprints", "partialFingerprints"}) {
      object fps;
      if (!fp.empty() || res[key].get_object().get(fps) != simdjson::SUCCESS) {
        continue;
      }
      std::string_view v;
      if (fps["primaryLocationLineHash"].get_string().get(v) ==
          simdjson::SUCCESS) {
        fp = std::string(v);
        continue;
      }
      for (auto field : fps) {
        if (field.value.get_string().get(v) == simdjson::SUCCESS) {
          fp = absl::StrCat(View(field.key), ":", View(v));
          break;
        }
      }
    }
    if (fp.empty()) {
      fp = Fingerprint({View(tool_name), View(rule_id), loc->file(),
                        absl::StrCat(loc->line()), f.title()});
    }
    f.set_fingerprint(std::move(fp));
    out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

absl::Status AddSarif(const Reader& r, object log, std::vector<Finding>* out) {
  const Path root("$"), runs_path(root, "runs");
  ASSIGN_OR_RETURN(auto runs, r.Arr(log, "runs", root));
  if (!runs) return r.Bad(runs_path, "must be an array");
  size_t i = 0;
  for (element run : *runs) {
    const Path rp(runs_path, i++);
    ASSIGN_OR_RETURN(object o, r.AsObj(run, rp));
    RETURN_IF_ERROR(AddSarifRun(r, o, rp, out));
  }
  return absl::OkStatus();
}

absl::Status AddDsoJson(const Reader& r, object report,
                        std::vector<Finding>* out) {
  const Path root("$"), list_path(root, "findings");
  ASSIGN_OR_RETURN(auto list, r.Arr(report, "findings", root));
  if (!list) return r.Bad(list_path, "must be an array");
  size_t i = 0;
  for (element e : *list) {
    const Path p(list_path, i++);
    ASSIGN_OR_RETURN(object o, r.AsObj(e, p));
    Finding f;
    ASSIGN_OR_RETURN(std::string_view rule, r.Str(o, "rule_id", p));
    if (rule.empty()) return r.Bad(Path(p, "rule_id"), "is missing");
    f.set_rule_id(std::string(rule));
    ASSIGN_OR_RETURN(std::string_view sev, r.Str(o, "severity", p));
    auto parsed = ParseSeverity(View(sev));
    if (!parsed.ok()) {
      return r.Bad(Path(p, "severity"),
                   absl::StrCat("'", View(sev), "' is not a severity"));
    }
    f.set_severity(*parsed);
    ASSIGN_OR_RETURN(std::string_view title, r.Str(o, "title", p));
    f.set_title(std::string(title));
    ASSIGN_OR_RETURN(std::string_view fp, r.Str(o, "fingerprint", p));
    ASSIGN_OR_RETURN(std::string_view scanner, r.Str(o, "scanner", p));
    f.set_scanner(std::string(scanner));
    ASSIGN_OR_RETURN(auto loc, r.Obj(o, "location", p));
    if (loc) {
      const Path lp(p, "location");
      auto* l = f.mutable_location();
      for (auto [key, set] :
           {std::pair<const char*,
                      void (dso::v1::Location::*)(const std::string&)>{
                "file", &dso::v1::Location::set_file},
            {"package", &dso::v1::Location::set_package},
            {"version", &dso::v1::Location::set_version}}) {
        ASSIGN_OR_RETURN(std::string_view v, r.Str(*loc, key, lp));
        (l->*set)(std::string(v));
      }
      if (auto line = Reader::Member(*loc, "line")) {
        uint64_t n;
        if (line->get_uint64().get(n) != simdjson::SUCCESS) {
          return r.Bad(Path(lp, "line"), "must be a line number");
        }
        l->set_line(static_cast<uint32_t>(n));
      }
    }
    ASSIGN_OR_RETURN(auto refs, r.Arr(o, "references", p));
    if (refs) {
      for (element ref : *refs) {
        std::string_view s;
        if (ref.get_string().get(s) == simdjson::SUCCESS) {
          f.add_references(std::string(s));
        }
      }
    }
    f.set_fingerprint(
        fp.empty()
            ? Fingerprint({View(rule), f.location().file(),
                           absl::StrCat(f.location().line()),
                           f.location().package(), f.location().version()})
            : std::string(fp));
    out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

}  // namespace

dso::v1::Severity SeverityFromScore(double score) {
  if (score >= 9.0) return dso::v1::CRITICAL;
  if (score >= 7.0) return dso::v1::HIGH;
  if (score >= 4.0) return dso::v1::MEDIUM;
  if (score > 0.0) return dso::v1::LOW;
  return dso::v1::INFO;
}

absl::StatusOr<ParsedReport> ParseReport(absl::string_view text,
                                         const std::string& name) {
  Reader r(name);
  // One parser per thread, reused: its buffers grow to the largest report.
  static thread_local simdjson::dom::parser parser;
  if ((parser.capacity() < text.size() || parser.max_depth() != kMaxDepth) &&
      parser.allocate(std::max<size_t>(text.size(), 4096), kMaxDepth) !=
          simdjson::SUCCESS) {
    return absl::ResourceExhaustedError(
        absl::StrCat(name, ": no memory to read it"));
  }
  element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root);
      err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": not JSON",
        err == simdjson::DEPTH_ERROR
            ? absl::StrCat(" a report can hold: nested deeper than ", kMaxDepth)
            : absl::StrCat(" (", simdjson::error_message(err), ")")));
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return r.Bad(Path("$"), "is not a report (not a JSON object)");
  }
  ParsedReport out;
  out.name = name;
  out.digest = Sha256Digest(text);
  if (auto bom = Reader::Member(obj, "bomFormat")) {
    std::string_view format;
    if (bom->get_string().get(format) != simdjson::SUCCESS ||
        format != "CycloneDX") {
      return r.Bad(Path(Path("$"), "bomFormat"), "must be \"CycloneDX\"");
    }
    out.sbom = true;
    return out;
  }
  if (Reader::Member(obj, "runs")) {
    std::string_view version;
    if (obj["version"].get_string().get(version) != simdjson::SUCCESS ||
        version != "2.1.0") {
      return r.Bad(Path(Path("$"), "version"),
                   "must be \"2.1.0\" (SARIF 2.1.0)");
    }
    RETURN_IF_ERROR(AddSarif(r, obj, &out.findings));
  } else if (Reader::Member(obj, "findings")) {
    RETURN_IF_ERROR(AddDsoJson(r, obj, &out.findings));
  } else {
    return r.Bad(Path("$"),
                 "is neither SARIF 2.1.0 (runs), a dso JSON report (findings) "
                 "nor a CycloneDX SBOM (bomFormat)");
  }
  return out;
}

void MergeReport(ParsedReport report, GateInputs* out) {
  out->reports.push_back(std::move(report.name));
  out->digests.push_back(std::move(report.digest));
  if (report.sbom) out->sboms.push_back(out->reports.back());
  out->read += report.findings.size();
  for (Finding& f : report.findings) {
    auto [it, added] =
        out->index.emplace(f.fingerprint(), out->findings.size());
    if (added) {
      out->findings.push_back(std::move(f));
      continue;
    }
    ++out->duplicates;
    Finding& kept = out->findings[it->second];
    if (f.severity() > kept.severity()) kept.set_severity(f.severity());
  }
}

absl::Status AddReport(absl::string_view text, const std::string& name,
                       GateInputs* out) {
  ASSIGN_OR_RETURN(ParsedReport report, ParseReport(text, name));
  MergeReport(std::move(report), out);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ParsedReport>> ParseReports(
    const std::vector<ReportText>& reports) {
  std::vector<std::optional<absl::StatusOr<ParsedReport>>> parsed(
      reports.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < reports.size();) {
      parsed[i] = ParseReport(reports[i].text, reports[i].name);
    }
  };
  size_t threads = std::min<size_t>(
      reports.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  std::vector<ParsedReport> out;
  out.reserve(parsed.size());
  for (auto& p : parsed) {
    if (!p->ok()) return p->status();
    out.push_back(**std::move(p));
  }
  return out;
}

void MergeReports(std::vector<ParsedReport> parsed, GateInputs* out) {
  size_t total = out->findings.size();
  for (const auto& p : parsed) total += p.findings.size();
  out->findings.reserve(total);
  out->index.reserve(total);
  for (auto& p : parsed) MergeReport(std::move(p), out);
}

absl::Status AddReports(const std::vector<ReportText>& reports,
                        GateInputs* out) {
  ASSIGN_OR_RETURN(auto parsed, ParseReports(reports));
  MergeReports(std::move(parsed), out);
  return absl::OkStatus();
}

}  // namespace dso
