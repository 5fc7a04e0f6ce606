#include "stages/attest/keys/key_ref.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/attest/keys/file_key.h"
#include "stages/attest/keys/internal/kms_key.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"

namespace dso {
namespace {

absl::StatusOr<std::string> KeyText(const std::string& path,
                                    const SecretLookup& secret) {
  std::string sent = secret(kKeyPemSecret);
  if (!sent.empty()) return sent;
  absl::StatusOr<std::string> text = ReadFile(path, FileKind::kKey);
  if (!text.ok()) {
    return absl::Status(
        absl::IsNotFound(text.status()) ? absl::StatusCode::kNotFound
                                        : absl::StatusCode::kInvalidArgument,
        absl::StrCat("key file '", path,
                     "' cannot be read: ", text.status().message()));
  }
  return text;
}

std::string Password(const SecretLookup& secret) {
  std::string p = secret("DSO_KEY_PASSWORD");
  return p.empty() ? secret("COSIGN_PASSWORD") : p;
}

absl::Status Unsupported(const std::string& keyref) {
  return absl::InvalidArgumentError(absl::StrCat(
      "key reference '", keyref,
      "': use file://PATH, hashivault://NAME or awskms://[ENDPOINT/]ID"));
}

}  // namespace

std::string KeyFilePath(const std::string& keyref) {
  if (absl::StartsWith(keyref, "file://")) return keyref.substr(7);
  if (absl::StrContains(keyref, "://")) return "";
  return keyref;
}

std::string KeyDestination(const std::string& keyref) {
  std::string path = KeyFilePath(keyref);
  return path.empty() ? keyref : absl::StrCat("file://", path);
}

absl::StatusOr<std::unique_ptr<Signer>> OpenSigner(const std::string& keyref,
                                                   const SecretLookup& secret) {
  std::string path = KeyFilePath(keyref);
  if (keyref.empty()) return Unsupported(keyref);
  if (!path.empty()) {
    absl::StatusOr<std::string> text = KeyText(path, secret);
    if (!text.ok()) return text.status();
    return LoadPrivateKey(*text, Password(secret), path);
  }
  if (absl::StartsWith(keyref, "awskms://")) {
    return OpenAwsKmsSigner(keyref, secret);
  }
  if (absl::StartsWith(keyref, "hashivault://")) {
    return OpenVaultSigner(keyref, secret);
  }
  return Unsupported(keyref);
}

absl::StatusOr<PublicKey> OpenPublicKey(const std::string& keyref,
                                        const SecretLookup& secret) {
  std::string path = KeyFilePath(keyref);
  if (!path.empty()) {
    absl::StatusOr<std::string> text = KeyText(path, secret);
    if (!text.ok()) return text.status();
    if (absl::StrContains(*text, "-----BEGIN PUBLIC KEY-----")) {
      return PublicKey::FromPem(*text, path);
    }
  }
  absl::StatusOr<std::unique_ptr<Signer>> signer = OpenSigner(keyref, secret);
  if (!signer.ok()) return signer.status();
  return (*signer)->public_key();
}

}  // namespace dso
