//===- UnpackDetail.h - Decoding packed rows: shared pieces (private) -----===//
//
// unpackRowBfp (Pack.cpp) decodes a block's element codes with the portable
// decoder below, after an instruction-set kernel (UnpackX86.cpp) has decoded
// the leading groups of 8 codes it can. Both decode every code exactly as
// decodeCodesPortable does: the vector kernel takes MX element values from
// a table that decodeCodesPortable fills (codeTable), and does the
// sign-magnitude arithmetic of MSFP codes lane-wise. Not installed.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_NUMERICS_UNPACKDETAIL_H
#define SOFTNPU_LIB_NUMERICS_UNPACKDETAIL_H

#include "BfpDetail.h"

#include <cstdint>
#include <vector>

namespace softnpu::numerics::detail {

/// Decodes codes [from, len) of one packed block, whose first code starts at
/// bit 0 of `codes`, into sig / exp (element i at index i). Reads only the
/// block's ceil(len x bits / 8) code bytes. Returns false at the first NaN /
/// Inf element code (MX formats), leaving the rest undecoded.
bool decodeCodesPortable(const ElementInfo &info, const NumberFormat &fmt, const uint8_t *codes, size_t from,
                         size_t len, int16_t *sig, int8_t *exp);

/// Every element code of a block format with at most 8-bit codes, decoded by
/// decodeCodesPortable: entry c = uint16(significand) | uint8(exponent) << 16
/// | (1 << 24 when c is a NaN / Inf code).
struct CodeTable {
  NumberFormat format;
  std::vector<int32_t> entries;
};
/// The table of `fmt` (built on first use per thread and format).
const CodeTable &codeTable(const NumberFormat &fmt);

/// Whether the AVX2 decoder was built and the CPU has AVX2.
bool decodeAvx2Supported();
/// Decodes the leading groups of 8 codes of a block (len codes at `codes`)
/// whose 16-byte load ends at or before `end` (the end of the packed row), in
/// order, stopping after a group that holds a NaN / Inf code (sets `nan`).
/// Returns the number of codes decoded (a multiple of 8); 0 when the format
/// is not handled (codes wider than 16 bits, or MX codes wider than 8).
size_t decodeGroupsAvx2(const ElementInfo &info, const NumberFormat &fmt, const uint8_t *codes, const uint8_t *end,
                        size_t len, int16_t *sig, int8_t *exp, bool &nan);

} // namespace softnpu::numerics::detail

#endif // SOFTNPU_LIB_NUMERICS_UNPACKDETAIL_H
