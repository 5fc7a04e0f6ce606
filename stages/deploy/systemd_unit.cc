#include "stages/deploy/systemd_unit.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace dso {
namespace {

// One word of ExecStart=, quoted as systemd reads it; "%" and "$" escaped
// so that systemd expands nothing.
std::string Word(const std::string& word) {
  std::string out = absl::StrReplaceAll(
      word, {{"\\", "\\\\"}, {"\"", "\\\""}, {"%", "%%"}, {"$", "$$"}});
  return absl::StrCat("\"", out, "\"");
}

}  // namespace

std::string RenderSystemdUnit(const std::string& dir,
                              const std::string& release_dir,
                              const AppSpec& spec, const std::string& dso_run,
                              const std::vector<std::string>& protect) {
  std::string current = dir + "/current";
  auto here = [&](const std::string& s) {
    return absl::StrReplaceAll(s, {{release_dir, current}});
  };
  std::string exec =
      absl::StrCat(Word(dso_run), " --policy ", Word(here(spec.rasp_policy)),
                   " --events ", Word(dir + "/events.jsonl"), " --deployment ",
                   Word(spec.deployment), " --base ", Word(here(spec.cwd)));
  for (const std::string& path : protect) {
    absl::StrAppend(&exec, " --protect ", Word(path));
  }
  if (!spec.user.empty()) absl::StrAppend(&exec, " --user ", Word(spec.user));
  absl::StrAppend(&exec, " --");
  for (const std::string& arg : spec.argv) {
    absl::StrAppend(&exec, " ", Word(here(arg)));
  }
  std::string out = absl::StrCat(
      "# Written by dsoctl deploy: the application of target ", spec.deployment,
      ",\n# whatever release ", current,
      " names, under dso-run.\n[Unit]\nDescription=", spec.deployment,
      " (dso deployment)\nAfter=network-online.target\n"
      "Wants=network-online.target\n\n[Service]\nType=simple\n"
      "WorkingDirectory=",
      here(spec.cwd), "\n");
  for (const std::string& e : spec.env) {
    absl::StrAppend(&out, "Environment=", Word(here(e)), "\n");
  }
  absl::StrAppend(&out, "ExecStart=", exec,
                  "\nKillMode=mixed\nRestart=on-failure\nRestartSec=2\n"
                  "NoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=full\n"
                  "ProtectHome=yes\nProtectKernelModules=yes\n"
                  "ProtectKernelTunables=yes\nProtectControlGroups=yes\n"
                  "RestrictSUIDSGID=yes\n\n[Install]\n"
                  "WantedBy=multi-user.target\n");
  return out;
}

}  // namespace dso
