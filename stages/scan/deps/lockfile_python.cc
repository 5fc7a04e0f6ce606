// PyPI inventories: requirements.txt (pip's format: only `==` pins are
// packages) and Pipfile.lock (JSON); poetry.lock and uv.lock are in
// lockfile_toml.cc.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

bool NameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

// One requirement line (comments, options and markers removed).
void Requirement(absl::string_view req, const std::string& file, uint32_t line,
                 Inventory* out) {
  std::string where = absl::StrCat(file, ":", line);
  if (absl::StrContains(req, "://") || absl::StartsWith(req, ".") ||
      absl::StartsWith(req, "/")) {
    out->Note(absl::StrCat(where, ": '", req,
                           "' is not from a package index; not "
                           "matched"));
    return;
  }
  size_t n = 0;
  while (n < req.size() && NameChar(req[n])) ++n;
  std::string name(req.substr(0, n));
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(req.substr(n));
  if (absl::ConsumePrefix(&rest, "[")) {  // extras
    size_t close = rest.find(']');
    rest = close == absl::string_view::npos ? "" : rest.substr(close + 1);
    rest = absl::StripLeadingAsciiWhitespace(rest);
  }
  absl::string_view version = rest;
  bool pinned = (absl::ConsumePrefix(&version, "===") ||
                 absl::ConsumePrefix(&version, "==")) &&
                !absl::StrContains(version, ",") &&
                !absl::StrContains(version, "*");
  version = absl::StripAsciiWhitespace(version);
  if (name.empty()) {
    out->Note(absl::StrCat(where, ": '", req, "' is not a requirement"));
    return;
  }
  if (!pinned || version.empty()) {
    out->unpinned.push_back({name, line});
    out->Note(absl::StrCat(where, ": '", name, "' is not pinned (",
                           rest.empty() ? "any version" : rest,
                           "); not matched"));
    return;
  }
  out->packages.push_back(
      {"PyPI", std::move(name), std::string(version), file, line});
}

}  // namespace

absl::Status ParseRequirementsTxt(absl::string_view text,
                                  const std::string& file, Inventory* out) {
  uint32_t lineno = 0, first = 0;
  std::string logical;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++lineno;
    if (logical.empty()) first = lineno;
    absl::ConsumeSuffix(&line, "\r");
    if (absl::EndsWith(line, "\\")) {  // continued on the next line
      logical.append(line.data(), line.size() - 1);
      logical.push_back(' ');
      if (start > text.size()) break;
      continue;
    }
    logical.append(line.data(), line.size());
    absl::string_view req = logical;
    // A comment starts at '#' at the start or after white space.
    for (size_t i = 0; i < req.size(); ++i) {
      if (req[i] == '#' &&
          (i == 0 ||
           absl::ascii_isspace(static_cast<unsigned char>(req[i - 1])))) {
        req = req.substr(0, i);
        break;
      }
    }
    req = absl::StripAsciiWhitespace(req);
    if (size_t semi = req.find(';'); semi != absl::string_view::npos) {
      req = absl::StripAsciiWhitespace(req.substr(0, semi));  // markers
    }
    if (size_t opt = req.find(" --"); opt != absl::string_view::npos) {
      req = absl::StripAsciiWhitespace(req.substr(0, opt));  // --hash=...
    }
    absl::string_view named = req;
    const bool include = absl::ConsumePrefix(&named, "--requirement") ||
                         absl::ConsumePrefix(&named, "-r");
    const bool constraint =
        !include && (absl::ConsumePrefix(&named, "--constraint") ||
                     absl::ConsumePrefix(&named, "-c"));
    if (include || constraint) {
      absl::ConsumePrefix(&named, "=");
      named = absl::StripAsciiWhitespace(named);
    }
    if ((include || constraint) && !named.empty()) {
      out->includes.push_back({std::string(named), first, constraint});
    } else if (include || constraint) {
      out->Warn(absl::StrCat(file, ":", first, ": '", req, "' names no file"));
    } else if (absl::StartsWith(req, "-e") ||
               absl::StartsWith(req, "--editable")) {
      out->Note(
          absl::StrCat(file, ":", first, ": an editable install; not matched"));
    } else if (!req.empty() && req[0] != '-') {
      Requirement(req, file, first, out);
    }
    logical.clear();
    if (end == text.size()) break;
  }
  return absl::OkStatus();
}

absl::Status ParsePipfileLock(absl::string_view text, const std::string& file,
                              Inventory* out) {
  auto parsed = ParseJson(text, file, 0);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": not an object"));
  }
  const auto lines = FirstLinesOfStrings(text);
  for (const char* section : {"default", "develop"}) {
    auto s = j.find(section);
    if (s == j.end()) continue;
    if (!s->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": '", section, "' is not an object"));
    }
    for (const auto& [name, spec] : s->items()) {
      if (!spec.is_object() || !spec.contains("version") ||
          !spec["version"].is_string()) {
        out->Note(
            absl::StrCat(file, ": '", name, "' has no version; not matched"));
        continue;
      }
      std::string v = spec["version"].get<std::string>();
      absl::string_view version = v;
      absl::ConsumePrefix(&version, "==");
      out->packages.push_back(
          {"PyPI", name, std::string(version), file, LineOf(lines, name)});
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
