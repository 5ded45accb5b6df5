//===- FuzzReport.h - How a fuzz target reports a broken rule ---*- C++ -*-===//
#ifndef SOFTNPU_TESTS_FUZZ_FUZZREPORT_H
#define SOFTNPU_TESTS_FUZZ_FUZZREPORT_H

#include <cstdio>
#include <string>

/// Prints the rule and the detail, then traps: libFuzzer saves the input.
[[noreturn]] inline void reportAndTrap(const char *rule, const std::string &detail) {
  std::fprintf(stderr, "softnpu fuzz: %s: [%s]\n", rule, detail.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

#endif
