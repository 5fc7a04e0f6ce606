// dsoctl store put|get. Without a URL (or with agent: / a bare digest) the
// file goes into or comes out of the agent's own content-addressed store;
// with a URL the "store" step moves it to or from a remote store, through
// the agent or embedded, and a fetched object or image is written here
// only once verified.
#include <filesystem>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/store/store_step.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

bool IsAgentStore(const std::string& url) {
  return url.empty() || url == "agent:" || url == "agent://";
}

dso::v1::RunStepRequest StoreRequest(const StoreCommandOptions& o,
                                     const char* op, const std::string& url) {
  dso::v1::RunStepRequest req =
      NewRunRequest("store", o.idempotency_key, o.deadline_seconds);
  CopyEnvSecrets(
      {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
       "AWS_REGION", "AWS_DEFAULT_REGION", "DSO_S3_ENDPOINT",
       "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "DSO_STORE_USERNAME",
       "DSO_STORE_PASSWORD", "DSO_REGISTRY_USERNAME", "DSO_REGISTRY_PASSWORD",
       "DSO_REGISTRY_PLAIN_HTTP"},
      &req);
  auto* p = req.mutable_store();
  p->set_op(op);
  p->set_url(url);
  for (const auto& h : o.insecure_registries) p->add_insecure_registries(h);
  return req;
}

int PutToAgent(const GlobalOptions& g, const std::string& src) {
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "store", conn.status());
  auto info = UploadFile(**conn, src);
  if (!info.ok()) return Fail(g, "store", info.status());
  printf("%s %llu\n", info->digest.c_str(),
         static_cast<unsigned long long>(info->size));
  return DataSummary(g, "store",
                     {{"digest", info->digest}, {"size", info->size}});
}

int GetFromAgent(const GlobalOptions& g, std::string digest,
                 const std::string& dest) {
  if (absl::StartsWith(digest, "agent:")) digest = digest.substr(6);
  if (absl::StartsWith(digest, "//")) digest = digest.substr(2);
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "store", conn.status());
  auto info = DownloadBlob(**conn, digest, dest);
  if (!info.ok()) return Fail(g, "store", info.status());
  std::cerr << "[dso] " << dest << ": " << info->size
            << " bytes, digest verified\n";
  return DataSummary(
      g, "store",
      {{"digest", info->digest}, {"size", info->size}, {"path", dest}});
}

int CmdStorePut(const GlobalOptions& g, const StoreCommandOptions& o) {
  if (IsAgentStore(o.dest)) return PutToAgent(g, o.src);
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req = StoreRequest(o, "put", o.dest);
  auto* p = req.mutable_store();
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "store", conn.status());
  if (absl::StartsWith(o.dest, "oci://")) {
    auto image = PrepareImageArg(**conn, "SRC", o.src);
    if (!image.ok()) return Fail(g, "store", image.status());
    if (!image->registry_ref.empty()) {
      return Fail(
          g, "store",
          absl::InvalidArgumentError(absl::StrCat(
              "SRC '", o.src, "' is not an OCI layout directory here")));
    }
    *p->mutable_source() = std::move(image->local);
    p->set_layout_ref(image->local_ref);
  } else {
    auto input = PrepareFileInput(**conn, "SRC", o.src);
    if (!input.ok()) return Fail(g, "store", input.status());
    *p->mutable_source() = *std::move(input);
    p->set_source_name(o.src);
  }
  auto run = RunAndFollow(**conn, req);
  return FinishRun(g, **conn, "store", start, std::move(run));
}

int CmdStoreGet(const GlobalOptions& g, const StoreCommandOptions& o) {
  if (!absl::StrContains(o.src, "://")) return GetFromAgent(g, o.src, o.dest);
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req = StoreRequest(o, "get", o.src);
  auto* p = req.mutable_store();
  p->set_expected_digest(o.digest);
  bool image = absl::StartsWith(o.src, "oci://");
  if (image) {
    if (absl::Status s = CheckLayoutDest("DEST", o.dest); !s.ok()) {
      return Fail(g, "store", s);
    }
  }
  if (!o.allowlist.empty()) {
    auto text = ReadOptionFile("--allowlist", o.allowlist);
    if (!text.ok()) return Fail(g, "store", text.status());
    p->set_allowlist_yaml(*text);
    p->set_allowlist_name(o.allowlist);
  }
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "store", conn.status());
  // The object, or the image with its signatures, verified on the way.
  OutputPlan plan = {{image ? kStoredImageArtifact : kStoredObjectArtifact,
                      Output{o.dest, /*layout=*/image}}};
  return RunAndFinish(g, **conn, "store", start, req, plan);
}

}  // namespace

std::unique_ptr<Command> NewStoreCommand() {
  struct Store final : Command {
    StoreCommandOptions o;
    CLI::App *put = nullptr, *get = nullptr;
    void AddTo(CLI::App& app) override {
      auto* store = app.add_subcommand(
          "store", "store and load artifacts and images (verified by digest)");
      store->require_subcommand(1);
      put = store->add_subcommand(
          "put",
          "put SRC [DEST_URL]: a file to file:///DIR, s3://BUCKET/KEY, "
          "nexus+https://HOST/repository/REPO/PATH or ftp://HOST/PATH; an "
          "OCI layout with its signatures to oci://HOST/REPO:TAG; no URL: "
          "the agent's store");
      put->add_option("src", o.src, "file, or OCI layout dir[:TAG]")
          ->required();
      put->add_option("dest", o.dest, "destination URL");
      get = store->add_subcommand(
          "get",
          "get SRC DEST: an object (URL, or the agent's sha256:<hex>) into "
          "the file DEST, or an image (oci://...) into the layout dir DEST");
      get->add_option("src", o.src, "URL or sha256:<hex>")->required();
      get->add_option("dest", o.dest, "file or layout dir to write")
          ->required();
      get->add_option("--digest", o.digest,
                      "sha256:... the object must have (else the digest "
                      "recorded when it was stored)");
      get->add_option("--allowlist", o.allowlist,
                      "YAML of the stores and artifacts loading may use");
      for (auto* sub : {put, get}) {
        sub->add_option("--insecure-registry", o.insecure_registries,
                        "oci://: speak plain HTTP to this HOST[:PORT] "
                        "(loopback registries always are)");
        AddRunFlags(sub, &o.deadline_seconds, &o.idempotency_key);
      }
    }
    std::optional<int> RunIfChosen(const GlobalOptions& g) override {
      if (put->parsed()) return CmdStorePut(g, o);
      if (get->parsed()) return CmdStoreGet(g, o);
      return std::nullopt;
    }
  };
  return std::make_unique<Store>();
}

void AddStoreCommands(Commands& all) { all.push_back(NewStoreCommand()); }

}  // namespace dso
