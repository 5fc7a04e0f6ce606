#include "stages/gate/gate_yaml.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/finding.h"

namespace dso {

absl::StatusOr<YamlFile> YamlFile::Load(absl::string_view text,
                                        std::string name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  return YamlFile(std::move(root), std::move(name));
}

absl::Status YamlFile::Error(const YAML::Node& at, absl::string_view path,
                             absl::string_view what) const {
  int line = at.IsDefined() ? at.Mark().line + 1 : 0;
  return absl::InvalidArgumentError(
      absl::StrCat(name_, line > 0 ? absl::StrCat(":", line) : "", ": ",
                   path.empty() ? "" : absl::StrCat(path, ": "), what));
}

absl::Status YamlFile::ExpectMap(const YAML::Node& node,
                                 absl::string_view path) const {
  if (node.IsMap()) return absl::OkStatus();
  return Error(node, path, "must be a mapping");
}

absl::Status YamlFile::CheckKeys(
    const YAML::Node& node, absl::string_view path,
    std::initializer_list<absl::string_view> allowed) const {
  if (auto s = ExpectMap(node, path); !s.ok()) return s;
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    bool known = false;
    for (absl::string_view a : allowed) known |= key == a;
    if (!known) {
      return Error(kv.first, path,
                   absl::StrCat("unknown key '", key, "' (known: ",
                                absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> YamlFile::String(const YAML::Node& node,
                                             absl::string_view path) const {
  if (!node.IsScalar()) return Error(node, path, "must be a string");
  return node.Scalar();
}

absl::StatusOr<int64_t> YamlFile::Count(const YAML::Node& node,
                                        absl::string_view path) const {
  int64_t n;
  if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &n) || n < 0) {
    return Error(node, path, "must be a whole number, 0 or more");
  }
  return n;
}

absl::StatusOr<bool> YamlFile::Bool(const YAML::Node& node,
                                    absl::string_view path) const {
  if (node.IsScalar()) {
    std::string v = absl::AsciiStrToLower(node.Scalar());
    if (v == "true") return true;
    if (v == "false") return false;
  }
  return Error(node, path, "must be true or false");
}

absl::StatusOr<dso::v1::Severity> YamlFile::Severity(
    const YAML::Node& node, absl::string_view path) const {
  auto s = String(node, path);
  if (!s.ok()) return s.status();
  auto sev = ParseSeverity(*s);
  if (!sev.ok()) {
    return Error(node, path,
                 absl::StrCat("'", *s,
                              "' is not a severity (CRITICAL, HIGH, MEDIUM, "
                              "LOW, INFO)"));
  }
  return *sev;
}

absl::StatusOr<absl::CivilDay> YamlFile::Date(const YAML::Node& node,
                                              absl::string_view path) const {
  auto s = String(node, path);
  absl::CivilDay day;
  if (!s.ok() || s->size() != 10 || !absl::ParseCivilTime(*s, &day)) {
    return Error(node, path, "must be a date, YYYY-MM-DD");
  }
  return day;
}

}  // namespace dso
