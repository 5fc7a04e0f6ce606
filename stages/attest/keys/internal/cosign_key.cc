#include "stages/attest/keys/internal/cosign_key.h"

#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/attest/keys/internal/pem.h"

namespace dso {

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : bytes_(std::move(other.bytes_)) {
  other.Wipe();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  bytes_.clear();
}

namespace {

using nlohmann::json;

constexpr size_t kSaltBytes = 32;
// scrypt needs 128 * N * r bytes of memory: a hostile key file must not
// make us allocate gigabytes.
constexpr uint64_t kMaxScryptMemory = uint64_t{512} << 20;

absl::Status EnsureSodium() {
  if (sodium_init() < 0) {
    return absl::InternalError("libsodium could not be initialised");
  }
  return absl::OkStatus();
}

absl::StatusOr<SecretBytes> DeriveKey(absl::string_view password,
                                      absl::string_view salt,
                                      const ScryptParams& params) {
  SecretBytes key(std::string(crypto_secretbox_KEYBYTES, '\0'));
  if (crypto_pwhash_scryptsalsa208sha256_ll(
          reinterpret_cast<const uint8_t*>(password.data()), password.size(),
          reinterpret_cast<const uint8_t*>(salt.data()), salt.size(), params.n,
          params.r, params.p,
          reinterpret_cast<uint8_t*>(key.mutable_bytes().data()),
          key.view().size()) != 0) {
    return absl::ResourceExhaustedError(
        "scrypt key derivation failed (out of memory?)");
  }
  return key;
}

absl::StatusOr<std::string> B64Field(const json& obj, const char* name,
                                     absl::string_view source) {
  auto it = obj.find(name);
  std::string out;
  if (it == obj.end() || !it->is_string() ||
      !absl::Base64Unescape(it->get<std::string>(), &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the key's '", name,
                     "' is missing or not base64; is this a cosign key?"));
  }
  return out;
}

absl::StatusOr<SecretBytes> Decrypt(absl::string_view json_body,
                                    absl::string_view password,
                                    absl::string_view source) {
  json doc = json::parse(json_body, nullptr, false);
  if (!doc.is_object() || !doc["kdf"].is_object() ||
      !doc["cipher"].is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     ": the encrypted key is not cosign's JSON (kdf, cipher, "
                     "ciphertext); the file is corrupt"));
  }
  // Not const: a const json's [] on a missing key reads freed memory; this
  // one adds a null, which the checks below refuse.
  json& kdf = doc["kdf"];
  json& cipher = doc["cipher"];
  if (kdf.value("name", "") != "scrypt" ||
      cipher.value("name", "") != "nacl/secretbox") {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": unsupported key encryption (kdf '", kdf.value("name", ""),
        "', cipher '", cipher.value("name", ""),
        "'); cosign keys use scrypt and nacl/secretbox"));
  }
  ScryptParams params;
  json& p = kdf["params"];
  if (!p.is_object() || !p["N"].is_number_unsigned() ||
      !p["r"].is_number_unsigned() || !p["p"].is_number_unsigned()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the key's scrypt parameters are missing"));
  }
  params.n = p["N"].get<uint64_t>();
  params.r = p["r"].get<uint32_t>();
  params.p = p["p"].get<uint32_t>();
  if (params.n < 2 || (params.n & (params.n - 1)) != 0 || params.r == 0 ||
      params.p == 0 || params.r > 64 || params.p > 64 ||
      params.n > kMaxScryptMemory / 128 / params.r / params.p) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the key's scrypt parameters (N=", params.n, ", r=", params.r,
        ", p=", params.p, ") are invalid or too costly"));
  }
  absl::StatusOr<std::string> salt = B64Field(kdf, "salt", source);
  if (!salt.ok()) return salt.status();
  absl::StatusOr<std::string> nonce = B64Field(cipher, "nonce", source);
  if (!nonce.ok()) return nonce.status();
  absl::StatusOr<std::string> box = B64Field(doc, "ciphertext", source);
  if (!box.ok()) return box.status();
  if (nonce->size() != crypto_secretbox_NONCEBYTES ||
      box->size() < crypto_secretbox_MACBYTES) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the key's nonce or ciphertext is truncated"));
  }
  absl::StatusOr<SecretBytes> key = DeriveKey(password, *salt, params);
  if (!key.ok()) return key.status();
  SecretBytes plain(std::string(box->size() - crypto_secretbox_MACBYTES, '\0'));
  if (crypto_secretbox_open_easy(
          reinterpret_cast<uint8_t*>(plain.mutable_bytes().data()),
          reinterpret_cast<const uint8_t*>(box->data()), box->size(),
          reinterpret_cast<const uint8_t*>(nonce->data()),
          reinterpret_cast<const uint8_t*>(key->view().data())) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(source,
                     ": wrong password for the encrypted key (or the key file "
                     "was altered); set DSO_KEY_PASSWORD"));
  }
  return plain;
}

}  // namespace

absl::StatusOr<SecretBytes> DecryptCosignKey(absl::string_view json_body,
                                             absl::string_view password,
                                             absl::string_view source) {
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;
  try {
    return Decrypt(json_body, password, source);
  } catch (const json::exception& e) {  // a field of the wrong type
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the encrypted key is not cosign's JSON: ", e.what()));
  }
}

absl::StatusOr<std::string> EncryptCosignKey(absl::string_view pkcs8_der,
                                             absl::string_view password,
                                             const ScryptParams& params) {
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;
  std::string salt(kSaltBytes, '\0');
  std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  absl::StatusOr<SecretBytes> key = DeriveKey(password, salt, params);
  if (!key.ok()) return key.status();
  std::string box(pkcs8_der.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<uint8_t*>(box.data()),
                        reinterpret_cast<const uint8_t*>(pkcs8_der.data()),
                        pkcs8_der.size(),
                        reinterpret_cast<const uint8_t*>(nonce.data()),
                        reinterpret_cast<const uint8_t*>(key->view().data()));
  // Key order as cosign writes it.
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  doc["kdf"] = {{"name", "scrypt"},
                {"params", {{"N", params.n}, {"r", params.r}, {"p", params.p}}},
                {"salt", absl::Base64Escape(salt)}};
  doc["cipher"] = {{"name", "nacl/secretbox"},
                   {"nonce", absl::Base64Escape(nonce)}};
  doc["ciphertext"] = absl::Base64Escape(box);
  return PemEncode(kCosignKeyPemType, doc.dump());
}

}  // namespace dso
