// The Inputs a step request names, wherever its parameters hold them (a
// scan's target, a gate's reports, a deploy's RASP policy, ...).
#ifndef DSO_RUNTIME_REQUEST_INPUTS_H_
#define DSO_RUNTIME_REQUEST_INPUTS_H_

#include <functional>

#include "dso/v1/steps.pb.h"
#include "google/protobuf/message.h"

namespace dso {

// Calls `visit` on every dso.v1.Input set in `message`, nested messages and
// repeated fields included (map values are not searched: no step keeps
// Inputs in a map).
void ForEachInput(const google::protobuf::Message& message,
                  const std::function<void(const dso::v1::Input&)>& visit);

}  // namespace dso

#endif  // DSO_RUNTIME_REQUEST_INPUTS_H_
