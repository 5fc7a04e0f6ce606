#include "stages/scan/iac/dockerfile_checks.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace dso {
namespace {

using dso::v1::HIGH;
using dso::v1::LOW;
using dso::v1::MEDIUM;

enum CheckIndex {
  kExposeSsh,
  kNoHealthcheck,
  kNoUser,
  kAdd,
  kUpdateAlone,
  kMaintainer,
  kLatestTag,
  kRootUser,
  kApt,
  kRelativeWorkdir,
  kDuplicateAlias,
  kSudo,
  kAddUrl,
  kPipeToShell,
};

const std::vector<IacCheck>& Checks() {
  static const auto* checks = new std::vector<IacCheck>{
      {"DKR001", "CKV_DOCKER_1", MEDIUM, "Port 22 (SSH) is exposed",
       "Do not run an SSH server in a container; use `docker exec` or the "
       "orchestrator's shell access."},
      {"DKR002", "CKV_DOCKER_2", LOW, "The image has no HEALTHCHECK",
       "Add a HEALTHCHECK instruction so that a container that stopped "
       "working is noticed and restarted."},
      {"DKR003", "CKV_DOCKER_3", MEDIUM, "The image sets no USER",
       "Create an unprivileged user and switch to it with USER; without one "
       "the container runs as root."},
      {"DKR004", "CKV_DOCKER_4", LOW, "ADD is used where COPY would do",
       "Use COPY for local files; ADD also fetches URLs and unpacks "
       "archives, which COPY makes explicit."},
      {"DKR005", "CKV_DOCKER_5", LOW,
       "A package index update is not followed by an install in the same "
       "RUN",
       "Run the update and the install in one RUN (apt-get update && "
       "apt-get install ...), or the layer cache keeps a stale index."},
      {"DKR006", "CKV_DOCKER_6", LOW, "MAINTAINER is deprecated",
       "Use LABEL maintainer=\"...\" instead of MAINTAINER."},
      {"DKR007", "CKV_DOCKER_7", MEDIUM,
       "The base image is not pinned (latest or no tag)",
       "Name a version tag or, better, a digest (image@sha256:...) so that "
       "builds are reproducible."},
      {"DKR008", "CKV_DOCKER_8", HIGH, "The last USER is root",
       "Switch to an unprivileged user at the end of the Dockerfile."},
      {"DKR009", "CKV_DOCKER_9", LOW, "apt is used in a RUN",
       "Use apt-get (or apt-cache) in scripts: apt's interface is not "
       "stable for scripts."},
      {"DKR010", "CKV_DOCKER_10", LOW, "WORKDIR is a relative path",
       "Give WORKDIR an absolute path; a relative one depends on the "
       "previous WORKDIR."},
      {"DKR011", "CKV_DOCKER_11", LOW,
       "Two stages of a multi-stage build have the same name",
       "Give every FROM ... AS name a name of its own."},
      {"DKR012", "CKV2_DOCKER_1", MEDIUM, "sudo is used in a RUN",
       "RUN runs as the current USER; switch users with USER instead of "
       "sudo."},
      {"DKR013", "", MEDIUM, "ADD downloads a URL without a checksum",
       "Download with a pinned checksum (ADD --checksum=sha256:...) or fetch "
       "and verify in a RUN."},
      {"DKR014", "", HIGH, "A download is piped into a shell",
       "Download to a file, verify its checksum or signature, then run it."},
  };
  return *checks;
}

// The words of `s`, split at blanks.
std::vector<std::string> Blanks(absl::string_view s) {
  return absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

// The instruction's text for evidence, at most 120 characters. Commands,
// downloads and build arguments may hold credentials (curl -u, a token in
// a URL or header), so for those the keyword alone: the finding's lines
// point at the rest.
std::string Evidence(const DockerInstruction& in) {
  static const std::set<std::string> kShown = {"FROM", "EXPOSE", "USER",
                                               "WORKDIR", "MAINTAINER"};
  if (!kShown.count(in.keyword)) return in.keyword;
  std::string text = absl::StrCat(in.keyword, " ", in.args);
  if (text.size() > 120) text = absl::StrCat(text.substr(0, 117), "...");
  return text;
}

// The words of a RUN's shell commands and heredoc bodies, lower case.
std::string RunText(const DockerInstruction& in) {
  std::string text = in.exec_form ? absl::StrJoin(in.exec_args, " ") : in.rest;
  for (const DockerHeredoc& h : in.heredocs)
    absl::StrAppend(&text, "\n", h.body);
  return absl::AsciiStrToLower(text);
}

// The commands of a shell text: split at ;, &&, ||, | and newlines, each
// as its words.
std::vector<std::vector<std::string>> Commands(absl::string_view text) {
  std::vector<std::vector<std::string>> out;
  std::string current;
  auto flush = [&] {
    std::vector<std::string> words = Blanks(current);
    if (!words.empty()) out.push_back(std::move(words));
    current.clear();
  };
  for (char c : text) {
    if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')') {
      flush();
    } else {
      current.push_back(c);
    }
  }
  flush();
  return out;
}

// The program a command runs, past `sudo`, `env VAR=x` and assignments.
size_t ProgramAt(const std::vector<std::string>& words) {
  size_t i = 0;
  while (i < words.size() &&
         (words[i] == "sudo" || words[i] == "env" ||
          words[i].find('=') != std::string::npos || words[i][0] == '-')) {
    ++i;
  }
  return i;
}

bool IsRoot(absl::string_view user) {
  absl::string_view name = user.substr(0, user.find(':'));
  return name == "root" || name == "0";
}

// A FROM's image: its first word that is not a flag; "AS name" after it.
struct From {
  std::string image, alias;
};
From ParseFrom(const DockerInstruction& in) {
  std::vector<std::string> words = Blanks(in.rest);
  From f;
  if (!words.empty()) f.image = words[0];
  if (words.size() >= 3 && absl::AsciiStrToUpper(words[1]) == "AS") {
    f.alias = absl::AsciiStrToLower(words[2]);
  }
  return f;
}

// Whether an image reference names no version: ":latest", or no tag and
// no digest. Variables are not judged (their value is not known here).
bool Unpinned(absl::string_view image) {
  if (image.find('$') != absl::string_view::npos) return false;
  if (image.find('@') != absl::string_view::npos) return false;
  size_t slash = image.rfind('/');
  absl::string_view last =
      slash == absl::string_view::npos ? image : image.substr(slash + 1);
  size_t colon = last.find(':');
  if (colon == absl::string_view::npos) return true;
  return last.substr(colon + 1) == "latest";
}

}  // namespace

const std::vector<IacCheck>& DockerfileChecks() { return Checks(); }

std::vector<IacFinding> CheckDockerfile(const Dockerfile& df,
                                        const std::string& file) {
  std::vector<IacFinding> out;
  const std::vector<IacCheck>& checks = Checks();
  auto found = [&](CheckIndex c, const DockerInstruction* in) {
    IacFinding f;
    f.check = &checks[c];
    if (in) {
      f.resource = absl::StrCat(file, ".", in->keyword);
      f.line = in->line;
      f.end_line = in->end_line;
      f.evidence = Evidence(*in);
      f.instruction = absl::StrCat(in->keyword, " ", in->args);
    } else {
      f.resource = absl::StrCat(file, ".");  // as checkov names the file
      f.line = 1;
      f.end_line = df.instructions.back().end_line;  // never empty here
    }
    out.push_back(std::move(f));
  };
  if (df.instructions.empty()) return out;
  bool healthcheck = false;
  const DockerInstruction* last_user = nullptr;
  std::set<std::string> stages;
  for (const DockerInstruction& in : df.instructions) {
    const std::string& k = in.keyword;
    if (k == "HEALTHCHECK") healthcheck = true;
    if (k == "USER") last_user = &in;
    if (k == "MAINTAINER") found(kMaintainer, &in);
    if (k == "EXPOSE") {
      for (absl::string_view port : Blanks(in.rest)) {
        if (port.substr(0, port.find('/')) == "22") {
          found(kExposeSsh, &in);
          break;
        }
      }
    }
    if (k == "WORKDIR") {
      absl::string_view dir = absl::StripAsciiWhitespace(in.rest);
      bool absolute = absl::StartsWith(dir, "/") ||
                      absl::StartsWith(dir, "$") ||
                      absl::StartsWith(dir, "\"/") ||
                      (dir.size() >= 2 && dir[1] == ':');  // C:\ on Windows
      if (!dir.empty() && !absolute) found(kRelativeWorkdir, &in);
    }
    if (k == "FROM") {
      From f = ParseFrom(in);
      std::string image = absl::AsciiStrToLower(f.image);
      if (image != "scratch" && !stages.count(image) && Unpinned(f.image)) {
        found(kLatestTag, &in);
      }
      if (!f.alias.empty() && !stages.insert(f.alias).second) {
        found(kDuplicateAlias, &in);
      }
    }
    if (k == "ADD") {
      found(kAdd, &in);
      bool checksum = false;
      for (const std::string& flag : in.flags) {
        checksum |= absl::StartsWith(flag, "--checksum=");
      }
      std::string lower = absl::AsciiStrToLower(in.rest);
      if (!checksum && (absl::StrContains(lower, "http://") ||
                        absl::StrContains(lower, "https://"))) {
        found(kAddUrl, &in);
      }
    }
    if (k != "RUN") continue;
    const std::string text = RunText(in);
    bool update = false, install = false, apt = false, sudo = false;
    for (const auto& words : Commands(text)) {
      if (!words.empty() && words[0] == "sudo") sudo = true;
      size_t p = ProgramAt(words);
      if (p >= words.size()) continue;
      const std::string& prog = words[p];
      const std::string verb = p + 1 < words.size() ? words[p + 1] : "";
      bool manager = prog == "apt-get" || prog == "apt" || prog == "apk" ||
                     prog == "yum" || prog == "dnf" || prog == "zypper";
      if (manager && (verb == "update" || verb == "refresh")) update = true;
      if (manager && (verb == "install" || verb == "add" || verb == "upgrade" ||
                      verb == "dist-upgrade" || verb == "in")) {
        install = true;
      }
      if (prog == "apt") apt = true;
    }
    // A download piped into a shell: curl/wget ... | sh.
    std::vector<std::string> pipes = absl::StrSplit(text, '|');
    for (size_t i = 0; i + 1 < pipes.size(); ++i) {
      bool fetch = absl::StrContains(pipes[i], "curl ") ||
                   absl::StrContains(pipes[i], "wget ");
      std::vector<std::string> next =
          Blanks(absl::StripAsciiWhitespace(pipes[i + 1]));
      size_t p = ProgramAt(next);
      if (fetch && p < next.size()) {
        absl::string_view shell = next[p];
        size_t slash = shell.rfind('/');
        if (slash != absl::string_view::npos) shell.remove_prefix(slash + 1);
        if (shell == "sh" || shell == "bash" || shell == "zsh" ||
            shell == "dash" || shell == "ash" || shell == "python" ||
            shell == "python3" || shell == "perl") {
          found(kPipeToShell, &in);
          break;
        }
      }
    }
    if (update && !install) found(kUpdateAlone, &in);
    if (apt) found(kApt, &in);
    if (sudo) found(kSudo, &in);
  }
  if (!healthcheck) found(kNoHealthcheck, nullptr);
  if (!last_user) {
    found(kNoUser, nullptr);
  } else if (IsRoot(absl::StripAsciiWhitespace(last_user->rest))) {
    found(kRootUser, last_user);
  }
  return out;
}

}  // namespace dso
