//===- Elements.cpp - Element types of the block formats ------------------===//
//
// The parameters of each block format's element code (docs/numerics.md
// tables) and the well-formedness check of a decoded BfpVector, shared by
// quantization, the dot product and packing.
//
//===----------------------------------------------------------------------===//
#include "BfpDetail.h"

namespace softnpu::numerics::detail {

namespace {
ElementInfo fpElement(int ebits, int mbits, int bias, int emax, int maxSig) {
  ElementInfo e;
  e.fp = true;
  e.ebits = ebits;
  e.mbits = mbits;
  e.bias = bias;
  e.emin = 1 - bias;
  e.emax = emax;
  e.maxSig = maxSig;
  e.lsbExp = e.emin - mbits;
  e.maxExp = emax - mbits;
  unsigned sigBits = 0;
  while ((1 << sigBits) <= maxSig)
    ++sigBits;
  e.maxBits = sigBits + static_cast<unsigned>(e.maxExp - e.lsbExp);
  return e;
}
} // namespace

ElementInfo elementInfo(const NumberFormat &f) {
  switch (f.element) {
  case Element::SignMagnitude: {
    ElementInfo e;
    const int m = static_cast<int>(f.mantissaBits);
    e.maxSig = (1 << m) - 1;
    e.lsbExp = e.maxExp = 1 - m;
    e.maxBits = f.mantissaBits;
    return e;
  }
  case Element::E4M3:
    return fpElement(4, 3, 7, 8, 14); // max 1.75 * 2^8 = 448
  case Element::E5M2:
    return fpElement(5, 2, 15, 15, 7); // max 1.75 * 2^15 = 57344
  case Element::E3M2:
    return fpElement(3, 2, 3, 4, 7); // max 1.75 * 2^4 = 28
  case Element::E2M3:
    return fpElement(2, 3, 1, 2, 15); // max 1.875 * 2^2 = 7.5
  case Element::E2M1:
    return fpElement(2, 1, 1, 2, 3); // max 1.5 * 2^2 = 6
  case Element::Int8: {
    ElementInfo e;
    e.emax = 0;
    e.maxSig = 127;
    e.lsbExp = e.maxExp = -6; // q * 2^-6
    e.maxBits = 8;            // an unpacked -128 has 8 bits
    return e;
  }
  }
  return {};
}

bool isValidBlock(const NumberFormat &f) { return f.isBlock() && f.isValid(); }

bool isWellFormed(const BfpVector &v) {
  if (!isValidBlock(v.format))
    return false;
  const size_t k = v.format.blockSize, blocks = v.scales.size();
  return v.nanBlocks.size() == blocks && v.significands.size() == blocks * k && v.exponents.size() == blocks * k;
}

} // namespace softnpu::numerics::detail
