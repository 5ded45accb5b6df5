//===- TargetCheck.cpp - npu-run --target ---------------------------------===//
#include "TargetCheck.h"

#include <cinttypes>
#include <cstdio>

namespace softnpu::tools {

namespace {

std::string hex(uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, h);
  return buf;
}

} // namespace

bool checkTarget(const artifact::Artifact &a, const std::string &modelPath, const target::Target &expected,
                 const std::string &spec, std::string &error) {
  const uint64_t have = a.target.hash();
  if (have == expected.hash() || have == expected.withPrecision(a.target.weightFormat).hash())
    return true;
  error = modelPath + " was compiled for target '" + a.target.name + "' (hash " + hex(have) + "), not '" +
          expected.name + "' (hash " + hex(expected.hash()) + "); recompile with npu-compile --target " + spec;
  return false;
}

} // namespace softnpu::tools
