// dsoctl keys generate, sign and verify. Keys are generated here, never on
// an agent. Signing and verification run as the "sign" and "verify" steps,
// through the agent or embedded: a key file is read here and its text sent
// as a secret of the run (never stored or logged by the agent), with the
// password and the registry, Vault and AWS credentials from this
// environment. A layout the agent could not change in place comes back as
// an update applied here.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/image_args.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/attest/image_signing.h"
#include "stages/attest/keys/file_key.h"
#include "stages/attest/keys/key_ref.h"
#include "stages/attest/provenance.h"
#include "stages/core/atomic_file.h"
#include "stages/core/status_macros.h"
#include "stages/sign/image_location.h"
#include "stages/sign/sign_step.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// Brings a layout update back into the local layout.
absl::Status ApplyUpdate(AgentConnection& conn, const FollowResult& run,
                         const std::string& dir) {
  for (const auto& a : run.artifacts) {
    if (a.name() != kLayoutUpdateArtifact) continue;
    std::string scratch = fs::temp_directory_path().string() + "/dsoctl-sign-" +
                          std::to_string(getpid());
    std::error_code ec;
    fs::create_directories(scratch, ec);
    absl::Status s =
        DownloadBlob(conn, a.digest(), scratch + "/update.tar").status();
    if (s.ok()) s = ApplyLayoutUpdate(scratch + "/update.tar", dir, scratch);
    fs::remove_all(scratch, ec);
    return s;
  }
  return absl::OkStatus();
}

// sign --blob: the signature comes back as an output, written here.
int SignBlob(const GlobalOptions& g, AgentConnection& conn,
             const SignCommandOptions& o, dso::v1::RunStepRequest req,
             absl::Time start) {
  if (!o.attest.empty() || o.provenance || o.no_signature) {
    return Fail(
        g, "sign",
        absl::InvalidArgumentError("--blob is only signed; attestations need "
                                   "--image"));
  }
  auto blob = PrepareFileInput(conn, "--blob", o.blob);
  if (!blob.ok()) return Fail(g, "sign", blob.status());
  *req.mutable_sign()->mutable_blob() = *std::move(blob);
  auto run = RunAndFollow(conn, req);
  if (run.ok() && run->result.outcome() == dso::v1::SUCCEEDED) {
    std::string sig = run->result.outputs().at("signature");
    if (o.signature_out.empty()) {
      std::cout << sig << "\n";
    } else if (absl::Status s = WriteFileAtomically(o.signature_out, sig);
               !s.ok()) {
      return Fail(g, "sign", s);
    }
  }
  return FinishRun(g, conn, "sign", start, std::move(run));
}

int CmdKeysGenerate(const GlobalOptions& g, const std::string& prefix) {
  const char* password = std::getenv("DSO_KEY_PASSWORD");
  if (password == nullptr) password = std::getenv("COSIGN_PASSWORD");
  if (password == nullptr) {
    return Fail(g, "keys",
                absl::InvalidArgumentError(
                    "set DSO_KEY_PASSWORD to the password for the new key "
                    "(it may be empty, which leaves the key unprotected)"));
  }
  std::string key = prefix + ".key", pub = prefix + ".pub";
  std::error_code ec;
  for (const std::string& path : {key, pub}) {
    if (fs::exists(path, ec)) {
      return Fail(g, "keys",
                  absl::AlreadyExistsError(absl::StrCat(
                      "'", path, "' exists; not overwriting a key")));
    }
  }
  auto pair = GenerateKeyPair(password);
  if (!pair.ok()) return Fail(g, "keys", pair.status());
  mode_t old = umask(077);
  absl::Status s = WriteFileAtomically(key, pair->private_pem);
  umask(old);
  if (s.ok()) s = WriteFileAtomically(pub, pair->public_pem);
  if (!s.ok()) return Fail(g, "keys", s);
  std::cerr << "[dso] private key written to " << key
            << " (encrypted, cosign format)\n[dso] public key written to "
            << pub << "\n";
  return DataSummary(
      g, "keys",
      {{"private_key", key}, {"public_key", pub}, {"type", "ECDSA P-256"}});
}

int CmdKeysPublic(const GlobalOptions& g, const std::string& keyref,
                  const std::string& out) {
  auto key = OpenPublicKey(keyref, EnvSecret);
  if (!key.ok()) return Fail(g, "keys", key.status());
  if (out.empty()) {
    std::cout << key->pem();
  } else if (absl::Status s = WriteFileAtomically(out, key->pem()); !s.ok()) {
    return Fail(g, "keys", s);
  }
  return DataSummary(
      g, "keys",
      {{"public_key", out.empty() ? "-" : out}, {"type", key->Describe()}});
}

int CmdSign(const GlobalOptions& g, const SignCommandOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("sign", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_sign();
  p->set_key(o.key);
  p->set_skip_signature(o.no_signature);
  p->set_provenance(o.provenance);
  if (o.provenance) {
    for (const char* name : kProvenanceContextNames) {
      const char* v = std::getenv(name);
      if (v != nullptr && *v != '\0') (*p->mutable_context())[name] = v;
    }
  }
  if (o.types.size() > 1 && o.types.size() != o.attest.size()) {
    return Fail(g, "sign",
                absl::InvalidArgumentError(
                    "give one --type for all --attest files, or one each"));
  }
  for (const std::string& a : o.annotations) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(g, "sign",
                  absl::InvalidArgumentError(
                      absl::StrCat("--annotation '", a, "' is not KEY=VALUE")));
    }
    (*p->mutable_annotations())[a.substr(0, eq)] = a.substr(eq + 1);
  }
  auto public_pem = AddKeySecrets("--key", o.key, &req);
  if (!public_pem.ok()) return Fail(g, "sign", public_pem.status());
  if (!public_pem->empty()) {
    return Fail(g, "sign",
                absl::InvalidArgumentError(
                    absl::StrCat("--key '", o.key,
                                 "' is a public key; signing needs the private "
                                 "key")));
  }
  if (o.image.empty() == o.blob.empty()) {
    return Fail(
        g, "sign",
        absl::InvalidArgumentError("give --image or --blob (one of them)"));
  }
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "sign", conn.status());
  if (!o.blob.empty()) return SignBlob(g, **conn, o, std::move(req), start);
  auto layout = SetImageLocation(**conn, o.image, p->mutable_image());
  if (!layout.ok()) return Fail(g, "sign", layout.status());
  for (size_t i = 0; i < o.attest.size(); ++i) {
    auto input = PrepareFileInput(**conn, "--attest", o.attest[i]);
    if (!input.ok()) return Fail(g, "sign", input.status());
    auto* d = p->add_attestations();
    *d->mutable_file() = *std::move(input);
    d->set_name(o.attest[i]);
    if (!o.types.empty()) d->set_type(o.types[o.types.size() == 1 ? 0 : i]);
  }
  auto run = RunAndFollow(**conn, req);
  if (run.ok() && run->result.outcome() == dso::v1::SUCCEEDED) {
    if (absl::Status s = ApplyUpdate(**conn, *run, *layout); !s.ok()) {
      return Fail(g, "sign", s);
    }
  }
  return FinishRun(g, **conn, "sign", start, std::move(run));
}

int CmdVerify(const GlobalOptions& g, const VerifyCommandOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("verify", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_verify();
  p->set_key(o.key);
  for (const std::string& t : o.require) p->add_require(t);
  for (const std::string& gate : o.require_gate) p->add_require_gate(gate);
  p->set_pinned_digest(o.digest);
  auto public_pem = AddKeySecrets("--key", o.key, &req);
  if (!public_pem.ok()) return Fail(g, "verify", public_pem.status());
  p->set_public_key_pem(*public_pem);
  OutputPlan wanted = OutputPaths(
      g.json_path, {{kVerifiedSignaturesArtifact, o.signatures_out},
                    {kVerifiedAttestationsArtifact, o.attestations_out}});
  if (o.image.empty() == o.blob.empty()) {
    return Fail(
        g, "verify",
        absl::InvalidArgumentError("give --image or --blob (one of them)"));
  }
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "verify", conn.status());
  if (!o.blob.empty()) {
    auto blob = PrepareFileInput(**conn, "--blob", o.blob);
    if (!blob.ok()) return Fail(g, "verify", blob.status());
    *p->mutable_blob() = *std::move(blob);
    std::string sig = o.signature;
    std::error_code ec;
    if (fs::is_regular_file(sig, ec)) {
      auto text = ReadOptionFile("--signature", sig);
      if (!text.ok()) return Fail(g, "verify", text.status());
      sig = std::string(absl::StripAsciiWhitespace(*text));
    }
    if (sig.empty()) {
      return Fail(
          g, "verify",
          absl::InvalidArgumentError("--blob needs --signature (base64 or a "
                                     "file holding it)"));
    }
    p->set_blob_signature(sig);
  } else if (auto layout =
                 SetImageLocation(**conn, o.image, p->mutable_image());
             !layout.ok()) {
    return Fail(g, "verify", layout.status());
  }
  return RunAndFinish(g, **conn, "verify", start, req, wanted);
}

}  // namespace

std::unique_ptr<Command> NewKeysCommand() {
  struct Keys final : Command {
    std::string prefix, keyref, out;
    CLI::App *generate = nullptr, *public_key = nullptr;
    void AddTo(CLI::App& app) override {
      auto* keys = app.add_subcommand("keys", "signing keys");
      keys->require_subcommand(1);
      generate = keys->add_subcommand(
          "generate",
          "write PREFIX.key (cosign's encrypted format, password from "
          "DSO_KEY_PASSWORD) and PREFIX.pub");
      generate->add_option("--out", prefix, "PREFIX of the two files")
          ->required();
      public_key = keys->add_subcommand(
          "public-key", "print the public key of a KEYREF (PEM)");
      public_key->add_option("--key", keyref, "KEYREF")
          ->envname("DSO_KEY")
          ->required();
      public_key->add_option("--out", out, "write it to FILE");
    }
    std::optional<int> RunIfChosen(const GlobalOptions& g) override {
      if (generate->parsed()) return CmdKeysGenerate(g, prefix);
      if (public_key->parsed()) return CmdKeysPublic(g, keyref, out);
      return std::nullopt;
    }
  };
  return std::make_unique<Keys>();
}

std::unique_ptr<Command> NewSignCommand() {
  auto o = std::make_shared<SignCommandOptions>();
  return SimpleCommand(
      [o](CLI::App& app) {
        auto* sign = app.add_subcommand(
            "sign", "sign an image and attest documents (cosign-compatible)");
        sign->add_option("--image", o->image,
                         "OCI layout dir (DIR:TAG for one of several) or "
                         "REGISTRY/REPO:TAG");
        sign->add_option("--blob", o->blob,
                         "a file to sign as cosign sign-blob does, instead of "
                         "an image");
        sign->add_option("--output-signature", o->signature_out,
                         "--blob: write the base64 signature here (default: "
                         "stdout)");
        sign->add_option("--key", o->key,
                         "file://PATH (or PATH), hashivault://NAME, "
                         "awskms://[ENDPOINT/]ID (default: $DSO_KEY)")
            ->envname("DSO_KEY")
            ->required();
        sign->add_option("--attest", o->attest,
                         "a predicate or in-toto statement JSON to attest "
                         "(repeat)");
        sign->add_option("--type", o->types,
                         "predicate type of --attest: a URI or gate, scan, "
                         "sbom, provenance, cyclonedx, spdxjson, vuln, custom");
        sign->add_option("--annotation", o->annotations,
                         "KEY=VALUE into the signature payload (repeat)");
        sign->add_flag("--provenance", o->provenance,
                       "also attest SLSA provenance v1 (builder, source "
                       "revision, base image digest) from this environment");
        sign->add_flag("--no-signature", o->no_signature,
                       "only attest, do not sign the image");
        AddRunFlags(sign, &o->deadline_seconds, &o->idempotency_key);
        return sign;
      },
      [o](const GlobalOptions& g) { return CmdSign(g, *o); });
}

std::unique_ptr<Command> NewVerifyCommand() {
  auto o = std::make_shared<VerifyCommandOptions>();
  return SimpleCommand(
      [o](CLI::App& app) {
        auto* verify = app.add_subcommand(
            "verify", "verify an image's signatures and attestations");
        verify->add_option("--image", o->image,
                           "OCI layout dir (DIR:TAG) or "
                           "REGISTRY/REPO:TAG|@DIGEST");
        verify->add_option("--blob", o->blob,
                           "a file to verify as cosign verify-blob does");
        verify->add_option("--signature", o->signature,
                           "--blob: its base64 signature, or a file holding "
                           "it");
        verify
            ->add_option("--key", o->key,
                         "public key file, or any KEYREF sign accepts")
            ->envname("DSO_KEY")
            ->required();
        verify->add_option("--require", o->require,
                           "an attestation type that must be present and "
                           "valid (repeat)");
        verify->add_option("--require-gate", o->require_gate,
                           "STAGE:LEVEL: a verified gate decision that passed "
                           "at that stage for that level or above (repeat)");
        verify->add_option("--digest", o->digest,
                           "sha256:... the image must still be (a moved tag "
                           "fails)");
        verify->add_option("--output-signatures", o->signatures_out,
                           "write the verified payloads (as cosign verify "
                           "prints)");
        verify->add_option("--output-attestations", o->attestations_out,
                           "write the verified envelopes (as cosign "
                           "verify-attestation prints)");
        AddRunFlags(verify, &o->deadline_seconds, &o->idempotency_key);
        return verify;
      },
      [o](const GlobalOptions& g) { return CmdVerify(g, *o); });
}

void AddSignCommands(Commands& all) {
  all.push_back(NewKeysCommand());
  all.push_back(NewSignCommand());
  all.push_back(NewVerifyCommand());
}

}  // namespace dso
