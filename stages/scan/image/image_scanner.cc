#include "stages/scan/image/image_scanner.h"

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "stages/scan/deps/go_buildinfo.h"
#include "stages/scan/deps/inventory.h"
#include "stages/scan/deps/lockfile_stream.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kElf = "\177ELF";

// What one layer yields.
struct LayerOutput {
  std::vector<LayerEntryInfo> entries;
  std::vector<LayerProblem> problems;
  SecretScanResult secrets;
  std::vector<std::string> extracted;  // inventory files, by image path
  std::vector<std::pair<std::string, uint64_t>> oversized;  // and sizes
  std::vector<std::pair<std::string, Inventory>> go_programs;
  std::vector<std::string> warnings;
  absl::Status status;
  uint64_t files = 0, bytes = 0;
};

// The largest inventory file at `path` the scan takes out of a layer.
uint64_t InventoryCap(const ImageScanOptions& options,
                      const std::string& path) {
  return StreamingReaderFor(fs::path(path).filename().string())
             ? options.max_streamed_inventory_file
             : options.max_inventory_file;
}

// A reader over a string, for scanning text held in memory.
SecretReadFn StringReader(const std::string& text) {
  return [&text, pos = size_t{0}](char* buf, size_t n,
                                  std::string*) mutable -> ssize_t {
    size_t take = std::min(n, text.size() - pos);
    memcpy(buf, text.data() + pos, take);
    pos += take;
    return static_cast<ssize_t>(take);
  };
}

void ReadOneLayer(const BlobRef& layer, size_t index,
                  const ImageScanOptions& options, LayerOutput* out,
                  std::atomic<uint64_t>* bytes_seen) {
  std::optional<SecretScanner::Sequence> seq;
  if (options.secrets) seq.emplace(*options.secrets);
  const std::string dir = absl::StrCat(options.scratch, "/layers/", index, "/");
  std::vector<char> buf(1 << 16);
  auto visit = [&](const LayerEntryInfo& e,
                   const LayerDataFn& data) -> absl::Status {
    if (options.cancelled && options.cancelled()) {
      return absl::CancelledError("the scan was cancelled");
    }
    out->entries.push_back(e);
    if (e.type != LayerEntryInfo::Type::kFile || e.size == 0 ||
        IsWhiteout(e.path)) {
      return absl::OkStatus();
    }
    ++out->files;
    std::ofstream keep;
    if (IsInventoryFile(e.path) && e.size > InventoryCap(options, e.path)) {
      out->oversized.emplace_back(e.path, e.size);
    } else if (IsInventoryFile(e.path)) {
      std::error_code ec;
      fs::create_directories(fs::path(dir + e.path).parent_path(), ec);
      if (!ec) keep.open(dir + e.path, std::ios::binary | std::ios::trunc);
      if (keep) out->extracted.push_back(e.path);
    }
    uint64_t got = 0;
    bool elf = false;
    GoBuildInfoFinder go;
    SecretReadFn read = [&](char* b, size_t n, std::string* error) {
      ssize_t r = data(b, n, error);
      if (r > 0) {
        if (got == 0) elf = absl::StartsWith(absl::string_view(b, r), kElf);
        got += static_cast<uint64_t>(r);
        if (keep) keep.write(b, r);
        if (elf && !go.done()) go.Feed(absl::string_view(b, r));
      }
      return r;
    };
    if (seq) seq->Scan(read, e.path, e.size);
    // The secrets engine stops early on binary files; a kept file is read
    // to its end, a program until its Go build information (if any).
    std::string error;
    while ((keep || got == 0 || (elf && !go.done())) &&
           read(buf.data(), buf.size(), &error) > 0) {
    }
    if (go.found()) {
      Inventory modules;
      absl::Status s = ParseGoBuildInfo(go.data(), e.path, &modules);
      if (s.ok()) {
        out->go_programs.emplace_back(e.path, std::move(modules));
      } else {
        out->warnings.push_back(std::string(s.message()));
      }
    }
    out->bytes += got;
    bytes_seen->fetch_add(got, std::memory_order_relaxed);
    return absl::OkStatus();
  };
  out->status = ReadLayer(layer.path, layer.digest, options.limits, visit,
                          &out->problems, layer.digest);
  if (seq) out->secrets = seq->Finish();
}

}  // namespace

bool IsInventoryFile(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  return ParserFor(name) != nullptr || OsDatabaseAt(path).parser != nullptr ||
         InstalledParserFor(path) != nullptr ||
         (name == "os-release" &&
          (path == "etc/os-release" || path == "usr/lib/os-release"));
}

absl::StatusOr<ImageScanResult> ScanImageLayers(
    const BaseImage& image, const ImageScanOptions& options) {
  const size_t n = image.layers.size();
  std::vector<LayerOutput> outputs(n);
  std::atomic<size_t> next{0}, done{0};
  std::atomic<uint64_t> bytes{0};
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n)));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;) {
        ReadOneLayer(image.layers[i], i, options, &outputs[i], &bytes);
        done.fetch_add(1);
      }
    });
  }
  if (options.progress) {
    while (done.load() < n) {
      absl::SleepFor(absl::Milliseconds(250));
      options.progress({done.load(), n, 0, bytes.load()});
    }
  }
  for (auto& t : pool) t.join();

  ImageScanResult result;
  for (size_t i = 0; i < n; ++i) {
    if (!outputs[i].status.ok()) return outputs[i].status;
    result.layer_digests.push_back(image.layers[i].digest);
    result.view.ApplyLayer(i, outputs[i].entries);
    outputs[i].entries.clear();
    result.problems.push_back(std::move(outputs[i].problems));
    result.secrets.push_back(std::move(outputs[i].secrets));
    result.files += outputs[i].files;
    result.bytes += outputs[i].bytes;
    for (auto& w : outputs[i].warnings) result.warnings.push_back(std::move(w));
  }
  for (size_t i = 0; i < n; ++i) {
    for (auto& [path, modules] : outputs[i].go_programs) {
      const ImageFileView::Node* node = result.view.Find(path);
      if (!node || node->layer != i) continue;  // replaced or deleted later
      for (auto& p : modules.packages) {
        result.go_programs.packages.push_back(std::move(p));
      }
    }
  }
  // The inventory files the final view shows, from the layer it shows.
  result.rootfs = options.scratch + "/rootfs";
  std::error_code ec;
  fs::create_directories(result.rootfs, ec);
  for (size_t i = 0; i < n; ++i) {
    for (const auto& [path, size] : outputs[i].oversized) {
      const ImageFileView::Node* node = result.view.Find(path);
      if (!node || node->layer != i) continue;
      result.unread_inventory.push_back(
          LockfileTooLarge(path, size, InventoryCap(options, path)));
    }
    for (const std::string& path : outputs[i].extracted) {
      const ImageFileView::Node* node = result.view.Find(path);
      if (!node || node->layer != i) continue;
      fs::path dest = fs::path(result.rootfs) / path;
      fs::create_directories(dest.parent_path(), ec);
      fs::rename(absl::StrCat(options.scratch, "/layers/", i, "/", path), dest,
                 ec);
      if (ec) {
        result.warnings.push_back(absl::StrCat(
            path, ": cannot be laid out for the inventory: ", ec.message()));
      }
    }
  }
  fs::remove_all(options.scratch + "/layers", ec);

  if (options.secrets) {
    auto config = nlohmann::json::parse(image.config_json, nullptr, false);
    std::string env;
    if (config.is_object()) {
      for (const auto& e :
           config.value(nlohmann::json::json_pointer("/config/Env"),
                        nlohmann::json::array())) {
        if (e.is_string()) absl::StrAppend(&env, e.get<std::string>(), "\n");
      }
    }
    SecretScanner::Sequence seq(*options.secrets);
    if (!env.empty()) seq.Scan(StringReader(env), "config:Env", env.size());
    result.config_secrets = seq.Finish();
  }
  return result;
}

}  // namespace dso
