#include "stages/core/step_context.h"

#include <cstring>
#include <filesystem>
#include <vector>

#include "google/protobuf/message.h"

namespace dso {

const AgentCredentials& StepContext::agent_credentials() const {
  static const AgentCredentials* const kNone = new AgentCredentials();
  return *kNone;
}

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

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 when it is not one
// (overlong forms, surrogates and values past U+10FFFF are not).
size_t Utf8SequenceAt(const unsigned char* s, size_t i, size_t n) {
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t len = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  }
  if (len == 0 || i + len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i + k] & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  bool ok =
      cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
  return ok ? len : 0;
}

}  // namespace

bool IsValidUtf8(absl::string_view in) {
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  for (size_t i = 0; i < n;) {
    // ASCII eight bytes at a time: most text is.
    if (i + 8 <= n) {
      uint64_t word;
      memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = Utf8SequenceAt(s, i, n);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string SanitizeUtf8(absl::string_view in) {
  if (IsValidUtf8(in)) return std::string(in);
  std::string out;
  out.reserve(in.size() + 16);
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  size_t run = 0;  // start of the valid run not yet copied
  for (size_t i = 0; i < n;) {
    size_t len = Utf8SequenceAt(s, i, n);
    if (len) {
      i += len;
      continue;
    }
    out.append(in.data() + run, i - run);
    out.append("\xEF\xBF\xBD");
    run = ++i;
  }
  out.append(in.data() + run, n - run);
  return out;
}

void SanitizeStringFields(google::protobuf::Message& m) {
  using google::protobuf::FieldDescriptor;
  const auto* refl = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(m, f); ++i) {
          const std::string& v =
              refl->GetRepeatedStringReference(m, f, i, nullptr);
          if (!IsValidUtf8(v)) {
            refl->SetRepeatedString(&m, f, i, SanitizeUtf8(v));
          }
        }
      } else {
        std::string scratch;
        const std::string& v = refl->GetStringReference(m, f, &scratch);
        if (!IsValidUtf8(v)) refl->SetString(&m, f, SanitizeUtf8(v));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(m, f); ++i) {
          SanitizeStringFields(*refl->MutableRepeatedMessage(&m, f, i));
        }
      } else {
        SanitizeStringFields(*refl->MutableMessage(&m, f));
      }
    }
  }
}

}  // namespace dso
