// The dso version, set by CMake from project(VERSION).
#ifndef DSO_RUNTIME_VERSION_H_
#define DSO_RUNTIME_VERSION_H_

namespace dso {
extern const char kDsoVersion[];
}  // namespace dso

#endif  // DSO_RUNTIME_VERSION_H_
