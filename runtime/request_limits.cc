#include "runtime/request_limits.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "stages/core/url_password.h"

namespace dso {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Fields whose value is a whole document the client read from a file.
bool IsInlineDocument(const FieldDescriptor* f) {
  static const char* const kDocuments[] = {
      "dso.v1.SecretsParams.config_toml",
      "dso.v1.GateParams.policy_yaml",
      "dso.v1.GateParams.waivers_yaml",
      "dso.v1.StoreParams.allowlist_yaml",
      "dso.v1.VerifyParams.public_key_pem",
      "dso.v1.DeployParams.verify_key_pem",
      "dso.v1.VerifyParams.blob_signature"};
  for (const char* d : kDocuments) {
    if (f->full_name() == d) return true;
  }
  return false;
}

absl::Status TooLong(const std::string& path, size_t size, size_t max) {
  return absl::InvalidArgumentError(absl::StrCat("request field ", path, " is ",
                                                 size, " bytes; at most ", max,
                                                 " are accepted"));
}

// A password written into a URL would be journaled, logged and shown with
// the run; it belongs in the request's secrets.
absl::Status CheckNoPassword(const std::string& path, absl::string_view value) {
  if (!HasUrlPassword(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "request field ", path, " holds a URL with a password ('",
      RedactUrlPasswords(value.substr(0, 256)),
      "'); send the password as a secret of the request instead (e.g. "
      "DSO_STORE_PASSWORD), never in a URL"));
}

// `secrets_below`: m is (inside) the request's secrets, where credentials
// belong, so URLs there are not checked for passwords.
absl::Status Check(const Message& m, const std::string& prefix,
                   bool secrets_below) {
  const auto* refl = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    std::string path =
        prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      int n = refl->FieldSize(m, f);
      if (n > kMaxRepeatedEntries) {
        return absl::InvalidArgumentError(absl::StrCat(
            "request field ", path, " has ", n, " entries; at most ",
            kMaxRepeatedEntries, " are accepted"));
      }
    }
    bool in_secrets =
        secrets_below || f->full_name() == "dso.v1.RunStepRequest.secrets";
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        bool document = IsInlineDocument(f);
        size_t max = document ? SIZE_MAX : kMaxStringFieldBytes;
        auto check = [&](const std::string& where,
                         const std::string& value) -> absl::Status {
          if (value.size() > max) return TooLong(where, value.size(), max);
          if (document || in_secrets) return absl::OkStatus();
          return CheckNoPassword(where, value);
        };
        if (f->is_repeated()) {
          for (int i = 0; i < refl->FieldSize(m, f); ++i) {
            absl::Status s =
                check(absl::StrCat(path, "[", i, "]"),
                      refl->GetRepeatedStringReference(m, f, i, nullptr));
            if (!s.ok()) return s;
          }
        } else {
          std::string scratch;
          absl::Status s =
              check(path, refl->GetStringReference(m, f, &scratch));
          if (!s.ok()) return s;
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        auto check = [&](int value) -> absl::Status {
          if (f->enum_type()->FindValueByNumber(value) != nullptr) {
            return absl::OkStatus();
          }
          return absl::InvalidArgumentError(absl::StrCat(
              "request field ", path, " has the value ", value,
              ", which is no ", f->enum_type()->name(), " this agent knows"));
        };
        if (f->is_repeated()) {
          for (int i = 0; i < refl->FieldSize(m, f); ++i) {
            if (auto s = check(refl->GetRepeatedEnumValue(m, f, i)); !s.ok())
              return s;
          }
        } else if (auto s = check(refl->GetEnumValue(m, f)); !s.ok()) {
          return s;
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (f->is_repeated()) {
          for (int i = 0; i < refl->FieldSize(m, f); ++i) {
            if (auto s = Check(refl->GetRepeatedMessage(m, f, i),
                               absl::StrCat(path, "[", i, "]"), in_secrets);
                !s.ok()) {
              return s;
            }
          }
        } else if (auto s = Check(refl->GetMessage(m, f), path, in_secrets);
                   !s.ok()) {
          return s;
        }
        break;
      default:
        break;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestLimits(const dso::v1::RunStepRequest& request) {
  if (request.idempotency_key().size() > kMaxIdempotencyKeyBytes) {
    return TooLong("idempotency_key", request.idempotency_key().size(),
                   kMaxIdempotencyKeyBytes);
  }
  if (request.secrets_size() > static_cast<int>(kMaxSecretsEntries)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request field secrets has ", request.secrets_size(),
        " entries; at most ", kMaxSecretsEntries, " are accepted"));
  }
  return Check(request, "", false);
}

}  // namespace dso
