//===- Window.cpp - Sizes and checks of a windowed v_rd -------------------===//
#include "softnpu/isa/Window.h"

#include <limits>
#include <utility>

namespace softnpu::isa {

namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

uint64_t mulSat(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kSaturated : r;
}

uint64_t addSat(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kSaturated : r;
}

} // namespace

uint64_t Window::elements() const { return mulSat(mulSat(kH, kW), winC); }

uint64_t Window::span() const { return addSat(mulSat(uint64_t{inH} * inW - 1, inC), winC); }

std::optional<std::string> Window::check(uint64_t a, uint64_t lanes, uint64_t dramElements, bool pooled) const {
  const std::pair<SReg, uint32_t> positive[] = {
      {SReg::InH, inH},   {SReg::InW, inW},         {SReg::InC, inC},         {SReg::WinC, winC}, {SReg::KH, kH},
      {SReg::KW, kW},     {SReg::StrideH, strideH}, {SReg::StrideW, strideW}, {SReg::DilH, dilH}, {SReg::DilW, dilW},
      {SReg::OutW, outW}, {SReg::UpH, upH},         {SReg::UpW, upW},
  };
  for (const auto &[reg, value] : positive)
    if (value == 0)
      return std::string("window: ") + sregName(reg) + " is 0";
  if (winC > inC)
    return "window: WIN_C " + std::to_string(winC) + " exceeds IN_C " + std::to_string(inC);
  if (pooled && winC > lanes)
    return "window: the pooled WIN_C = " + std::to_string(winC) +
           " elements exceed COLS x N = " + std::to_string(lanes);
  if (!pooled && elements() > lanes)
    return "window: K_H x K_W x WIN_C = " + std::to_string(kH) + " x " + std::to_string(kW) + " x " +
           std::to_string(winC) + " elements exceed COLS x N = " + std::to_string(lanes);
  const uint64_t end = addSat(a, span()); // one past the map's last element read
  if (end > dramElements)
    return "window: the " + std::to_string(inH) + " x " + std::to_string(inW) + " x " + std::to_string(inC) +
           " feature map at DRAM " + std::to_string(a) + " (WIN_C " + std::to_string(winC) + ") reaches element " +
           (end == kSaturated ? std::string("2^64 or beyond") : std::to_string(end - 1)) + ", DRAM has " +
           std::to_string(dramElements) + " elements";
  return std::nullopt;
}

} // namespace softnpu::isa
