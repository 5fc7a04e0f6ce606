#include "stages/attest/keys/internal/kms_key.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/attest/keys/internal/pem.h"
#include "stages/core/json_text.h"
#include "stages/core/status_macros.h"
#include "stages/net/aws_region.h"
#include "stages/net/http.h"

namespace dso {
namespace {

using json = nlohmann::json;

bool IsLoopbackHost(const std::string& host) {
  return absl::StartsWith(host, "127.") ||
         absl::StartsWith(host, "localhost") || absl::StartsWith(host, "[::1]");
}

// A signer over a remote service: `sign` returns a DER signature for a
// digest; the public key is checked against every answer.
class RemoteSigner : public Signer {
 public:
  // Signs a digest, or (when the service takes it) the message itself:
  // `raw` says which `input` is.
  using SignFn = std::function<absl::StatusOr<std::string>(
      absl::string_view input, bool raw)>;
  RemoteSigner(PublicKey pub, std::string describe, SignFn sign,
               size_t max_raw = 0)
      : pub_(std::move(pub)),
        describe_(std::move(describe)),
        sign_(std::move(sign)),
        max_raw_(max_raw) {}

  absl::StatusOr<std::string> Sign(absl::string_view data) override {
    if (data.size() > max_raw_) return SignDigest(Sha256Raw(data));
    ASSIGN_OR_RETURN(std::string sig, sign_(data, true));
    return Checked(Sha256Raw(data), std::move(sig));
  }

  absl::StatusOr<std::string> SignDigest(absl::string_view digest) override {
    ASSIGN_OR_RETURN(std::string sig, sign_(digest, false));
    return Checked(digest, std::move(sig));
  }

  const PublicKey& public_key() const override { return pub_; }
  std::string Describe() const override {
    return absl::StrCat(describe_, " (", pub_.Describe(), ")");
  }

 private:
  absl::StatusOr<std::string> Checked(absl::string_view digest,
                                      std::string sig) {
    if (!pub_.VerifyDigest(digest, sig).ok()) {
      return absl::DataLossError(
          absl::StrCat(describe_,
                       " returned a signature its own public key does not "
                       "verify; refusing to use it"));
    }
    return sig;
  }

  PublicKey pub_;
  std::string describe_;
  SignFn sign_;
  size_t max_raw_;
};

// ---- AWS KMS ---------------------------------------------------------

struct KmsClient {
  std::string endpoint, region, access, secret, token, key_id, what;

  absl::StatusOr<json> Call(const std::string& action, const json& body) const {
    std::string text = body.dump();
    HttpBody payload;
    payload.bytes = text;
    HttpRequest req;
    req.method = "POST";
    req.url = endpoint + "/";
    req.headers = {"Content-Type: application/x-amz-json-1.1",
                   "X-Amz-Target: TrentService." + action};
    if (!token.empty()) req.headers.push_back("X-Amz-Security-Token: " + token);
    req.body = &payload;
    req.aws_sigv4 = absl::StrCat("aws:amz:", region, ":kms");
    req.userpwd = absl::StrCat(access, ":", secret);
    req.timeout = absl::Seconds(30);
    ASSIGN_OR_RETURN(HttpResponse r, HttpPerformRetried(req, what));
    json j = json::parse(r.body, nullptr, false);
    if (r.status != 200) {
      std::string type = StringAt(j, "__type");
      std::string message = StringAt(j, "message", StringAt(j, "Message"));
      std::string text = absl::StrCat(what, ": ", action, " failed (HTTP ",
                                      r.status, " ", type, "): ", message);
      if (absl::StrContains(type, "NotFound")) {
        return absl::NotFoundError(text);
      }
      if (r.status == 403 || absl::StrContains(type, "AccessDenied") ||
          absl::StrContains(type, "Signature") ||
          absl::StrContains(type, "Token")) {
        return absl::PermissionDeniedError(
            absl::StrCat(text,
                         "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                         "AWS_SESSION_TOKEN and AWS_REGION"));
      }
      return absl::FailedPreconditionError(text);
    }
    if (!j.is_object()) {
      return absl::DataLossError(
          absl::StrCat(what, ": ", action, " answered something not JSON"));
    }
    return j;
  }
};

// ---- Vault / OpenBao transit ---------------------------------------

struct VaultClient {
  std::string addr, token, ns, mount, name, what;

  absl::StatusOr<json> Call(const std::string& method, const std::string& path,
                            const json* body) const {
    std::string text = body ? body->dump() : "";
    HttpBody payload;
    payload.bytes = text;
    HttpRequest req;
    req.method = method;
    req.url = absl::StrCat(addr, "/v1/", mount, "/", path);
    req.headers = {"X-Vault-Token: " + token, "Content-Type: application/json"};
    if (!ns.empty()) req.headers.push_back("X-Vault-Namespace: " + ns);
    if (body) req.body = &payload;
    req.timeout = absl::Seconds(30);
    ASSIGN_OR_RETURN(HttpResponse r, HttpPerformRetried(req, what));
    json j = json::parse(r.body, nullptr, false);
    if (r.status == 403) {
      return absl::PermissionDeniedError(absl::StrCat(
          what,
          ": permission denied; VAULT_TOKEN is missing, expired or "
          "lacks the transit policy"));
    }
    if (r.status == 404) {
      return absl::NotFoundError(absl::StrCat(
          what, ": no such transit key (or transit is not mounted at '", mount,
          "')"));
    }
    if (r.status != 200 || !j.is_object() || !j["data"].is_object()) {
      std::string errors = j.is_object() && j["errors"].is_array()
                               ? j["errors"].dump()
                               : r.body.substr(0, 200);
      return absl::FailedPreconditionError(absl::StrCat(
          what, ": ", path, " failed (HTTP ", r.status, "): ", errors));
    }
    return j["data"];
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Signer>> OpenAwsKmsSigner(
    const std::string& keyref, const SecretLookup& secret) {
  std::string rest = keyref.substr(std::string("awskms://").size());
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 == rest.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key reference '", keyref,
        "': awskms://[ENDPOINT]/ID (e.g. awskms:///alias/release)"));
  }
  KmsClient c;
  std::string host = rest.substr(0, slash);
  c.key_id = rest.substr(slash + 1);
  ASSIGN_OR_RETURN(c.region, AwsRegion(secret, keyref));
  if (!host.empty()) {
    c.endpoint =
        absl::StrCat(IsLoopbackHost(host) ? "http://" : "https://", host);
  } else {
    for (const char* name :
         {"DSO_KMS_ENDPOINT", "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"}) {
      if (c.endpoint.empty()) c.endpoint = secret(name);
    }
    if (c.endpoint.empty()) {
      c.endpoint = absl::StrCat("https://kms.", c.region, ".amazonaws.com");
    }
  }
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  c.access = secret("AWS_ACCESS_KEY_ID");
  c.secret = secret("AWS_SECRET_ACCESS_KEY");
  c.token = secret("AWS_SESSION_TOKEN");
  if (c.access.empty() || c.secret.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        keyref, ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  }
  c.what = absl::StrCat("AWS KMS key ", c.key_id, " at ", c.endpoint);
  ASSIGN_OR_RETURN(json got, c.Call("GetPublicKey", {{"KeyId", c.key_id}}));
  std::string der;
  if (!got["PublicKey"].is_string() ||
      !absl::Base64Unescape(got["PublicKey"].get<std::string>(), &der)) {
    return absl::DataLossError(
        absl::StrCat(c.what, ": GetPublicKey returned no public key"));
  }
  ASSIGN_OR_RETURN(PublicKey pub,
                   PublicKey::FromPem(PemEncode("PUBLIC KEY", der), c.what));
  std::string algorithm = absl::StartsWith(pub.Describe(), "RSA")
                              ? "RSASSA_PKCS1_V1_5_SHA_256"
                              : "ECDSA_SHA_256";
  // KMS signs messages of up to 4096 bytes itself (MessageType RAW), and
  // digests of longer ones.
  auto sign = [c, algorithm](absl::string_view input,
                             bool raw) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(json r,
                     c.Call("Sign", {{"KeyId", c.key_id},
                                     {"Message", absl::Base64Escape(input)},
                                     {"MessageType", raw ? "RAW" : "DIGEST"},
                                     {"SigningAlgorithm", algorithm}}));
    std::string sig;
    if (!r["Signature"].is_string() ||
        !absl::Base64Unescape(r["Signature"].get<std::string>(), &sig)) {
      return absl::DataLossError(
          absl::StrCat(c.what, ": Sign returned no signature"));
    }
    return sig;
  };
  return std::make_unique<RemoteSigner>(std::move(pub), c.what, sign, 4096);
}

absl::StatusOr<std::unique_ptr<Signer>> OpenVaultSigner(
    const std::string& keyref, const SecretLookup& secret) {
  VaultClient c;
  c.name = keyref.substr(std::string("hashivault://").size());
  if (c.name.empty() || c.name.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key reference '", keyref, "': hashivault://NAME of a transit key"));
  }
  c.addr = secret("VAULT_ADDR");
  c.token = secret("VAULT_TOKEN");
  if (c.addr.empty() || c.token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(keyref, ": set VAULT_ADDR and VAULT_TOKEN"));
  }
  while (c.addr.back() == '/') c.addr.pop_back();
  c.ns = secret("VAULT_NAMESPACE");
  c.mount = secret("TRANSIT_SECRET_ENGINE_PATH");
  if (c.mount.empty()) c.mount = "transit";
  c.what = absl::StrCat("Vault transit key ", c.name, " at ", c.addr);
  ASSIGN_OR_RETURN(json key, c.Call("GET", "keys/" + c.name, nullptr));
  std::string latest =
      key["latest_version"].is_number() ? key["latest_version"].dump() : "1";
  std::string pem =
      StringAt(MemberAt(MemberAt(key, "keys"), latest.c_str()), "public_key");
  if (pem.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        c.what, ": the key has no public key (type '", StringAt(key, "type"),
        "'); use an ecdsa-p256/p384/p521 or rsa key"));
  }
  ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromPem(pem, c.what));
  bool rsa = absl::StartsWith(pub.Describe(), "RSA");
  auto sign = [c, rsa](absl::string_view digest,
                       bool) -> absl::StatusOr<std::string> {
    json body = {{"input", absl::Base64Escape(digest)},
                 {"prehashed", true},
                 {"marshaling_algorithm", "asn1"}};
    if (rsa) body["signature_algorithm"] = "pkcs1v15";
    ASSIGN_OR_RETURN(json r,
                     c.Call("POST", "sign/" + c.name + "/sha2-256", &body));
    std::string text = StringAt(r, "signature");
    size_t colon = text.rfind(':');
    std::string sig;
    if (!absl::StartsWith(text, "vault:") || colon == std::string::npos ||
        !absl::Base64Unescape(text.substr(colon + 1), &sig)) {
      return absl::DataLossError(
          absl::StrCat(c.what, ": sign returned no vault:v<N>:<base64>"));
    }
    return sig;
  };
  return std::make_unique<RemoteSigner>(std::move(pub), c.what, sign);
}

}  // namespace dso
