#include "stages/scan/secrets/internal/git_object_parse.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace dso {

bool ParseGitHexId(absl::string_view hex, git_oid* id) {
  if (hex.size() != GIT_OID_HEXSZ) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < GIT_OID_RAWSZ; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    id->id[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

namespace {

// The id written in hex at the start of `hex`, followed by a newline.
bool ParseHexId(absl::string_view hex, git_oid* id) {
  return hex.size() >= GIT_OID_HEXSZ + 1 && hex[GIT_OID_HEXSZ] == '\n' &&
         ParseGitHexId(hex.substr(0, GIT_OID_HEXSZ), id);
}

// The time on the committer line of a commit's header lines `rest` (after
// its tree and parents): "committer NAME <EMAIL> SECONDS ZONE".
int64_t CommitTime(absl::string_view rest) {
  constexpr absl::string_view kCommitter = "committer ";
  while (!rest.empty() && rest[0] != '\n') {  // the header ends at a blank line
    size_t eol = rest.find('\n');
    absl::string_view line = rest.substr(0, eol);
    if (line.substr(0, kCommitter.size()) == kCommitter) {
      size_t gt = line.rfind('>');
      if (gt == absl::string_view::npos) return 0;
      size_t i = gt + 1;
      while (i < line.size() && line[i] == ' ') ++i;
      int64_t t = 0;
      for (int digits = 0; i < line.size() && line[i] >= '0' && line[i] <= '9';
           ++i) {
        if (++digits > 18) return 0;
        t = t * 10 + (line[i] - '0');
      }
      return t;
    }
    if (eol == absl::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  return 0;
}

}  // namespace

absl::StatusOr<bool> GitTreeReader::Next(GitTreeEntry* e) {
  const absl::string_view data = data_;
  size_t i = at_;
  if (i >= data.size()) return false;
  ++count_;
  e->mode = 0;
  size_t digits = 0;
  for (; i < data.size() && data[i] >= '0' && data[i] <= '7'; ++i) {
    if (++digits > 7) return absl::DataLossError("a mode is too long");
    e->mode = e->mode * 8 + static_cast<uint32_t>(data[i] - '0');
  }
  if (digits == 0 || i >= data.size() || data[i] != ' ') {
    return absl::DataLossError(
        absl::StrCat("malformed mode in entry ", count_));
  }
  size_t nul = data.find('\0', ++i);
  if (nul == absl::string_view::npos || nul == i ||
      data.size() - nul - 1 < GIT_OID_RAWSZ) {
    return absl::DataLossError(absl::StrCat("entry ", count_, " is cut short"));
  }
  e->name = data.substr(i, nul - i);
  std::memcpy(e->id.id, data.data() + nul + 1, GIT_OID_RAWSZ);
  at_ = nul + 1 + GIT_OID_RAWSZ;
  return true;
}

absl::StatusOr<GitCommitHeader> ParseGitCommitHeader(absl::string_view data) {
  GitCommitHeader out;
  constexpr absl::string_view kTree = "tree ", kParent = "parent ";
  if (data.substr(0, kTree.size()) != kTree ||
      !ParseHexId(data.substr(kTree.size()), &out.tree)) {
    return absl::DataLossError("a commit that does not begin with its tree");
  }
  data.remove_prefix(kTree.size() + GIT_OID_HEXSZ + 1);
  while (data.substr(0, kParent.size()) == kParent) {
    git_oid parent;
    if (!ParseHexId(data.substr(kParent.size()), &parent)) {
      return absl::DataLossError("a commit with a malformed parent line");
    }
    out.parents.push_back(parent);
    data.remove_prefix(kParent.size() + GIT_OID_HEXSZ + 1);
  }
  out.commit_time = CommitTime(data);
  return out;
}

absl::StatusOr<git_oid> ParseGitTagTarget(absl::string_view data) {
  constexpr absl::string_view kObject = "object ";
  git_oid id{};
  if (data.substr(0, kObject.size()) != kObject ||
      !ParseHexId(data.substr(kObject.size()), &id)) {
    return absl::DataLossError("a tag that does not begin with its object");
  }
  return id;
}

}  // namespace dso
