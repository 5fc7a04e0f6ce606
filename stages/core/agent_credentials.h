// AgentCredentials: the agent's own credentials (variables of its
// environment) and the destinations its operator bound them to. A step asks
// for a credential *for a destination* — the store URL, registry repository
// or key reference it is about to send it to — and gets the agent's value
// only when a binding names both the variable and a prefix of that
// destination. A destination a client chose that no binding covers gets
// nothing from the agent (only what the client sent with its request).
//
// Config (runtime/config.h):
//
//   credentials:
//     - to: [s3://release-artifacts/, s3://sbom/]
//       env: [AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION]
//     - to: registry.example.com            # every repository on the host
//       env: [DSO_REGISTRY_USERNAME, DSO_REGISTRY_PASSWORD]
//     - to: file:///etc/dso/release.key     # the agent's signing key
//       env: [DSO_KEY_PASSWORD]
//
// Destinations, by kind: store URLs as written (s3://BUCKET/KEY,
// ftp://HOST/PATH, nexus+https://HOST/...); registries HOST[:PORT]/REPO;
// keys file:///PATH, awskms://[ENDPOINT]/ID, hashivault://NAME. A prefix
// matches at a boundary ("registry.example.com" covers
// "registry.example.com/app", not "registry.example.com.evil.net/app") and
// never across a "." or ".." segment or a percent-encoded '.', '/' or '\'
// after it. "*" binds to every destination (the embedded dsoctl, which runs
// as its user with the user's own environment).
#ifndef DSO_STAGES_CORE_AGENT_CREDENTIALS_H_
#define DSO_STAGES_CORE_AGENT_CREDENTIALS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dso {

struct CredentialBinding {
  std::vector<std::string> to;   // destination prefixes, or "*"
  std::vector<std::string> env;  // variable names
};

class AgentCredentials {
 public:
  using Getenv = std::function<std::string(const std::string& name)>;

  // No credentials for anyone.
  AgentCredentials() = default;
  // `getenv` defaults to the process environment.
  explicit AgentCredentials(std::vector<CredentialBinding> bindings,
                            Getenv getenv = nullptr);
  // Every variable of the environment for every destination.
  static AgentCredentials Everywhere();

  // The agent's value of `name` for `destination`; "" when no binding
  // names both (or the variable is unset).
  std::string Lookup(absl::string_view destination,
                     const std::string& name) const;
  // Whether any binding covers `destination` (e.g. a key file the agent
  // holds may be used for it).
  bool Covers(absl::string_view destination) const;

  const std::vector<CredentialBinding>& bindings() const { return bindings_; }

 private:
  std::vector<CredentialBinding> bindings_;
  Getenv getenv_;
};

// Whether binding prefix `prefix` covers `destination` (rules above).
bool DestinationCovered(absl::string_view prefix,
                        absl::string_view destination);

// INVALID_ARGUMENT naming `where` when a binding is malformed: no `to` or
// `env`, an empty prefix, a variable name not of [A-Za-z0-9_], or a prefix
// with a password in it.
absl::Status CheckCredentialBinding(const CredentialBinding& binding,
                                    const std::string& where);

}  // namespace dso

#endif  // DSO_STAGES_CORE_AGENT_CREDENTIALS_H_
