#include "stages/scan/deps/lockfile_stream.h"

#include <errno.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace dso {
namespace {

// How much of a file is held at once.
constexpr size_t kPieceBytes = 4 << 20;

}  // namespace

LockfileReaderFactory StreamingReaderFor(const std::string& name) {
  if (name == "package-lock.json" || name == "npm-shrinkwrap.json") {
    return NewPackageLockReader;
  }
  if (name == "yarn.lock") return NewYarnLockReader;
  if (name == "pnpm-lock.yaml") return NewPnpmLockReader;
  return nullptr;
}

absl::Status ReadText(LockfileReader& reader, absl::string_view text) {
  absl::StatusOr<size_t> used = reader.Consume(text, true);
  return used.status();
}

absl::Status ReadDescriptor(LockfileReader& reader, int fd,
                            const std::string& file, uint64_t max_bytes) {
  std::string buf(kPieceBytes, '\0');
  size_t have = 0;
  uint64_t total = 0;
  bool last = false;
  while (!last) {
    ssize_t n = read(fd, buf.data() + have, buf.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(
          absl::StrCat(file, ": read failed: ", strerror(errno)));
    }
    last = n == 0;
    have += n;
    total += n;
    if (total > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": more than the ", max_bytes >> 20,
                       " MiB dso reads of a lockfile"));
    }
    if (!last && have < buf.size()) continue;  // fill the piece first
    absl::StatusOr<size_t> used =
        reader.Consume(absl::string_view(buf.data(), have), last);
    if (!used.ok()) return used.status();
    if (*used == 0 && have == buf.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": a line or token longer than ",
                       kPieceBytes >> 20, " MiB near byte ", total - have));
    }
    std::memmove(buf.data(), buf.data() + *used, have - *used);
    have -= *used;
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> LineReader::Consume(absl::string_view data, bool last) {
  size_t at = 0;
  while (at < data.size()) {
    const char* nl = static_cast<const char*>(
        std::memchr(data.data() + at, '\n', data.size() - at));
    if (nl == nullptr && !last) break;
    size_t end = nl == nullptr ? data.size() : nl - data.data();
    absl::string_view line = data.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Line(line, ++number_);
    if (!failed_.ok()) return failed_;
    at = nl == nullptr ? end : end + 1;
  }
  return at;
}

}  // namespace dso
