//===- RoundTripDetail.h - roundTrip's fused MSFP path ----------*- C++ -*-===//
//
// The fused roundTrip of SignMagnitude block formats (RoundTripMsfp.cpp),
// which roundTrip (Quantize.cpp) takes for them; bit-identical to the
// reference quantize + dequantize path (roundTripReference).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_NUMERICS_ROUNDTRIPDETAIL_H
#define SOFTNPU_LIB_NUMERICS_ROUNDTRIPDETAIL_H

#include "BfpDetail.h"

namespace softnpu::numerics::detail {

/// roundTrip(x, n, fmt, rounding, vectorLength) for a valid SignMagnitude
/// block format; returns false (x untouched) for any other format.
bool roundTripMsfpFused(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength);

} // namespace softnpu::numerics::detail

#endif // SOFTNPU_LIB_NUMERICS_ROUNDTRIPDETAIL_H
