#include "stages/rasp/policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "stages/rasp/internal/rasp_rules.h"
#include "yaml-cpp/yaml.h"

namespace dso {
namespace {

absl::Status Bad(const std::string& name, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("RASP policy ", name, ": ", what));
}

absl::StatusOr<std::vector<std::string>> Strings(const YAML::Node& node,
                                                 const std::string& name,
                                                 const std::string& key) {
  if (!node.IsSequence()) return Bad(name, key + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar()) return Bad(name, key + " must list strings");
    out.push_back(item.as<std::string>());
    // The monitor reads the policy as lines: a line break in an entry would
    // forge another.
    if (out.back().find_first_of(std::string("\n\0", 2)) != std::string::npos) {
      return Bad(name, key + " has an entry with a line break or NUL");
    }
  }
  if (out.size() > kRaspMaxRules) {
    return Bad(name,
               absl::StrCat(key, " has more than ", kRaspMaxRules, " entries"));
  }
  return out;
}

constexpr size_t kMaxPolicyBytes = 1 << 20;

// `abstract`: "@name" entries (abstract Unix sockets) are kept as written.
absl::StatusOr<std::vector<std::string>> CanonicalPaths(
    const YAML::Node& node, const std::string& name, const std::string& key,
    const std::string& base_dir, bool abstract = false) {
  auto paths = Strings(node, name, key);
  if (!paths.ok()) return paths.status();
  for (std::string& path : *paths) {
    if (abstract && !path.empty() && path[0] == '@') {
      if (path.size() < 2 || path.size() > 107) {
        return Bad(name, absl::StrCat(key, " entry \"", path,
                                      "\" is not an abstract socket name"));
      }
      continue;
    }
    std::string full = path.empty() || path[0] == '/'
                           ? path
                           : absl::StrCat(base_dir, "/", path);
    char resolved[PATH_MAX];
    if (realpath(full.c_str(), resolved) == nullptr) {
      return Bad(name,
                 absl::StrCat(key, " names ", path, ", which does not exist (",
                              strerror(errno), ")"));
    }
    path = resolved;
  }
  return paths;
}

absl::Status CheckKeys(const YAML::Node& node, const std::string& name,
                       const std::string& where,
                       std::initializer_list<const char*> known) {
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>();
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return Bad(name, absl::StrCat("unknown key ", where, key));
  }
  return absl::OkStatus();
}

absl::Status ParseNetwork(const YAML::Node& net, const std::string& name,
                          const std::string& base_dir, RaspPolicy& policy) {
  if (!net.IsMap()) return Bad(name, "network must be a map");
  if (auto s = CheckKeys(net, name, "network.", {"connect", "listen", "unix"});
      !s.ok()) {
    return s;
  }
  if (net["connect"]) {
    auto rules = Strings(net["connect"], name, "network.connect");
    if (!rules.ok()) return rules.status();
    for (const std::string& text : *rules) {
      rasp::NetRule rule{};
      const char* why = "";
      if (!rasp::ParseNetRule(text.c_str(), &rule, &why)) {
        return Bad(name,
                   absl::StrCat("network.connect entry \"", text, "\": ", why));
      }
    }
    policy.connect = std::move(*rules);
  }
  if (net["unix"]) {
    auto paths = CanonicalPaths(net["unix"], name, "network.unix", base_dir,
                                /*abstract=*/true);
    if (!paths.ok()) return paths.status();
    policy.unix_sockets = std::move(*paths);
  }
  if (net["listen"]) {
    auto ports = Strings(net["listen"], name, "network.listen");
    if (!ports.ok()) return ports.status();
    policy.listen.emplace();
    for (const std::string& text : *ports) {
      char* end = nullptr;
      long port = strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || port < 1 || port > 65535) {
        return Bad(name, absl::StrCat("network.listen entry \"", text,
                                      "\" is not a port"));
      }
      policy.listen->push_back(static_cast<uint16_t>(port));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RaspPolicy> ParseRaspPolicy(const std::string& yaml,
                                           const std::string& name,
                                           const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Bad(name, absl::StrCat("not YAML: ", e.what()));
  }
  if (!root.IsMap()) return Bad(name, "expected a map at the top");
  RaspPolicy policy;
  try {
    if (auto s = CheckKeys(root, name, "",
                           {"mode", "exec", "network", "files", "syscalls",
                            "capabilities", "allow_root"});
        !s.ok()) {
      return s;
    }
    if (root["mode"]) {
      std::string mode = root["mode"].as<std::string>();
      if (mode != "block" && mode != "monitor") {
        return Bad(name, "mode must be block or monitor, not " + mode);
      }
      policy.block = mode == "block";
    }
    if (const YAML::Node allow_root = root["allow_root"]) {
      std::string value = allow_root.IsScalar() ? allow_root.Scalar() : "";
      if (value != "true" && value != "false") {
        return Bad(name, "allow_root must be true or false");
      }
      policy.allow_root = value == "true";
    }
    if (root["exec"]) {
      auto exec = CanonicalPaths(root["exec"], name, "exec", base_dir);
      if (!exec.ok()) return exec.status();
      policy.exec = std::move(*exec);
    }
    if (root["network"]) {
      if (auto s = ParseNetwork(root["network"], name, base_dir, policy);
          !s.ok()) {
        return s;
      }
    }
    if (const YAML::Node files = root["files"]) {
      if (!files.IsMap()) return Bad(name, "files must be a map");
      if (auto s = CheckKeys(files, name, "files.", {"writable"}); !s.ok()) {
        return s;
      }
      if (files["writable"]) {
        auto paths =
            CanonicalPaths(files["writable"], name, "files.writable", base_dir);
        if (!paths.ok()) return paths.status();
        policy.writable = std::move(*paths);
      }
    }
    if (const YAML::Node sys = root["syscalls"]) {
      if (!sys.IsMap()) return Bad(name, "syscalls must be a map");
      if (auto s = CheckKeys(sys, name, "syscalls.", {"deny", "allow"});
          !s.ok()) {
        return s;
      }
      if (sys["deny"]) {
        auto deny = Strings(sys["deny"], name, "syscalls.deny");
        if (!deny.ok()) return deny.status();
        policy.deny_syscalls = std::move(*deny);
      }
      if (sys["allow"]) {
        auto allow = Strings(sys["allow"], name, "syscalls.allow");
        if (!allow.ok()) return allow.status();
        policy.allow_syscalls = std::move(*allow);
      }
    }
    if (root["capabilities"]) {
      auto caps = Strings(root["capabilities"], name, "capabilities");
      if (!caps.ok()) return caps.status();
      policy.capabilities = std::move(*caps);
    }
  } catch (const YAML::Exception& e) {
    return Bad(name, e.what());
  }
  return policy;
}

absl::StatusOr<RaspPolicy> LoadRaspPolicy(const std::string& path,
                                          const std::string& base_dir) {
  auto fail = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("RASP policy ", path, ": ", why));
  };
  // Non-blocking: a FIFO in its place must not hang the launcher.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return fail(absl::StrCat("cannot read it (", strerror(errno), ")"));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail("not a regular file");
  }
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || text.size() + n > kMaxPolicyBytes) {
      close(fd);
      return fail(
          n < 0 ? absl::StrCat("cannot read it (", strerror(errno), ")")
                : absl::StrCat("larger than ", kMaxPolicyBytes, " bytes"));
    }
    text.append(buf, n);
  }
  close(fd);
  return ParseRaspPolicy(text, path, base_dir);
}

std::string EncodeForMonitor(const RaspPolicy& policy,
                             const std::vector<std::string>& protect) {
  std::string out = policy.block ? "mode=block\n" : "mode=monitor\n";
  auto list = [&out](const char* key,
                     const std::optional<std::vector<std::string>>& values) {
    if (!values) return;
    absl::StrAppend(&out, key, "-restricted\n");
    for (const std::string& v : *values)
      absl::StrAppend(&out, key, "=", v, "\n");
  };
  list("exec", policy.exec);
  list("connect", policy.connect);
  list("write", policy.writable);
  list("unix", policy.unix_sockets);
  for (const std::string& path : protect) {
    absl::StrAppend(&out, "protect=", path, "\n");
  }
  // The monitor reports what the kernel filter refuses (sandbox.h) unless
  // the policy takes it off.
  for (const char* call : {"memfd_create", "execveat"}) {
    bool allowed =
        std::find(policy.allow_syscalls.begin(), policy.allow_syscalls.end(),
                  call) != policy.allow_syscalls.end();
    if (allowed) absl::StrAppend(&out, "allow=", call, "\n");
  }
  return out;
}

}  // namespace dso
