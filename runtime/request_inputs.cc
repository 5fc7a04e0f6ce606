#include "runtime/request_inputs.h"

#include <vector>

namespace dso {

void ForEachInput(const google::protobuf::Message& message,
                  const std::function<void(const dso::v1::Input&)>& visit) {
  if (message.GetDescriptor() == dso::v1::Input::descriptor()) {
    visit(static_cast<const dso::v1::Input&>(message));
    return;
  }
  const auto* refl = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  refl->ListFields(message, &fields);
  for (const auto* f : fields) {
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE ||
        f->is_map()) {
      continue;
    }
    if (f->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(message, f); ++i) {
        ForEachInput(refl->GetRepeatedMessage(message, f, i), visit);
      }
    } else {
      ForEachInput(refl->GetMessage(message, f), visit);
    }
  }
}

}  // namespace dso
