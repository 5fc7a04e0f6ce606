#include "stages/core/agent_credentials.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/url_password.h"

namespace dso {
namespace {

std::string ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

// What follows a prefix may not step out of it: no "." or ".." segment,
// no percent-encoded dot, slash or backslash a server would decode.
bool StaysBeneath(absl::string_view rest) {
  std::string lower = absl::AsciiStrToLower(rest);
  for (const char* encoded : {"%2e", "%2f", "%5c"}) {
    if (absl::StrContains(lower, encoded)) return false;
  }
  for (absl::string_view segment :
       absl::StrSplit(rest, absl::ByAnyChar("/\\"))) {
    if (segment == "." || segment == "..") return false;
  }
  return true;
}

}  // namespace

bool DestinationCovered(absl::string_view prefix,
                        absl::string_view destination) {
  if (prefix == "*") return true;
  if (prefix.empty() || !absl::StartsWith(destination, prefix)) return false;
  absl::string_view rest = destination.substr(prefix.size());
  if (!StaysBeneath(rest)) return false;
  // A boundary: the prefix ends a segment, or the destination goes on with
  // a new one.
  if (rest.empty() || prefix.back() == '/') return true;
  return rest[0] == '/';
}

AgentCredentials::AgentCredentials(std::vector<CredentialBinding> bindings,
                                   Getenv getenv)
    : bindings_(std::move(bindings)),
      getenv_(getenv ? std::move(getenv) : Getenv(ProcessEnv)) {}

AgentCredentials AgentCredentials::Everywhere() {
  return AgentCredentials({CredentialBinding{{"*"}, {"*"}}});
}

bool AgentCredentials::Covers(absl::string_view destination) const {
  for (const CredentialBinding& b : bindings_) {
    for (const std::string& prefix : b.to) {
      if (DestinationCovered(prefix, destination)) return true;
    }
  }
  return false;
}

std::string AgentCredentials::Lookup(absl::string_view destination,
                                     const std::string& name) const {
  for (const CredentialBinding& b : bindings_) {
    bool named = false;
    for (const std::string& e : b.env) named = named || e == "*" || e == name;
    if (!named) continue;
    for (const std::string& prefix : b.to) {
      if (DestinationCovered(prefix, destination)) return getenv_(name);
    }
  }
  return "";
}

absl::Status CheckCredentialBinding(const CredentialBinding& binding,
                                    const std::string& where) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", why));
  };
  if (binding.to.empty()) return bad("'to' names no destination");
  if (binding.env.empty()) return bad("'env' names no variable");
  for (const std::string& prefix : binding.to) {
    if (prefix.empty()) return bad("an empty destination in 'to'");
    if (HasUrlPassword(prefix)) {
      return bad(absl::StrCat("destination '", RedactUrlPasswords(prefix),
                              "' holds a password; put it in 'env'"));
    }
    if (!StaysBeneath(prefix)) {
      return bad(
          absl::StrCat("destination '", prefix, "' has a '.' or '..' segment"));
    }
  }
  for (const std::string& name : binding.env) {
    if (name == "*") continue;
    if (name.empty() ||
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                               "vwxyz0123456789_") != std::string::npos) {
      return bad(absl::StrCat("'", name, "' in 'env' is not a variable name"));
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
