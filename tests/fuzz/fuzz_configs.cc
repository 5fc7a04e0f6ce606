// YAML the agent and its steps are configured with: RASP policies, store
// allowlists, sidecar digests, image references.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stages/oci/registry.h"
#include "stages/rasp/policy.h"
#include "stages/store/object_store_impl.h"
#include "stages/store/store_allowlist.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseRaspPolicy(text, "policy.yaml", "/var/empty");
  (void)dso::ParseStoreAllowlist(text, "stores.yaml");
  (void)dso::ParseSidecar(text, "file:///x.sha256");
  (void)dso::ParseRegistryRef(text);
  return 0;
}
