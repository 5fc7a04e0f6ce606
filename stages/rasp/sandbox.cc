#include "stages/rasp/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/rasp/internal/rasp_rules.h"

namespace dso {
namespace {

// Landlock access rights newer than Debian 12's kernel headers.
constexpr uint64_t kFsTruncate = 1ULL << 14;  // ABI 3
constexpr uint64_t kNetBindTcp = 1ULL << 0;   // ABI 4
constexpr uint64_t kNetConnectTcp = 1ULL << 1;
constexpr int kRuleNetPort = 2;
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;
constexpr int kFchmodat2 = 452;  // the same number on every architecture

struct RulesetAttr {  // landlock_ruleset_attr as of ABI 6
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
struct NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;
};

constexpr uint64_t kFsWrite =
    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
// Rights Landlock accepts on a rule for a single file (not a directory).
constexpr uint64_t kFsFileRights = LANDLOCK_ACCESS_FS_EXECUTE |
                                   LANDLOCK_ACCESS_FS_WRITE_FILE |
                                   LANDLOCK_ACCESS_FS_READ_FILE | kFsTruncate;

const char* const kCapNames[] = {"CHOWN",
                                 "DAC_OVERRIDE",
                                 "DAC_READ_SEARCH",
                                 "FOWNER",
                                 "FSETID",
                                 "KILL",
                                 "SETGID",
                                 "SETUID",
                                 "SETPCAP",
                                 "LINUX_IMMUTABLE",
                                 "NET_BIND_SERVICE",
                                 "NET_BROADCAST",
                                 "NET_ADMIN",
                                 "NET_RAW",
                                 "IPC_LOCK",
                                 "IPC_OWNER",
                                 "SYS_MODULE",
                                 "SYS_RAWIO",
                                 "SYS_CHROOT",
                                 "SYS_PTRACE",
                                 "SYS_PACCT",
                                 "SYS_ADMIN",
                                 "SYS_BOOT",
                                 "SYS_NICE",
                                 "SYS_RESOURCE",
                                 "SYS_TIME",
                                 "SYS_TTY_CONFIG",
                                 "MKNOD",
                                 "LEASE",
                                 "AUDIT_WRITE",
                                 "AUDIT_CONTROL",
                                 "SETFCAP",
                                 "MAC_OVERRIDE",
                                 "MAC_ADMIN",
                                 "SYSLOG",
                                 "WAKE_ALARM",
                                 "BLOCK_SUSPEND",
                                 "AUDIT_READ",
                                 "PERFMON",
                                 "BPF",
                                 "CHECKPOINT_RESTORE"};
constexpr int kCapCount = sizeof(kCapNames) / sizeof(kCapNames[0]);

int CapNumber(std::string name) {
  name = absl::AsciiStrToUpper(name);
  if (name.rfind("CAP_", 0) == 0) name = name.substr(4);
  for (int i = 0; i < kCapCount; ++i) {
    if (name == kCapNames[i]) return i;
  }
  return -1;
}

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

absl::Status DropCapabilities(const RaspPolicy& policy,
                              const SandboxOptions& options,
                              std::vector<std::string>* notes) {
  uint64_t keep = 0;
  for (const std::string& name : policy.capabilities) {
    if (int cap = CapNumber(name); cap >= 0) keep |= 1ULL << cap;
  }
  for (int cap = 0; cap <= 63; ++cap) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_READ, cap) != 1) continue;
    if (prctl(PR_CAPBSET_DROP, cap) != 0 && errno != EPERM) {
      return Errno(absl::StrCat("dropping capability ", cap));
    }
  }
  if (options.uid) {
    if (keep && prctl(PR_SET_KEEPCAPS, 1) != 0) return Errno("PR_SET_KEEPCAPS");
    if (setgroups(0, nullptr) != 0 && errno != EPERM) return Errno("setgroups");
    if (setgid(options.gid) != 0) return Errno("setgid");
    if (setuid(*options.uid) != 0) return Errno("setuid");
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return Errno("capget");
  for (int i = 0; i < 2; ++i) {
    uint32_t mask = static_cast<uint32_t>(keep >> (32 * i));
    data[i].permitted &= mask;
    data[i].effective = data[i].permitted;
    data[i].inheritable = data[i].permitted;
  }
  if (syscall(SYS_capset, &header, data) != 0) return Errno("capset");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  std::vector<std::string> kept;
  for (int cap = 0; cap < kCapCount; ++cap) {
    if (!(keep & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) == 0) {
      kept.push_back(kCapNames[cap]);
    }
  }
  notes->push_back(kept.empty() ? "capabilities: all dropped"
                                : "capabilities: all dropped but " +
                                      absl::StrJoin(kept, ", "));
  return absl::OkStatus();
}

// Adds a rule allowing `access` at `path` (a directory: below it).
absl::Status AddPathRule(int ruleset, const std::string& path,
                         uint64_t access) {
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return Errno("Landlock: opening " + path);
  struct stat st;
  fstat(fd, &st);
  if (!S_ISDIR(st.st_mode)) access &= kFsFileRights;
  landlock_path_beneath_attr attr{};
  attr.allowed_access = access;
  attr.parent_fd = fd;
  int rc = access
               ? static_cast<int>(syscall(SYS_landlock_add_rule, ruleset,
                                          LANDLOCK_RULE_PATH_BENEATH, &attr, 0))
               : 0;
  int saved = errno;
  close(fd);
  errno = saved;
  if (rc != 0) return Errno("Landlock: a rule for " + path);
  return absl::OkStatus();
}

absl::Status ApplyLandlock(const RaspPolicy& policy,
                           const SandboxOptions& options,
                           std::vector<std::string>* notes) {
  if (!policy.block) return absl::OkStatus();
  int abi = static_cast<int>(syscall(SYS_landlock_create_ruleset, nullptr, 0,
                                     LANDLOCK_CREATE_RULESET_VERSION));
  // Scopes (ABI 6): signals only to processes of the program's own domain
  // (never the agent, dso-run or other applications of the same user),
  // abstract Unix sockets only of its own when network.unix names none.
  bool abstract_listed = false;
  if (policy.unix_sockets) {
    for (const std::string& entry : *policy.unix_sockets) {
      abstract_listed |= !entry.empty() && entry[0] == '@';
    }
  }
  uint64_t scoped = 0;
  if (abi >= 6) {
    scoped = kScopeSignal;
    if (policy.unix_sockets && !abstract_listed) {
      scoped |= kScopeAbstractUnixSocket;
    }
  }
  bool wants = policy.writable || policy.exec || policy.listen ||
               policy.connect || scoped;
  if (!wants) return absl::OkStatus();
  if (abi < 1) {
    notes->push_back(absl::StrCat(
        "landlock: not available (", strerror(errno),
        "); writes, executions and ports are checked by the monitor only"));
    return absl::OkStatus();
  }
  if (abi < 6) {
    notes->push_back(absl::StrCat(
        "landlock: ABI ", abi,
        " has no scopes; signals to other processes are checked by the "
        "monitor only"));
  }
  RulesetAttr attr{};
  // REFER (ABI 2): renames and links across directories, which Landlock
  // denies whenever a ruleset does not grant it.
  uint64_t write = kFsWrite | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0) |
                   (abi >= 3 ? kFsTruncate : 0);
  if (policy.writable) attr.handled_access_fs |= write;
  // Landlock refuses reparenting (EXDEV) under any ruleset unless granted:
  // with writes unrestricted, grant it everywhere.
  bool refer_everywhere = abi >= 2 && !policy.writable;
  if (refer_everywhere) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
  if (policy.exec) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_EXECUTE;
  std::set<uint16_t> connect_ports;
  bool connect_any_port = false;
  if (policy.connect) {
    for (const std::string& text : *policy.connect) {
      rasp::NetRule rule{};
      const char* why;
      rasp::ParseNetRule(text.c_str(), &rule, &why);
      if (rule.port_hi - rule.port_lo > 1024) {
        connect_any_port = true;
        continue;
      }
      for (int p = rule.port_lo; p <= rule.port_hi; ++p)
        connect_ports.insert(p);
    }
  }
  std::vector<std::string> layers;
  if (abi >= 4) {
    if (policy.connect && !connect_any_port) {
      attr.handled_access_net |= kNetConnectTcp;
    }
    if (policy.listen) attr.handled_access_net |= kNetBindTcp;
  } else if (policy.connect || policy.listen) {
    notes->push_back(absl::StrCat("landlock: ABI ", abi,
                                  " has no port rules; ports are checked by "
                                  "the monitor only"));
  }
  attr.scoped = scoped;
  size_t attr_size = abi >= 6   ? sizeof(attr)
                     : abi >= 4 ? 2 * sizeof(uint64_t)
                                : sizeof(uint64_t);
  int ruleset = static_cast<int>(
      syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0));
  if (ruleset < 0) return Errno("Landlock: creating the ruleset");
  auto add = [&]() -> absl::Status {
    if (policy.writable) {
      for (const std::string& path : *policy.writable) {
        if (auto s = AddPathRule(ruleset, path, write); !s.ok()) return s;
      }
      for (const char* path : rasp::kAlwaysWritable) {
        if (access(path, F_OK) != 0) continue;
        if (auto s = AddPathRule(ruleset, path, write); !s.ok()) return s;
      }
      layers.push_back(policy.writable->empty()
                           ? "no writes"
                           : "writes only below " +
                                 absl::StrJoin(*policy.writable, ", "));
    }
    if (refer_everywhere) {
      if (auto s = AddPathRule(ruleset, "/", LANDLOCK_ACCESS_FS_REFER);
          !s.ok()) {
        return s;
      }
    }
    if (policy.exec) {
      std::set<std::string> all(policy.exec->begin(), policy.exec->end());
      all.insert(options.implicit_exec.begin(), options.implicit_exec.end());
      for (const std::string& path : all) {
        if (auto s = AddPathRule(ruleset, path, LANDLOCK_ACCESS_FS_EXECUTE);
            !s.ok()) {
          return s;
        }
      }
      layers.push_back("executions only of " + absl::StrJoin(all, ", "));
    }
    auto add_ports = [&](const auto& ports, uint64_t right) -> absl::Status {
      for (uint16_t port : ports) {
        NetPortAttr net{right, port};
        if (syscall(SYS_landlock_add_rule, ruleset, kRuleNetPort, &net, 0)) {
          return Errno(absl::StrCat("Landlock: a rule for port ", port));
        }
      }
      return absl::OkStatus();
    };
    if (attr.handled_access_net & kNetConnectTcp) {
      if (auto s = add_ports(connect_ports, kNetConnectTcp); !s.ok()) return s;
      layers.push_back(connect_ports.empty()
                           ? "no TCP connections"
                           : "TCP connections only to ports " +
                                 absl::StrJoin(connect_ports, ", "));
    }
    if (attr.handled_access_net & kNetBindTcp) {
      if (auto s = add_ports(*policy.listen, kNetBindTcp); !s.ok()) return s;
      layers.push_back(policy.listen->empty()
                           ? "no TCP listening"
                           : "TCP listening only on " +
                                 absl::StrJoin(*policy.listen, ", "));
    }
    if (scoped & kScopeSignal) {
      layers.push_back("signals only to its own processes");
    }
    if (scoped & kScopeAbstractUnixSocket) {
      layers.push_back("abstract Unix sockets only of its own");
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
      return Errno("Landlock: restricting the process");
    }
    return absl::OkStatus();
  };
  absl::Status status = add();
  close(ruleset);
  if (!status.ok()) return status;
  notes->push_back(
      absl::StrCat("landlock ABI ", abi, ": ", absl::StrJoin(layers, "; ")));
  return absl::OkStatus();
}

absl::Status ApplySeccomp(const RaspPolicy& policy,
                          std::vector<std::string>* notes) {
  std::set<std::string> names(DefaultDeniedSyscalls().begin(),
                              DefaultDeniedSyscalls().end());
  names.insert(policy.deny_syscalls.begin(), policy.deny_syscalls.end());
  for (const std::string& name : policy.allow_syscalls) names.erase(name);
  uint32_t action = policy.block ? SCMP_ACT_ERRNO(EPERM) : SCMP_ACT_LOG;
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return absl::InternalError("seccomp_init failed");
  auto fail = [&](const std::string& what, int rc) {
    seccomp_release(ctx);
    return absl::InternalError(
        absl::StrCat("seccomp: ", what, ": ", strerror(-rc)));
  };
  for (const std::string& name : names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (int rc = seccomp_rule_add(ctx, action, nr, 0); rc != 0) {
      return fail(name, rc);
    }
  }
  // clone3 hides its flags in memory a filter cannot read: make the C
  // library fall back to clone, whose namespace flags are checked.
  if (int rc =
          seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
      rc != 0) {
    return fail("clone3", rc);
  }
  // New namespaces through clone (unshare and setns are on the deny list),
  // unless the policy takes unshare off it.
  if (names.count("unshare")) {
    for (uint64_t flag :
         {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
          CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET}) {
      if (int rc = seccomp_rule_add(ctx, action, SCMP_SYS(clone), 1,
                                    SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
          rc != 0) {
        return fail("clone", rc);
      }
    }
  }
  // Running a program by descriptor (execveat with AT_EMPTY_PATH, which
  // fexecve uses): with memfd_create (on the default list) the way to run a
  // program that no file holds. Unless the policy allows execveat.
  if (names.count("execveat") == 0 &&
      std::find(policy.allow_syscalls.begin(), policy.allow_syscalls.end(),
                "execveat") == policy.allow_syscalls.end()) {
    if (int rc = seccomp_rule_add(
            ctx, action, SCMP_SYS(execveat), 1,
            SCMP_A4(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
        rc != 0) {
      return fail("execveat", rc);
    }
  }
  // Setting the setuid or setgid bit: a program left behind for someone
  // else to run with more rights.
  for (auto [nr, arg] : {std::pair{SCMP_SYS(chmod), 1u},
                         {SCMP_SYS(fchmod), 1u},
                         {SCMP_SYS(fchmodat), 2u}}) {
    for (scmp_datum_t bit : {scmp_datum_t{S_ISUID}, scmp_datum_t{S_ISGID}}) {
      scmp_arg_cmp cmp{arg, SCMP_CMP_MASKED_EQ, bit, bit};
      if (int rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp); rc != 0) {
        return fail("chmod", rc);
      }
    }
  }
  // fchmodat2 (Linux 6.6) where this libseccomp knows it; unknown here, it
  // is refused whole as ENOSYS (the C library then uses fchmodat).
  if (int nr = seccomp_syscall_resolve_name("fchmodat2");
      nr != __NR_SCMP_ERROR) {
    for (scmp_datum_t bit : {scmp_datum_t{S_ISUID}, scmp_datum_t{S_ISGID}}) {
      scmp_arg_cmp cmp{2, SCMP_CMP_MASKED_EQ, bit, bit};
      if (int rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp); rc != 0) {
        return fail("fchmodat2", rc);
      }
    }
  } else if (int rc =
                 seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), kFchmodat2, 0);
             rc != 0) {
    return fail("fchmodat2", rc);
  }
  // Raw and packet sockets (sniffing, spoofing).
  for (scmp_datum_t family : {AF_INET, AF_INET6}) {
    if (int rc = seccomp_rule_add(ctx, action, SCMP_SYS(socket), 2,
                                  SCMP_A0(SCMP_CMP_EQ, family),
                                  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW));
        rc != 0) {
      return fail("socket", rc);
    }
  }
  if (int rc = seccomp_rule_add(ctx, action, SCMP_SYS(socket), 1,
                                SCMP_A0(SCMP_CMP_EQ, AF_PACKET));
      rc != 0) {
    return fail("socket", rc);
  }
  if (int rc = seccomp_load(ctx); rc != 0) return fail("loading", rc);
  seccomp_release(ctx);
  notes->push_back(absl::StrCat("seccomp: ", names.size(),
                                " system calls and raw sockets ",
                                policy.block ? "refused" : "logged"));
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& DefaultDeniedSyscalls() {
  static const auto* names = new std::vector<std::string>{"acct",
                                                          "add_key",
                                                          "adjtimex",
                                                          "bpf",
                                                          "clock_adjtime",
                                                          "clock_settime",
                                                          "delete_module",
                                                          "finit_module",
                                                          "fsconfig",
                                                          "fsmount",
                                                          "fsopen",
                                                          "init_module",
                                                          "io_uring_enter",
                                                          "io_uring_register",
                                                          "io_uring_setup",
                                                          "iopl",
                                                          "ioperm",
                                                          "kexec_file_load",
                                                          "kexec_load",
                                                          "keyctl",
                                                          "memfd_create",
                                                          "mount",
                                                          "mount_setattr",
                                                          "move_mount",
                                                          "name_to_handle_at",
                                                          "open_by_handle_at",
                                                          "open_tree",
                                                          "perf_event_open",
                                                          "pivot_root",
                                                          "process_vm_readv",
                                                          "process_vm_writev",
                                                          "ptrace",
                                                          "quotactl",
                                                          "reboot",
                                                          "request_key",
                                                          "setns",
                                                          "settimeofday",
                                                          "swapoff",
                                                          "swapon",
                                                          "syslog",
                                                          "umount2",
                                                          "unshare",
                                                          "userfaultfd",
                                                          "vhangup"};
  return *names;
}

absl::Status CheckSandboxNames(const RaspPolicy& policy,
                               const std::string& policy_name) {
  for (const std::string& cap : policy.capabilities) {
    if (CapNumber(cap) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "RASP policy ", policy_name, ": unknown capability ", cap));
    }
  }
  for (const auto* list : {&policy.deny_syscalls, &policy.allow_syscalls}) {
    for (const std::string& name : *list) {
      if (seccomp_syscall_resolve_name(name.c_str()) == __NR_SCMP_ERROR) {
        return absl::InvalidArgumentError(absl::StrCat(
            "RASP policy ", policy_name, ": unknown system call ", name));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ApplySandbox(const RaspPolicy& policy,
                          const SandboxOptions& options,
                          std::vector<std::string>* notes) {
  if (auto s = DropCapabilities(policy, options, notes); !s.ok()) return s;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Errno("PR_SET_NO_NEW_PRIVS");
  }
  notes->push_back("no_new_privs: set");
  if (auto s = ApplyLandlock(policy, options, notes); !s.ok()) return s;
  return ApplySeccomp(policy, notes);
}

}  // namespace dso
