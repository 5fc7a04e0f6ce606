#include "runtime/caller.h"

#include <grp.h>
#include <grpcpp/server_context.h>
#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace dso {
namespace {

std::string UserName(uid_t uid, gid_t* primary) {
  std::vector<char> buf(16384);
  struct passwd pw, *found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) {
    if (primary) *primary = pw.pw_gid;
    return pw.pw_name;
  }
  return absl::StrCat(uid);
}

std::string GroupName(gid_t gid) {
  std::vector<char> buf(16384);
  struct group gr, *found = nullptr;
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found) {
    return gr.gr_name;
  }
  return absl::StrCat(gid);
}

bool Grants(const std::vector<std::string>& grants, absl::string_view what) {
  return std::any_of(grants.begin(), grants.end(), [&](const std::string& g) {
    return g == "*" || g == what;
  });
}

}  // namespace

Caller UnixCaller(uid_t uid, gid_t gid) {
  Caller c;
  gid_t primary = gid;
  std::string user = UserName(uid, &primary);
  c.identity = absl::StrCat("unix:", user);
  c.keys.push_back(c.identity);
  std::set<gid_t> gids = {gid, primary};
  std::vector<gid_t> list(64);
  int n = static_cast<int>(list.size());
  if (getgrouplist(user.c_str(), primary, list.data(), &n) < 0 && n > 0) {
    list.resize(n);
    getgrouplist(user.c_str(), primary, list.data(), &n);
  }
  for (int i = 0; i < n && i < static_cast<int>(list.size()); ++i) {
    gids.insert(list[i]);
  }
  for (gid_t g : gids)
    c.keys.push_back(absl::StrCat("unix-group:", GroupName(g)));
  c.keys.push_back("local");
  return c;
}

Caller CertificateCaller(const std::string& name) {
  Caller c;
  c.identity = absl::StrCat("x509:", name);
  c.keys.push_back(c.identity);
  if (!absl::StrContains(name, ':') && name != "local" && name != "embedded" &&
      name != "*") {
    c.keys.push_back(name);
  }
  return c;
}

void UnixPeers::Add(int fd) {
  struct ucred cred = {};
  socklen_t len = sizeof(cred);
  Caller c;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    c = UnixCaller(cred.uid, cred.gid);
  }
  absl::MutexLock lock(&mu_);
  by_fd_[fd] = std::move(c);
}

Caller UnixPeers::Find(int fd) const {
  absl::MutexLock lock(&mu_);
  auto it = by_fd_.find(fd);
  return it == by_fd_.end() ? Caller{} : it->second;
}

Caller IdentifyCaller(const grpc::ServerContext& context,
                      const UnixPeers* peers) {
  auto auth = context.auth_context();
  if (auth && auth->IsPeerAuthenticated()) {
    for (const char* prop :
         {"x509_common_name", "x509_subject_alternative_name"}) {
      auto values = auth->FindPropertyValues(prop);
      if (!values.empty()) {
        return CertificateCaller(
            std::string(values.front().data(), values.front().size()));
      }
    }
  }
  std::string peer = context.peer();
  int fd = 0;
  if (peers && absl::StartsWith(peer, "fd:") &&
      absl::SimpleAtoi(absl::string_view(peer).substr(3), &fd)) {
    Caller c = peers->Find(fd);
    if (!c.identity.empty()) return c;
  }
  Caller c;
  if (absl::StartsWith(peer, "inproc") || peer.empty()) {
    c.identity = "embedded";
  } else {
    // Unknown peers get a name no permission key of another kind matches.
    c.identity = absl::StrCat("insecure:", peer);
  }
  c.keys = {c.identity};
  return c;
}

std::vector<std::string> Permissions::GrantsOf(const Caller& caller) const {
  std::vector<std::string> out;
  bool named = false;
  for (const auto& key : caller.keys) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) continue;
    named = true;
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
  if (!named) {
    auto it = by_key_.find("*");
    if (it != by_key_.end()) out = it->second;
  }
  return out;
}

bool Permissions::MayRunStep(const Caller& caller,
                             const std::string& step) const {
  if (by_key_.empty()) return true;
  return Grants(GrantsOf(caller), step);
}

bool Permissions::Has(const Caller& caller, const std::string& right) const {
  if (by_key_.empty()) return right == kRightPutArtifacts;
  std::vector<std::string> grants = GrantsOf(caller);
  if (Grants(grants, right)) return true;
  if (right == kRightPutArtifacts) {
    // Every step but noop takes inputs, which travel as uploaded tars.
    return std::any_of(grants.begin(), grants.end(), [](const auto& g) {
      return g != "noop" && !absl::StrContains(g, ':');
    });
  }
  return false;
}

absl::Status Permissions::CheckStep(const Caller& caller,
                                    const std::string& step) const {
  if (MayRunStep(caller, step)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("identity '", caller.identity, "' may not run step '", step,
                   "' on this agent (see 'permissions' in its config)"));
}

std::vector<std::string> Permissions::Describe(
    const Caller& caller, const std::vector<std::string>& steps) const {
  std::vector<std::string> out;
  for (const auto& s : steps) {
    if (MayRunStep(caller, s)) out.push_back(absl::StrCat("step:", s));
  }
  for (const char* r : {kRightReadRuns, kRightCancelRuns, kRightReadArtifacts,
                        kRightPutArtifacts}) {
    if (Has(caller, r)) out.push_back(r);
  }
  return out;
}

}  // namespace dso
