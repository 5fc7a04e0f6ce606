#include "stages/scan/iac/dockerfile.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace dso {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

absl::string_view TrimLeft(absl::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  return s;
}

absl::string_view TrimRight(absl::string_view s) {
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The text's lines without their line ends (a trailing \r dropped too).
std::vector<absl::string_view> Lines(absl::string_view text) {
  std::vector<absl::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    absl::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == absl::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// A parser directive line ("# key=value") of a directive BuildKit knows.
bool Directive(absl::string_view line, std::string* key, std::string* value) {
  line = TrimLeft(line);
  if (!absl::ConsumePrefix(&line, "#")) return false;
  size_t eq = line.find('=');
  if (eq == absl::string_view::npos) return false;
  std::string k =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, eq)));
  if (k != "escape" && k != "syntax" && k != "check") return false;
  *key = k;
  *value = std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
  return true;
}

// The shell words of `s`, split at blanks outside quotes (quotes kept).
std::vector<absl::string_view> Words(absl::string_view s) {
  std::vector<absl::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t start = i;
    char quote = 0;
    for (; i < s.size() && (quote || !IsBlank(s[i])); ++i) {
      if (quote) {
        if (s[i] == quote) quote = 0;
      } else if (s[i] == '"' || s[i] == '\'') {
        quote = s[i];
      }
    }
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// A heredoc marker word: [digits]<<[-]NAME, NAME maybe quoted.
bool Heredoc(absl::string_view word, std::string* name, bool* strip_tabs) {
  while (!word.empty() && absl::ascii_isdigit(word.front())) {
    word.remove_prefix(1);
  }
  if (!absl::ConsumePrefix(&word, "<<")) return false;
  *strip_tabs = absl::ConsumePrefix(&word, "-");
  if (word.size() >= 2 && (word.front() == '"' || word.front() == '\'') &&
      word.back() == word.front()) {
    word = word.substr(1, word.size() - 2);
  }
  if (word.empty() || word.find('<') != absl::string_view::npos) return false;
  for (char c : word) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  *name = std::string(word);
  return true;
}

bool TakesFlags(absl::string_view keyword) {
  return keyword == "FROM" || keyword == "RUN" || keyword == "COPY" ||
         keyword == "ADD" || keyword == "HEALTHCHECK";
}

bool TakesHeredocs(absl::string_view keyword) {
  return keyword == "RUN" || keyword == "COPY" || keyword == "ADD";
}

// Flags, the rest and the exec form of an instruction's arguments.
void SplitArgs(DockerInstruction& in) {
  absl::string_view rest = TrimLeft(in.args);
  if (TakesFlags(in.keyword)) {
    while (absl::StartsWith(rest, "--")) {
      size_t end = 0;
      while (end < rest.size() && !IsBlank(rest[end])) ++end;
      in.flags.emplace_back(rest.substr(0, end));
      rest = TrimLeft(rest.substr(end));
    }
  }
  in.rest = std::string(TrimRight(rest));
  if (!absl::StartsWith(in.rest, "[")) return;
  nlohmann::json j = nlohmann::json::parse(in.rest, nullptr, false);
  if (!j.is_array()) return;
  std::vector<std::string> args;
  for (const auto& v : j) {
    if (!v.is_string()) return;
    args.push_back(v.get<std::string>());
  }
  in.exec_form = true;
  in.exec_args = std::move(args);
}

}  // namespace

Dockerfile ParseDockerfile(absl::string_view text) {
  Dockerfile out;
  const std::vector<absl::string_view> lines = Lines(text);
  size_t k = 0;
  // Parser directives: only before anything else.
  for (std::string key, value;
       k < lines.size() && Directive(lines[k], &key, &value); ++k) {
    if (key == "escape") {
      if (value == "\\" || value == "`") {
        out.escape = value[0];
      } else {
        out.warnings.push_back(absl::StrCat(
            k + 1, ": escape must be \\ or ` (not '", value, "')"));
      }
    } else if (key == "syntax") {
      out.syntax = value;
    }
  }
  auto skippable = [](absl::string_view line) {
    line = TrimLeft(line);
    return line.empty() || line.front() == '#';
  };
  while (k < lines.size()) {
    if (skippable(lines[k])) {
      ++k;
      continue;
    }
    DockerInstruction in;
    in.line = in.end_line = static_cast<uint32_t>(k + 1);
    absl::string_view first = TrimLeft(lines[k]);
    size_t word = 0;
    while (word < first.size() && !IsBlank(first[word])) ++word;
    in.keyword = absl::AsciiStrToUpper(first.substr(0, word));
    std::string joined(first.substr(word));
    ++k;
    // Continued lines: the escape character last on the line.
    while (true) {
      absl::string_view tail = TrimRight(joined);
      if (tail.empty() || tail.back() != out.escape) break;
      joined.resize(tail.size() - 1);
      while (k < lines.size() && skippable(lines[k])) ++k;
      if (k >= lines.size()) break;
      absl::StrAppend(&joined, lines[k]);
      in.end_line = static_cast<uint32_t>(k + 1);
      ++k;
    }
    if (in.keyword.empty() ||
        !std::all_of(in.keyword.begin(), in.keyword.end(),
                     [](char c) { return absl::ascii_isalpha(c); })) {
      out.warnings.push_back(absl::StrCat(
          in.line, ": '", first.substr(0, std::min<size_t>(word, 40)),
          "' is not an instruction"));
      continue;
    }
    in.args = std::string(TrimLeft(joined));
    SplitArgs(in);
    if (TakesHeredocs(in.keyword)) {
      for (absl::string_view w : Words(in.rest)) {
        DockerHeredoc h;
        bool strip_tabs = false;
        if (!Heredoc(w, &h.delimiter, &strip_tabs)) continue;
        bool closed = false;
        while (k < lines.size()) {
          absl::string_view body = lines[k++];
          in.end_line = static_cast<uint32_t>(k);
          if (strip_tabs) {
            while (!body.empty() && body.front() == '\t') body.remove_prefix(1);
          }
          if (body == h.delimiter) {
            closed = true;
            break;
          }
          absl::StrAppend(&h.body, body, "\n");
        }
        if (!closed) {
          out.warnings.push_back(absl::StrCat(in.line, ": the heredoc <<",
                                              h.delimiter, " is not closed"));
        }
        in.heredocs.push_back(std::move(h));
      }
    }
    out.instructions.push_back(std::move(in));
  }
  return out;
}

bool IsDockerfileName(absl::string_view file_name) {
  std::string n = absl::AsciiStrToLower(file_name);
  return n == "dockerfile" || n == "containerfile" ||
         absl::StartsWith(n, "dockerfile.") || absl::EndsWith(n, ".dockerfile");
}

}  // namespace dso
