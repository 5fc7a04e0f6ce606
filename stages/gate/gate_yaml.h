// Reading the gate's YAML files (policy, waivers) with errors that name the
// file and line: "policy.yaml:12: levels.5: the level must be 1 to 4".
#ifndef DSO_STAGES_GATE_GATE_YAML_H_
#define DSO_STAGES_GATE_GATE_YAML_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "dso/v1/finding.pb.h"
#include "yaml-cpp/yaml.h"

namespace dso {

class YamlFile {
 public:
  // Parses `text`; a syntax error names the file and line.
  static absl::StatusOr<YamlFile> Load(absl::string_view text,
                                       std::string name);
  const YAML::Node& root() const { return root_; }
  const std::string& name() const { return name_; }

  // InvalidArgument "NAME:LINE: PATH: what".
  absl::Status Error(const YAML::Node& at, absl::string_view path,
                     absl::string_view what) const;
  // Every key of the mapping `node` must be one of `allowed`.
  absl::Status CheckKeys(
      const YAML::Node& node, absl::string_view path,
      std::initializer_list<absl::string_view> allowed) const;
  absl::Status ExpectMap(const YAML::Node& node, absl::string_view path) const;
  absl::StatusOr<std::string> String(const YAML::Node& node,
                                     absl::string_view path) const;
  absl::StatusOr<int64_t> Count(const YAML::Node& node,
                                absl::string_view path) const;  // >= 0
  absl::StatusOr<bool> Bool(const YAML::Node& node,
                            absl::string_view path) const;
  absl::StatusOr<dso::v1::Severity> Severity(const YAML::Node& node,
                                             absl::string_view path) const;
  absl::StatusOr<absl::CivilDay> Date(
      const YAML::Node& node,
      absl::string_view path) const;  // YYYY-MM-DD

 private:
  YamlFile(YAML::Node root, std::string name)
      : root_(std::move(root)), name_(std::move(name)) {}
  YAML::Node root_;
  std::string name_;
};

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_YAML_H_
