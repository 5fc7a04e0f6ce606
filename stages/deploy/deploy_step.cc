#include "stages/deploy/deploy_step.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/core/step_context.h"
#include "stages/deploy/admission.h"
#include "stages/deploy/app_process.h"
#include "stages/deploy/command.h"
#include "stages/deploy/health_check.h"
#include "stages/deploy/kubernetes_manifests.h"
#include "stages/deploy/release_setup.h"
#include "stages/deploy/releases.h"
#include "stages/deploy/systemd_unit.h"
#include "stages/oci/registry.h"
#include "stages/rasp/executable.h"
#include "stages/rasp/rasp_events.h"

namespace dso {
namespace {

constexpr absl::Duration kStopGrace = absl::Seconds(10);
// The process slots of a host target (PathsFor).
constexpr const char* kSlots[] = {"app", "blue", "green"};

// Where a slot's process keeps its pid and log: "app" for replace, "blue"
// and "green" for blue-green.
AppPaths PathsFor(const std::string& dir, const std::string& slot,
                  const std::string& dso_run,
                  const DeployAgentSide& agent = {}) {
  return {dso_run,
          absl::StrCat(dir, "/run/", slot, ".pid"),
          absl::StrCat(dir, "/run/", slot, ".log"),
          dir + "/events.jsonl",
          agent.events_socket,
          agent.protect};
}

class Deployment {
 public:
  Deployment(const dso::v1::DeployParams& p, DeployTarget target,
             const DeployAgentSide& agent, StepContext& context)
      : p_(p), t_(std::move(target)), agent_(agent), context_(context) {}

  void Log(const std::string& line) {
    context_.Log(dso::v1::LogLine::AGENT, absl::StrCat("deploy: ", line, "\n"));
  }

  // Starts `spec` from `paths` and waits until it is healthy.
  absl::Status StartHealthy(const AppSpec& spec, const AppPaths& paths) {
    ASSIGN_OR_RETURN(pid_t pid, StartApp(spec, paths));
    Log(absl::StrCat("started under dso-run (pid ", pid, ") in ", spec.cwd));
    HealthCheck check;
    check.port = spec.port;
    check.timeout = absl::Seconds(t_.health_timeout_seconds);
    check.alive = [&] { return RunningApp(paths.pidfile) == pid; };
    check.cancelled = [&] { return context_.cancellation().cancelled(); };
    check.log = [&](const std::string& line) { Log(line); };
    absl::Status healthy;
    if (t_.health.empty()) {
      // No check configured: it must at least stay up for two seconds.
      absl::SleepFor(absl::Seconds(2));
      healthy = check.alive()
                    ? absl::OkStatus()
                    : absl::UnavailableError("the application exited");
      if (healthy.ok()) {
        Log("no health check configured; the application stayed up");
      }
    } else {
      check.check = t_.health;
      healthy = WaitHealthy(check);
    }
    if (!healthy.ok()) {
      for (absl::string_view line :
           absl::StrSplit(LogTail(paths.log, 8), '\n', absl::SkipEmpty())) {
        Log("  | " + std::string(line));
      }
    }
    return healthy;
  }

  absl::StatusOr<dso::v1::Result> Deploy(const dso::v1::RunStepRequest& req) {
    ASSIGN_OR_RETURN(Admission admission, AdmitImage(p_, t_, context_, req));
    dso::v1::Result result;
    auto& out = *result.mutable_outputs();
    out["image.digest"] = admission.digest;
    out["target"] = t_.name;
    if (!admission.admitted) {
      for (const std::string& why : admission.problems) {
        Log("REFUSED: " + why);
      }
      result.set_outcome(dso::v1::POLICY_FAILED);
      result.set_message(absl::StrCat("admission refused ", admission.digest,
                                      ": ",
                                      absl::StrJoin(admission.problems, "; ")));
      return result;
    }
    Log(absl::StrCat("admitted ", admission.digest, " (verified: ",
                     absl::StrJoin(admission.verified_types, ", "), ")"));
    if (t_.kind == DeployTarget::Kind::kKubernetes) {
      return DeployKubernetes(admission, std::move(result));
    }
    ASSIGN_OR_RETURN(std::string dso_run, FindDsoRun());
    std::string policy;
    bool asked =
        p_.rasp_policy().source_case() != dso::v1::Input::SOURCE_NOT_SET;
    if (asked && t_.named && !t_.rasp_policy.empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat("deploy target '", t_.name,
                       "' runs under its configured RASP "
                       "policy (",
                       t_.rasp_policy, "); a request cannot choose another"));
    }
    if (asked) {
      ASSIGN_OR_RETURN(policy, ResolveFileInput(context_, p_.rasp_policy()));
    } else {
      policy = t_.rasp_policy;
    }
    ASSIGN_OR_RETURN(DeployLock lock, DeployLock::Acquire(t_.dir));
    ASSIGN_OR_RETURN(std::string previous, CurrentRelease(t_.dir));
    ASSIGN_OR_RETURN(std::string id,
                     CreateRelease(t_.dir, admission.digest, absl::Now()));
    out["release"] = id;
    out["previous"] = previous;

    std::string active_slot, slot = "app";
    int port = t_.port;
    if (t_.blue_green) {
      auto text = ReadFile(t_.dir + "/run/active-slot", FileKind::kConfig);
      active_slot =
          text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "";
      slot = active_slot == "blue" ? "green" : "blue";
      port = t_.port + (slot == "green" ? 1 : 0);
    }
    ReleaseInputs in{t_.dir, id, policy,
                     p_.image().registry_ref().empty()
                         ? p_.image().layout_ref()
                         : p_.image().registry_ref(),
                     port};
    std::string unpacked;
    in.app_users_dir = agent_.app_users_dir;
    absl::StatusOr<AppSpec> spec = SetUpRelease(in, t_, admission, &unpacked);
    if (!spec.ok()) {
      MarkReleaseFailed(t_.dir, id, std::string(spec.status().message()));
      return spec.status();
    }
    Log(absl::StrCat("release ", id, ": ", unpacked));

    AppPaths paths = PathsFor(t_.dir, slot, dso_run, agent_);
    for (const std::string& name : t_.shared) {
      paths.hand_over.push_back(t_.dir + "/shared/" + name);
    }
    if (!t_.blue_green) {
      RETURN_IF_ERROR(StopApp(paths.pidfile, kStopGrace));
      if (!previous.empty()) Log("stopped release " + previous);
      RETURN_IF_ERROR(SwitchCurrent(t_.dir, id));
    }
    absl::Status healthy = StartHealthy(*spec, paths);
    if (healthy.ok()) {
      if (t_.blue_green)
        RETURN_IF_ERROR(SwitchSlot(id, slot, active_slot, port));
      Log(absl::StrCat("current -> releases/", id, " (healthy)"));
      ASSIGN_OR_RETURN(auto removed,
                       PruneReleases(t_.dir, t_.keep, {id, previous}));
      if (!removed.empty()) {
        Log("removed old releases " + absl::StrJoin(removed, ", "));
      }
      result.set_outcome(dso::v1::SUCCEEDED);
      result.set_message(absl::StrCat("deployed ", admission.digest, " to ",
                                      t_.name, " as release ", id));
      return result;
    }
    Log("FAILED: " + std::string(healthy.message()));
    MarkReleaseFailed(t_.dir, id, std::string(healthy.message()));
    RETURN_IF_ERROR(StopApp(paths.pidfile, kStopGrace));
    out["rolled_back"] = "true";
    result.set_outcome(dso::v1::POLICY_FAILED);
    std::string first_line(
        healthy.message().substr(0, healthy.message().find('\n')));
    if (t_.blue_green) {
      Log(active_slot.empty()
              ? "nothing served before; nothing switched"
              : "the " + active_slot + " slot keeps serving; nothing switched");
      result.set_message(absl::StrCat("release ", id, " is not healthy (",
                                      first_line, "); not switched"));
      return result;
    }
    if (previous.empty()) {
      unlink((t_.dir + "/current").c_str());
      result.set_message(
          absl::StrCat("release ", id, " is not healthy (", first_line,
                       "); no previous release to roll back to"));
      return result;
    }
    RETURN_IF_ERROR(SwitchCurrent(t_.dir, previous));
    Log("rolling back: current -> releases/" + previous);
    ASSIGN_OR_RETURN(AppSpec old, ReadReleaseSpec(t_.dir, previous));
    absl::Status again = StartHealthy(old, paths);
    Log(again.ok() ? "release " + previous + " is back and healthy"
                   : "the previous release is not healthy either: " +
                         std::string(again.message()));
    result.set_message(absl::StrCat(
        "release ", id, " is not healthy (", first_line, "); rolled back to ",
        previous, again.ok() ? "" : " (which is not healthy either)"));
    return result;
  }

  // Renders the manifests, keeps them as an artifact (and in the target's
  // directory), and applies them when kubectl is there: a rollout that
  // does not become ready in time is undone.
  absl::StatusOr<dso::v1::Result> DeployKubernetes(const Admission& admission,
                                                   dso::v1::Result result) {
    if (p_.image().registry_ref().empty()) {
      return absl::InvalidArgumentError(
          "a Kubernetes target deploys from a registry (the cluster pulls the "
          "image): give --image REGISTRY/REPOSITORY:TAG");
    }
    ASSIGN_OR_RETURN(RegistryRef ref,
                     ParseRegistryRef(p_.image().registry_ref()));
    KubernetesApp app;
    app.name = t_.app.empty() ? t_.name : t_.app;
    app.namespace_ = t_.namespace_;
    app.repository = absl::StrCat(ref.registry, "/", ref.repository);
    app.digest = admission.digest;
    app.replicas = t_.replicas;
    app.port = t_.port ? t_.port : 8080;
    app.service_port = t_.service_port;
    app.env = t_.env;
    app.command = t_.command;
    app.verified = admission.verified_types;
    if (absl::StartsWith(t_.health, "http")) {
      size_t host = t_.health.find("//");
      size_t path =
          t_.health.find('/', host == std::string::npos ? 0 : host + 2);
      app.health_path =
          path == std::string::npos ? "/" : t_.health.substr(path);
    }
    std::string user =
        !t_.user.empty() ? t_.user : ImageConfigUser(admission.image);
    if (user.empty()) {
      Log("the image names no user: the pod runs as 65532");
    } else if (!NumericUser(user, &app.uid, &app.gid)) {
      return absl::InvalidArgumentError(
          "the image's user '" + user +
          "' is a name; Kubernetes needs a numeric UID (build with "
          "--user UID[:GID] or give the target a user)");
    }
    ASSIGN_OR_RETURN(std::string manifests, RenderKubernetesManifests(app));
    std::string file = context_.scratch_dir() + "/manifests.yaml";
    RETURN_IF_ERROR(WriteFileAtomically(file, manifests));
    ASSIGN_OR_RETURN(
        *result.add_artifacts(),
        context_.PutArtifact(file, "manifests.yaml", "application/yaml"));
    if (!t_.dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(t_.dir, ec);
      RETURN_IF_ERROR(WriteFileAtomically(
          absl::StrCat(t_.dir, "/", app.name, ".yaml"), manifests));
    }
    auto& out = *result.mutable_outputs();
    std::string deployment = "deployment/" + app.name;
    absl::StatusOr<std::string> found_kubectl = FindExecutable("kubectl");
    std::string kubectl =
        p_.render_only() || !found_kubectl.ok() ? "" : *found_kubectl;
    if (kubectl.empty()) {
      out["applied"] = "false";
      result.set_outcome(dso::v1::SUCCEEDED);
      result.set_message(absl::StrCat(
          "admitted ", admission.digest, "; rendered manifests.yaml for ",
          app.namespace_, "/", app.name,
          p_.render_only() ? " (not applied, as asked)"
                           : " (no kubectl here: apply them with kubectl "
                             "apply -f)"));
      return result;
    }
    auto kube = [&](std::vector<std::string> args,
                    absl::Duration timeout) -> absl::StatusOr<CommandResult> {
      args.insert(args.begin(), kubectl);
      ASSIGN_OR_RETURN(CommandResult r, RunCommand(args, timeout));
      for (absl::string_view line :
           absl::StrSplit(r.output, '\n', absl::SkipEmpty())) {
        Log("kubectl: " + std::string(line));
      }
      return r;
    };
    ASSIGN_OR_RETURN(CommandResult applied,
                     kube({"apply", "-f", file}, absl::Minutes(2)));
    if (applied.exit_code != 0) {
      return absl::UnavailableError(
          absl::StrCat("kubectl apply failed (exit ", applied.exit_code, ")"));
    }
    out["applied"] = "true";
    ASSIGN_OR_RETURN(
        CommandResult rollout,
        kube({"rollout", "status", deployment, "-n", app.namespace_,
              absl::StrCat("--timeout=", t_.health_timeout_seconds, "s")},
             absl::Seconds(t_.health_timeout_seconds + 30)));
    if (rollout.exit_code == 0) {
      result.set_outcome(dso::v1::SUCCEEDED);
      result.set_message(absl::StrCat("deployed ", admission.digest, " to ",
                                      app.namespace_, "/", app.name));
      return result;
    }
    RETURN_IF_ERROR(kube({"rollout", "undo", deployment, "-n", app.namespace_},
                         absl::Minutes(2))
                        .status());
    out["rolled_back"] = "true";
    result.set_outcome(dso::v1::POLICY_FAILED);
    result.set_message(absl::StrCat("the rollout of ", admission.digest, " to ",
                                    app.namespace_, "/", app.name,
                                    " did not become ready; undone"));
    return result;
  }

  // Blue-green: the healthy new slot takes the traffic, the old one stops.
  absl::Status SwitchSlot(const std::string& id, const std::string& slot,
                          const std::string& old_slot, int port) {
    RETURN_IF_ERROR(SwitchCurrent(t_.dir, id));
    RETURN_IF_ERROR(WriteFileAtomically(
        t_.dir + "/run/upstream", absl::StrCat("127.0.0.1:", port, "\n")));
    RETURN_IF_ERROR(
        WriteFileAtomically(t_.dir + "/run/active-slot", slot + "\n"));
    Log(absl::StrCat("traffic -> ", slot, " slot on port ", port,
                     " (run/upstream)"));
    if (!t_.switch_hook.empty()) {
      auto hook =
          RunCommand({"/bin/sh", "-c", t_.switch_hook}, absl::Seconds(60),
                     {absl::StrCat("PORT=", port), "DSO_SLOT=" + slot,
                      "DSO_RELEASE=" + id});
      if (!hook.ok() || hook->exit_code != 0) {
        Log(absl::StrCat("the switch hook failed: ",
                         hook.ok() ? hook->output : hook.status().message()));
      }
    }
    if (!old_slot.empty()) {
      RETURN_IF_ERROR(
          StopApp(PathsFor(t_.dir, old_slot, "").pidfile, kStopGrace));
      Log("stopped the " + old_slot + " slot");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<dso::v1::Result> Stop() {
    dso::v1::Result result;
    int stopped = 0;
    for (const char* slot : kSlots) {
      std::string pidfile = PathsFor(t_.dir, slot, "").pidfile;
      if (RunningApp(pidfile) == 0) continue;
      RETURN_IF_ERROR(StopApp(pidfile, kStopGrace));
      ++stopped;
    }
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(stopped ? "stopped " + t_.name
                               : t_.name + " was not running");
    return result;
  }

  absl::StatusOr<dso::v1::Result> Status() {
    dso::v1::Result result;
    ASSIGN_OR_RETURN(std::string current, CurrentRelease(t_.dir));
    ASSIGN_OR_RETURN(auto releases, ListReleases(t_.dir));
    std::vector<std::string> running;
    for (const char* slot : kSlots) {
      if (pid_t pid = RunningApp(PathsFor(t_.dir, slot, "").pidfile)) {
        running.push_back(absl::StrCat(slot, " (pid ", pid, ")"));
      }
    }
    auto& out = *result.mutable_outputs();
    out["current"] = current;
    out["releases"] = absl::StrJoin(releases, ",");
    out["running"] = absl::StrJoin(running, ",");
    for (const std::string& r : releases) {
      Log(absl::StrCat(r == current ? "* " : "  ", r));
    }
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat(
        t_.name, ": current ", current.empty() ? "(none)" : current, ", ",
        running.empty() ? "not running"
                        : "running " + absl::StrJoin(running, ", ")));
    return result;
  }

  // The systemd unit that runs the current release (on stdout).
  absl::StatusOr<dso::v1::Result> Unit() {
    ASSIGN_OR_RETURN(std::string current, CurrentRelease(t_.dir));
    if (current.empty()) {
      return absl::FailedPreconditionError(
          t_.name + " has no current release: deploy first");
    }
    ASSIGN_OR_RETURN(AppSpec spec, ReadReleaseSpec(t_.dir, current));
    ASSIGN_OR_RETURN(std::string dso_run, FindDsoRun());
    context_.Log(dso::v1::LogLine::STDOUT,
                 RenderSystemdUnit(t_.dir, ReleasePath(t_.dir, current), spec,
                                   dso_run, agent_.protect));
    dso::v1::Result result;
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat("systemd unit for ", t_.name,
                                    " (install as /etc/systemd/system/dso-",
                                    t_.name, ".service)"));
    return result;
  }

  absl::StatusOr<dso::v1::Result> Events() {
    size_t limit = p_.events_limit() ? p_.events_limit() : 50;
    ASSIGN_OR_RETURN(auto lines,
                     ReadRaspEvents(t_.dir + "/events.jsonl", limit));
    std::string file = context_.scratch_dir() + "/rasp-events.jsonl";
    std::string text;
    int blocked = 0;
    for (const std::string& line : lines) {
      context_.Log(dso::v1::LogLine::STDOUT, DescribeRaspEvent(line) + "\n");
      absl::StrAppend(&text, line, "\n");
      blocked += line.find("\"decision\":\"blocked\"") != std::string::npos;
    }
    RETURN_IF_ERROR(WriteFileAtomically(file, text));
    dso::v1::Result result;
    ASSIGN_OR_RETURN(
        *result.add_artifacts(),
        context_.PutArtifact(file, "rasp-events.jsonl", "application/jsonl"));
    (*result.mutable_outputs())["events"] = absl::StrCat(lines.size());
    (*result.mutable_outputs())["blocked"] = absl::StrCat(blocked);
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat(lines.size(), " RASP event(s) of ", t_.name,
                                    ", ", blocked, " blocked"));
    return result;
  }

 private:
  const dso::v1::DeployParams& p_;
  DeployTarget t_;
  const DeployAgentSide& agent_;
  StepContext& context_;
};

}  // namespace

absl::Status DeployStep::Validate(
    const dso::v1::RunStepRequest& request) const {
  const auto& p = request.deploy();
  const std::string& action = p.action();
  if (!action.empty() && action != "deploy" && action != "stop" &&
      action != "events" && action != "status" && action != "unit") {
    return absl::InvalidArgumentError(
        "deploy.action must be deploy, stop, events, status or unit, not " +
        action);
  }
  if (p.target().empty()) {
    return absl::InvalidArgumentError(
        "deploy needs a target (a name from the agent's config, or "
        "host://DIR)");
  }
  RETURN_IF_ERROR(ResolveDeployTarget(p, targets_).status());
  if (action.empty() || action == "deploy") {
    bool layout =
        p.image().layout().source_case() != dso::v1::Input::SOURCE_NOT_SET;
    if (layout == !p.image().registry_ref().empty()) {
      return absl::InvalidArgumentError(
          "deploy needs an image (a layout or a registry reference)");
    }
    if (!p.pinned_digest().empty()) {
      RETURN_IF_ERROR(ParseSha256Digest(p.pinned_digest()).status());
    }
  }
  return absl::OkStatus();
}

std::string DeployStep::Describe(const dso::v1::RunStepRequest& request) const {
  const auto& d = request.deploy();
  std::string action = d.action().empty() ? "deploy" : d.action();
  const auto& image = d.image();
  std::string what =
      !image.registry_ref().empty() ? image.registry_ref() : image.layout_ref();
  return absl::StrCat("deploy: ", action, " ", what, what.empty() ? "" : " ",
                      "-> ", d.target());
}

dso::v1::Result DeployStep::Run(const dso::v1::RunStepRequest& request,
                                StepContext& context) const {
  const auto& p = request.deploy();
  absl::StatusOr<DeployTarget> target = ResolveDeployTarget(p, targets_);
  if (!target.ok()) return ErrorResult(target.status());
  if (target->kind == DeployTarget::Kind::kKubernetes && !p.action().empty() &&
      p.action() != "deploy") {
    return ErrorResult(absl::InvalidArgumentError(
        "deploy " + p.action() +
        " is for host targets; for Kubernetes use kubectl (scale, get, "
        "logs)"));
  }
  Deployment d(p, *std::move(target), agent_, context);
  const std::string& action = p.action();
  absl::StatusOr<dso::v1::Result> r = action == "stop"     ? d.Stop()
                                      : action == "events" ? d.Events()
                                      : action == "status" ? d.Status()
                                      : action == "unit"   ? d.Unit()
                                                           : d.Deploy(request);
  return r.ok() ? *std::move(r) : ErrorResult(r.status());
}

}  // namespace dso
