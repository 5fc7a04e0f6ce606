#include "dsoctl/image_args.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/attest/keys/key_ref.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace fs = std::filesystem;

void AddRegistrySecrets(dso::v1::RunStepRequest* req) {
  CopyEnvSecrets({"DSO_REGISTRY_USERNAME", "DSO_REGISTRY_PASSWORD",
                  "DSO_REGISTRY_PLAIN_HTTP"},
                 req);
}

absl::StatusOr<std::string> AddKeySecrets(const std::string& flag,
                                          const std::string& keyref,
                                          dso::v1::RunStepRequest* req) {
  CopyEnvSecrets(
      {"DSO_KEY_PASSWORD", "COSIGN_PASSWORD", "VAULT_ADDR", "VAULT_TOKEN",
       "VAULT_NAMESPACE", "TRANSIT_SECRET_ENGINE_PATH", "AWS_ACCESS_KEY_ID",
       "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
       "AWS_DEFAULT_REGION", "DSO_KMS_ENDPOINT", "AWS_ENDPOINT_URL_KMS",
       "AWS_ENDPOINT_URL", "DSO_REGISTRY_USERNAME", "DSO_REGISTRY_PASSWORD",
       "DSO_REGISTRY_PLAIN_HTTP"},
      req);
  auto& secrets = *req->mutable_secrets();
  std::string path = KeyFilePath(keyref);
  if (path.empty()) return std::string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", keyref, "': no such key file"));
  }
  ASSIGN_OR_RETURN(std::string text, ReadOptionFile(flag, path));
  if (absl::StrContains(text, "-----BEGIN PUBLIC KEY-----")) return text;
  secrets[kKeyPemSecret] = std::move(text);
  return std::string();
}

absl::StatusOr<std::string> SetImageLocation(AgentConnection& conn,
                                             const std::string& image,
                                             dso::v1::ImageLocation* loc) {
  ASSIGN_OR_RETURN(ImageArg arg, PrepareImageArg(conn, "--image", image));
  if (!arg.registry_ref.empty()) {
    loc->set_registry_ref(arg.registry_ref);
    return std::string();
  }
  std::error_code ec;
  if (!fs::is_directory(arg.path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--image '", image,
        "': signatures live in an OCI layout directory or a registry, not "
        "in a docker archive"));
  }
  *loc->mutable_layout() = std::move(arg.local);
  loc->set_layout_ref(arg.local_ref);
  return arg.path;
}

}  // namespace dso
