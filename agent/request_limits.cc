#include "agent/request_limits.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

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

absl::Status Check(const Message& m, const std::string& prefix) {
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
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        size_t max = IsInlineDocument(f) ? SIZE_MAX : kMaxStringFieldBytes;
        if (f->is_repeated()) {
          for (int i = 0; i < refl->FieldSize(m, f); ++i) {
            size_t size =
                refl->GetRepeatedStringReference(m, f, i, nullptr).size();
            if (size > max)
              return TooLong(absl::StrCat(path, "[", i, "]"), size, max);
          }
        } else {
          std::string scratch;
          size_t size = refl->GetStringReference(m, f, &scratch).size();
          if (size > max) return TooLong(path, size, max);
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
                               absl::StrCat(path, "[", i, "]"));
                !s.ok()) {
              return s;
            }
          }
        } else if (auto s = Check(refl->GetMessage(m, f), path); !s.ok()) {
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
  return Check(request, "");
}

}  // namespace dso
