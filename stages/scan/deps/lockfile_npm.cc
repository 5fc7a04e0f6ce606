// npm packages from package-lock.json / npm-shrinkwrap.json: the
// `packages` map of lockfile versions 2 and 3, else version 1's nested
// `dependencies`; and from bun.lock (JSON with trailing commas: `packages`,
// each ["name@version", ...]). Links and non-registry versions (git, file,
// URLs) are noted, not matched; aliases are matched as the package they
// install; workspaces are the project's own.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/internal/json_stream.h"
#include "stages/scan/deps/internal/unique_packages.h"
#include "stages/scan/deps/lockfile_stream.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using Json = nlohmann::json;

// package-lock.json as JSON events: only the members that name packages
// are kept, each entry's until it ends.
class PackageLockReader : public LockfileReader, JsonHandler {
 public:
  PackageLockReader(const std::string& file, Inventory* out)
      : file_(file),
        out_(out),
        packages_(out),
        v1_packages_(&v1_),
        json_(this, file, 128) {}

  absl::StatusOr<size_t> Consume(absl::string_view data, bool last) override {
    absl::StatusOr<size_t> used = json_.Consume(data, last);
    if (used.ok() && !failed_.ok()) return failed_;
    if (!used.ok() || !last) return used;
    if (!root_is_object_) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ": not an object"));
    }
    if (!saw_packages_) {  // version 1: its nested `dependencies`
      for (Package& p : v1_.packages) out_->packages.push_back(std::move(p));
      for (std::string& n : v1_.notes) out_->Note(std::move(n));
      for (SourcedPackage& s : v1_.sourced)
        out_->sourced.push_back(std::move(s));
      out_->notes_dropped += v1_.notes_dropped;
    }
    return used;
  }

 private:
  // What a container holds: the document, `packages` (versions 2 and 3)
  // and an entry of it, version 1's `dependencies` (at the top and in its
  // entries) and an entry of one; anything else.
  enum class Role : uint8_t {
    kRoot,
    kPackages,
    kEntry,
    kV1Map,
    kV1Entry,
    kOther
  };
  struct Frame {
    Role role = Role::kOther;
    std::string key;  // an entry's, and the line it is on
    uint32_t line = 0;
    std::string version, name;
    bool link = false;
  };

  void Key(absl::string_view name, uint32_t line) override {
    key_.assign(name.data(), name.size());
    key_line_ = line;
  }

  void StartContainer(bool object) override {
    Role role = Role::kOther;
    if (frames_.empty()) {
      root_is_object_ = object;
      if (object) role = Role::kRoot;
    } else if (object) {
      switch (frames_.back().role) {
        case Role::kRoot:
          if (key_ == "packages") {
            role = Role::kPackages;
            saw_packages_ = true;
          } else if (key_ == "dependencies" && !saw_packages_) {
            role = Role::kV1Map;
          }
          break;
        case Role::kPackages:
          role = Role::kEntry;
          break;
        case Role::kV1Map:
          role = Role::kV1Entry;
          break;
        case Role::kV1Entry:
          if (key_ == "dependencies") role = Role::kV1Map;
          break;
        default:
          break;
      }
    }
    frames_.emplace_back();
    frames_.back().role = role;
    if (role == Role::kEntry || role == Role::kV1Entry) {
      frames_.back().key = key_;
      frames_.back().line = key_line_;
    }
  }

  void EndContainer(bool) override {
    Frame& f = frames_.back();
    // A `packages` key is the path it is installed at; one outside
    // node_modules is a workspace folder, the project's own.
    size_t nm = f.key.rfind("node_modules/");
    if (f.role == Role::kEntry && !f.link && nm != std::string::npos) {
      Add(f.name.empty() ? f.key.substr(nm + 13) : f.name, f.version, f.line,
          packages_, out_);
    }
    frames_.pop_back();
  }

  void String(absl::string_view value) override {
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    if (f.role == Role::kEntry) {
      if (key_ == "version") f.version.assign(value.data(), value.size());
      if (key_ == "name") f.name.assign(value.data(), value.size());
    } else if (f.role == Role::kV1Entry && key_ == "version") {
      Add(f.key, std::string(value), f.line, v1_packages_, &v1_);
    }
  }

  void Literal(absl::string_view value) override {
    if (!frames_.empty() && frames_.back().role == Role::kEntry &&
        key_ == "link" && value == "true") {
      frames_.back().link = true;
    }
  }

  void Add(const std::string& name, std::string version, uint32_t line,
           UniquePackages& into, Inventory* notes) {
    if (version.empty() || !failed_.ok()) return;
    std::string real = name;
    // Version 1's alias: "my-lodash": {"version": "npm:lodash@4.17.20"}.
    if (absl::StartsWith(version, "npm:")) {
      size_t v = version.find('@', 5);
      if (v != std::string::npos) {
        real = version.substr(4, v - 4);
        version = version.substr(v + 1);
        notes->Note(absl::StrCat(file_, ":", line, ": '", name,
                                 "' is an alias of '", real,
                                 "'; matched as it"));
      }
    }
    if (absl::StrContains(version, ":")) {  // git+https:, file:, https:
      notes->FromSource("npm", name, version, file_, line);
      return;
    }
    failed_ =
        into.Add({"npm", std::move(real), std::move(version), file_, line});
  }

  const std::string file_;
  Inventory* out_;
  UniquePackages packages_;
  Inventory v1_;  // until the document ends without `packages`
  UniquePackages v1_packages_;
  JsonStream json_;
  std::vector<Frame> frames_;
  std::string key_;
  uint32_t key_line_ = 0;
  bool root_is_object_ = false, saw_packages_ = false;
  absl::Status failed_;
};

}  // namespace

std::unique_ptr<LockfileReader> NewPackageLockReader(const std::string& file,
                                                     Inventory* out) {
  return std::make_unique<PackageLockReader>(file, out);
}

absl::Status ParsePackageLockJson(absl::string_view text,
                                  const std::string& file, Inventory* out) {
  return ReadText(*NewPackageLockReader(file, out), text);
}

namespace {

// bun.lock's JSON with the trailing commas it writes taken out (outside
// strings), so that a strict parser reads it.
std::string WithoutTrailingCommas(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ',') {
      size_t next = text.find_first_not_of(" \t\r\n", i + 1);
      if (next != absl::string_view::npos &&
          (text[next] == '}' || text[next] == ']')) {
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

absl::Status ParseBunLock(absl::string_view text, const std::string& file,
                          Inventory* out) {
  auto parsed = ParseJson(WithoutTrailingCommas(text), file, 64);
  if (!parsed.ok()) return parsed.status();
  const Json& packages = MemberAt(*parsed, "packages");
  if (!packages.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": no packages"));
  }
  const auto lines = FirstLinesOfStrings(text);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [key, entry] : packages.items()) {
    // The line of its "name@version", which appears once.
    const bool has_spec =
        entry.is_array() && !entry.empty() && entry[0].is_string();
    uint32_t line = LineOf(lines, has_spec ? entry[0].get<std::string>() : key);
    std::string where = absl::StrCat(file, ":", line, ": '", key, "'");
    if (!has_spec) {
      out->Warn(absl::StrCat(where, " is not [\"name@version\", ...]"));
      continue;
    }
    std::string spec = entry[0].get<std::string>();
    size_t sep = spec.find('@', 1);
    if (sep == std::string::npos) {
      out->Warn(absl::StrCat(where, ": '", spec.substr(0, 200),
                             "' is not name@version"));
      continue;
    }
    std::string name = spec.substr(0, sep), version = spec.substr(sep + 1);
    if (absl::StartsWith(version, "workspace:")) continue;  // the project
    if (absl::StrContains(version, ":")) {  // github:, git+, file:, link:
      out->FromSource("npm", name, version, file, line);
      continue;
    }
    if (name != key && !absl::EndsWith(key, "/" + name)) {
      out->Note(
          absl::StrCat(where, " is an alias of '", name, "'; matched as it"));
    }
    if (seen.insert({name, version}).second) {
      out->packages.push_back({"npm", name, version, file, line});
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
