// dsoctl build: sends the build context (and base image) to the build step,
// through the agent or embedded, and puts the OCI layout it returns at
// --out (replacing an image layout already there only once the new one is
// complete), and a docker archive at --docker-archive when asked.
#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/image_args.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/core/status_macros.h"
#include "stages/files/tar_dir.h"
#include "stages/image_build/build_step.h"
#include "stages/image_build/image_builder.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

absl::Status Usage(absl::string_view flag, absl::string_view value,
                   absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " '", value, "' ", why));
}

absl::Status BuildParams(const BuildOptions& o, dso::v1::BuildParams* p) {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  ASSIGN_OR_RETURN(int64_t epoch, ParseSourceDateEpoch(sde ? sde : ""));
  p->set_source_date_epoch(epoch);
  if (!o.entrypoint.empty()) {
    ASSIGN_OR_RETURN(auto argv, ParseCommandLine(o.entrypoint, "--entrypoint"));
    for (auto& a : argv) p->add_entrypoint(a);
  }
  if (!o.cmd.empty()) {
    ASSIGN_OR_RETURN(auto argv, ParseCommandLine(o.cmd, "--cmd"));
    for (auto& a : argv) p->add_cmd(a);
  }
  p->set_app_dir(o.app_dir);
  p->set_user(o.user);
  p->set_workdir(o.workdir);
  p->set_tag(o.tag);
  p->set_base_ref(o.base_ref);
  p->set_docker_archive(!o.docker_archive.empty());
  for (const auto& e : o.env) {
    if (e.find('=') == std::string::npos || e.front() == '=') {
      return Usage("--env", e, "is not NAME=VALUE");
    }
    p->add_env(e);
  }
  for (const auto& e : o.expose) p->add_expose(e);
  for (const auto& l : o.labels) {
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage("--label", l, "is not KEY=VALUE");
    }
    (*p->mutable_labels())[l.substr(0, eq)] = l.substr(eq + 1);
  }
  for (const auto& f : o.files) {
    std::vector<std::string> parts = absl::StrSplit(f, ':');
    auto* file = p->add_files();
    file->set_mode(-1);
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() ||
        parts[1].empty() || parts[1].front() != '/') {
      return Usage("--file", f, "is not SRC:/DEST[:MODE]");
    }
    file->set_source(parts[0]);
    file->set_dest(parts[1]);
    if (parts.size() == 3) {
      int mode = 0;
      for (char c : parts[2]) {
        if (c < '0' || c > '7' || mode > 07777) {
          return Usage("--file", f, "has a mode that is not octal (e.g. 0644)");
        }
        mode = mode * 8 + (c - '0');
      }
      if (parts[2].empty() || mode > 07777) {
        return Usage("--file", f, "has a mode that is not octal (e.g. 0644)");
      }
      file->set_mode(mode);
    }
  }
  return absl::OkStatus();
}

int CmdBuild(const GlobalOptions& g, const BuildOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("build", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_build();
  if (absl::Status s = BuildParams(o, p); !s.ok()) return Fail(g, "build", s);
  if (absl::Status s = CheckLayoutDest("--out", o.out); !s.ok())
    return Fail(g, "build", s);
  std::error_code ec;
  if (!fs::is_directory(o.context, ec)) {
    return Fail(g, "build",
                Usage("--context", o.context, "is not a directory"));
  }
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "build", conn.status());
  auto context = PrepareInput(**conn, o.context);
  if (!context.ok()) return Fail(g, "build", context.status());
  *p->mutable_context() = *std::move(context);
  if (o.base.empty() || o.base == "scratch") {
    // no base
  } else if (IsRegistryImage(o.base)) {
    p->set_base_registry_ref(o.base);  // pulled by the step
    AddRegistrySecrets(&req);
  } else {
    if (!fs::exists(o.base, ec)) {
      return Fail(g, "build",
                  Usage("--base", o.base,
                        "does not exist (an OCI layout directory, a docker "
                        "archive .tar, a registry reference, or 'scratch')"));
    }
    auto base = PrepareInput(**conn, o.base);
    if (!base.ok()) return Fail(g, "build", base.status());
    *p->mutable_base() = *std::move(base);
  }
  OutputPlan plan = {{kImageLayoutArtifact, Output{o.out, /*layout=*/true}}};
  if (!o.docker_archive.empty()) {
    plan[kDockerArchiveArtifact] = Output{o.docker_archive};
  }
  return RunAndFinish(g, **conn, "build", start, req, plan);
}

}  // namespace

std::unique_ptr<Command> NewBuildCommand() {
  auto o = std::make_shared<BuildOptions>();
  return SimpleCommand(
      [o](CLI::App& app) {
        auto* build = app.add_subcommand(
            "build",
            "build an OCI image from a base and a context directory, "
            "reproducibly (honours SOURCE_DATE_EPOCH)");
        build->add_option("--context", o->context, "the application directory")
            ->required();
        build->add_option("--out", o->out, "OCI layout directory to write")
            ->required();
        build->add_option("--base", o->base,
                          "OCI layout directory, docker archive .tar, or "
                          "scratch (default)");
        build->add_option("--base-ref", o->base_ref,
                          "the tag to use in a base layout holding several "
                          "images");
        build->add_option("--app-dir", o->app_dir,
                          "where the context goes in the image (default /app)");
        build->add_option("--entrypoint", o->entrypoint,
                          "\"CMD ARGS\" or a JSON array");
        build->add_option("--cmd", o->cmd, "\"ARGS\" or a JSON array");
        build->add_option("--env", o->env, "NAME=VALUE (repeat)");
        build->add_option("--user", o->user, "UID[:GID] to run as, e.g. 65532");
        build->add_option("--workdir", o->workdir, "default: the app dir");
        build->add_option("--expose", o->expose, "PORT[/PROTO] (repeat)");
        build->add_option("--label", o->labels, "KEY=VALUE (repeat)");
        build->add_option("--file", o->files,
                          "SRC:/DEST[:MODE] a context file placed elsewhere "
                          "(repeat)");
        build->add_option("--tag", o->tag, "the image's name in the layout");
        build->add_option("--docker-archive", o->docker_archive,
                          "also write a tar that docker load reads");
        AddRunFlags(build, &o->deadline_seconds, &o->idempotency_key);
        return build;
      },
      [o](const GlobalOptions& g) { return CmdBuild(g, *o); });
}

void AddBuildCommands(Commands& all) { all.push_back(NewBuildCommand()); }

}  // namespace dso
