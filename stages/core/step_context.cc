#include "stages/core/step_context.h"

#include <filesystem>

namespace dso {

void StepContext::Log(dso::v1::LogLine::Stream stream, absl::string_view text) {
  dso::v1::Event event;
  event.mutable_log()->set_stream(stream);
  event.mutable_log()->set_text(SanitizeUtf8(text));
  Emit(std::move(event));
}

void StepContext::Progress(absl::string_view phase, uint64_t done,
                           uint64_t total) {
  dso::v1::Event event;
  auto* p = event.mutable_progress();
  p->set_phase(std::string(phase));
  p->set_done(done);
  p->set_total(total);
  Emit(std::move(event));
}

std::string SingleFileIn(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string only;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!only.empty() || !e.is_regular_file(ec)) return "";
    only = e.path().string();
  }
  return only;
}

absl::StatusOr<std::string> ResolveFileInput(StepContext& context,
                                             const dso::v1::Input& input) {
  absl::StatusOr<std::string> path = context.ResolveInput(input);
  if (!path.ok()) return path;
  std::string only = SingleFileIn(*path);
  return only.empty() ? *path : only;
}

dso::v1::Result ErrorResult(const absl::Status& status) {
  dso::v1::Result result;
  result.set_outcome(dso::v1::ERROR);
  result.set_error_code(static_cast<int>(status.code()));
  result.set_message(std::string(status.message()));
  return result;
}

std::string SanitizeUtf8(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if (ok) {
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(in.data() + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace dso
