#include "stages/oci/image_input.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"

namespace dso {

absl::StatusOr<std::string> ResolveImageInput(StepContext& context,
                                              const dso::v1::Input& input) {
  namespace fs = std::filesystem;
  ASSIGN_OR_RETURN(std::string path, context.ResolveInput(input));
  std::error_code ec;
  if (!fs::is_directory(path, ec) || fs::exists(path + "/oci-layout", ec)) {
    return path;
  }
  std::string only = SingleFileIn(path);
  return only.empty() ? path : only;
}

RegistryOptions RegistryOptionsFrom(const SecretLookup& secret) {
  RegistryOptions options;
  options.username = secret("DSO_REGISTRY_USERNAME");
  options.password = secret("DSO_REGISTRY_PASSWORD");
  options.plain_http = secret("DSO_REGISTRY_PLAIN_HTTP") == "1";
  return options;
}

std::string RegistryDestination(const RegistryRef& ref) {
  return absl::StrCat(ref.registry, "/", ref.repository);
}

absl::StatusOr<std::string> PullForStep(const std::string& reference,
                                        const dso::v1::RunStepRequest& request,
                                        StepContext& context) {
  ASSIGN_OR_RETURN(RegistryRef ref, ParseRegistryRef(reference));
  RegistryOptions options = RegistryOptionsFrom(
      RequestSecrets(request, context, RegistryDestination(ref)));
  std::string dir = context.scratch_dir() + "/pulled";
  context.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("pulling ", ref.ToString(),
                           options.username.empty()
                               ? " (anonymous)"
                               : absl::StrCat(" as ", options.username),
                           "\n"));
  RETURN_IF_ERROR(PullImage(ref, options, dir));
  return dir;
}

}  // namespace dso
