#include "stages/scan/scan_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "dso/v1/steps.pb.h"
#include "google/protobuf/descriptor.h"

namespace dso {
namespace {

std::vector<std::string> NamesOf(const google::protobuf::EnumDescriptor* e,
                                 const std::string& prefix) {
  std::vector<std::string> names;
  for (int i = 0; i < e->value_count(); ++i) {
    const std::string& full = e->value(i)->name();
    if (e->value(i)->number() == 0 || !absl::StartsWith(full, prefix)) {
      continue;
    }
    names.push_back(absl::AsciiStrToLower(full.substr(prefix.size())));
  }
  return names;
}

}  // namespace

const std::vector<std::string>& ScannerNames() {
  static const auto* names = new std::vector<std::string>(
      NamesOf(dso::v1::Scanner_descriptor(), "SCANNER_"));
  return *names;
}

const std::vector<std::string>& ReportFormatNames() {
  static const auto* names = new std::vector<std::string>(
      NamesOf(dso::v1::ReportFormat_descriptor(), "REPORT_FORMAT_"));
  return *names;
}

}  // namespace dso
