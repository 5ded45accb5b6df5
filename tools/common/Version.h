//===- Version.h - The softnpu release every tool reports ---------*- C++ -*-===//
//
// One version for every tool: CMake's project version, defined for tools/ as
// SOFTNPU_VERSION (tools/CMakeLists.txt). --version prints "TOOL VERSION";
// npu-compile and npu-sweep also write it into each artifact's producer.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_COMMON_VERSION_H
#define SOFTNPU_TOOLS_COMMON_VERSION_H

#ifndef SOFTNPU_VERSION
#error "SOFTNPU_VERSION comes from tools/CMakeLists.txt"
#endif

namespace softnpu::tools {

inline constexpr const char *kVersion = SOFTNPU_VERSION;

} // namespace softnpu::tools

#endif
