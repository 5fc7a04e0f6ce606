// Signing and verification in process, without registry I/O or process
// start: opening a key (plain PKCS #8, and cosign's encrypted format, whose
// scrypt is the cost), signing an image in a fresh OCI layout, verifying
// it. Prints one line per measurement (median of the runs, in ms).
//   dso_sign_bench DIR [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/attest/image_signing.h"
#include "stages/attest/keys/file_key.h"
#include "stages/oci/image_repo.h"
#include "stages/oci/oci_layout.h"

namespace {

using json = nlohmann::json;

double MedianMs(int runs, const std::function<void()>& setup,
                const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    setup();
    auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void WriteImage(const std::string& dir) {
  std::filesystem::remove_all(dir);
  auto w = dso::OciLayoutWriter::Create(dir);
  auto layer = w->PutBytes(std::string(1 << 20, 'x'), dso::kOciLayerTarType);
  std::string config =
      json{{"architecture", "amd64"},
           {"os", "linux"},
           {"rootfs", {{"type", "layers"}, {"diff_ids", {layer->digest}}}}}
          .dump();
  auto c = w->PutBytes(config, dso::kOciConfigType);
  std::string manifest = json{{"schemaVersion", 2},
                              {"mediaType", dso::kOciManifestType},
                              {"config",
                               {{"mediaType", dso::kOciConfigType},
                                {"digest", c->digest},
                                {"size", c->size}}},
                              {"layers",
                               {{{"mediaType", dso::kOciLayerTarType},
                                 {"digest", layer->digest},
                                 {"size", layer->size}}}}}
                             .dump();
  auto m = w->PutBytes(manifest, dso::kOciManifestType);
  (void)w->WriteIndex(*m, "app:1");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [RUNS]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  int runs = argc > 2 ? std::atoi(argv[2]) : 31;
  auto pair = dso::GenerateKeyPair("bench-password");
  if (!pair.ok()) return 1;
  std::unique_ptr<dso::Signer> signer;
  double open_encrypted = MedianMs(
      std::max(3, runs / 10), [] {},
      [&] {
        signer = *dso::LoadPrivateKey(pair->private_pem, "bench-password",
                                      "bench.key");
      });
  std::string image = dir + "/image";
  double sign = MedianMs(
      runs, [&] { WriteImage(image); },
      [&] {
        auto repo = dso::OpenLayoutRepo(image);
        if (!dso::SignImage(**repo, *signer).ok()) std::abort();
      });
  double verify = MedianMs(
      runs, [] {},
      [&] {
        auto repo = dso::OpenLayoutRepo(image);
        auto r = dso::VerifyImage(**repo, signer->public_key(), {});
        if (!r.ok() || !r->ok) std::abort();
      });
  double attest = MedianMs(
      runs, [&] { WriteImage(image); },
      [&] {
        auto repo = dso::OpenLayoutRepo(image);
        if (!dso::AttestImage(**repo, *signer, R"({"passed":true})",
                              "https://dso.dev/attestations/gate/v1")
                 .ok()) {
          std::abort();
        }
      });
  printf("open cosign-encrypted key (scrypt N=65536): %.2f ms\n",
         open_encrypted);
  printf("sign image in a layout: %.2f ms\n", sign);
  printf("attest image in a layout: %.2f ms\n", attest);
  printf("verify image in a layout: %.2f ms\n", verify);
  std::filesystem::remove_all(image);
  return 0;
}
