//===- Format.h - Number formats of the NPU datapath ----------------------===//
//
// A NumberFormat names how values are stored at one point of the datapath
// (matrix register file, matrix-unit input, multifunction units):
//
//  * scalar formats: fp32 (pass-through), bf16, fp16 (multifunction units);
//  * block formats: `blockSize` consecutive elements share one power-of-two
//    scale (an 8-bit exponent, E8M0), each element is a small code:
//      - SignMagnitude: MSFP style, sign + `mantissaBits` magnitude bits, no
//        implicit leading one (msfp12..msfp16 = m 3..7, block 16; bfp:m=M,k=K);
//      - E4M3, E5M2, E3M2, E2M3, E2M1, Int8: the OCP Microscaling v1.0
//        element types (mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3,
//        mxfp4, mxint8; block 32).
//    Blocks never straddle a native vector: they restart every N elements.
//
// The arithmetic lives in Bfp.h. docs/numerics.md documents every rule.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_NUMERICS_FORMAT_H
#define SOFTNPU_NUMERICS_FORMAT_H

#include <optional>
#include <string>

namespace softnpu::numerics {

enum class Rounding { NearestEven, NearestAway, TowardZero };

/// Element code of a block format.
enum class Element { SignMagnitude, E4M3, E5M2, E3M2, E2M3, E2M1, Int8 };

struct NumberFormat {
  enum class Kind { Fp32, Bf16, Fp16, Block } kind = Kind::Fp32;
  Element element = Element::SignMagnitude; ///< Block only
  unsigned mantissaBits = 0;                ///< SignMagnitude only: 1..15
  unsigned blockSize = 0;                   ///< Block only: 1..256

  static NumberFormat fp32() { return {}; }
  static NumberFormat bf16() { return {Kind::Bf16, Element::SignMagnitude, 0, 0}; }
  static NumberFormat fp16() { return {Kind::Fp16, Element::SignMagnitude, 0, 0}; }
  /// MSFP-style block floating point.
  static NumberFormat bfp(unsigned mantissaBits, unsigned blockSize) {
    return {Kind::Block, Element::SignMagnitude, mantissaBits, blockSize};
  }
  /// OCP MX format with the given element type (block 32 unless given).
  static NumberFormat mx(Element e, unsigned blockSize = 32) { return {Kind::Block, e, 0, blockSize}; }

  bool isFp32() const { return kind == Kind::Fp32; }
  bool isBlock() const { return kind == Kind::Block; }
  bool isScalar() const { return kind != Kind::Block; }
  /// Parameters in range: scalar formats have no block parameters; block
  /// formats have blockSize 1..256, SignMagnitude m 1..15, MX elements m 0.
  bool isValid() const;
  /// Bits of one element code (Block only): 1 + m, 8, 8, 6, 6, 4, 8.
  unsigned elementBits() const;
  /// Storage bits per element including the shared 8-bit scale (for reports).
  double bitsPerElement() const;

  bool operator==(const NumberFormat &o) const {
    return kind == o.kind && element == o.element && mantissaBits == o.mantissaBits && blockSize == o.blockSize;
  }
  bool operator!=(const NumberFormat &o) const { return !(*this == o); }

  /// Canonical name: "fp32", "bf16", "fp16", "msfp12".."msfp16",
  /// "bfp:m=M,k=K", "mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3",
  /// "mxfp4", "mxint8" (MX names with a block size other than 32 get ",k=K").
  std::string name() const;
  /// Parses the names above. Returns nullopt and sets `error` otherwise.
  static std::optional<NumberFormat> parse(const std::string &text, std::string *error = nullptr);
};

/// Why `weight` x `input` cannot be a matrix-unit format pair, or nullopt
/// when it can: both fp32, or both valid block formats with the same block
/// size (element types may differ). Used by target, artifact and simulator.
std::optional<std::string> checkMatrixFormats(const NumberFormat &weight, const NumberFormat &input);

const char *roundingName(Rounding r);
std::optional<Rounding> parseRounding(const std::string &text);

} // namespace softnpu::numerics

#endif // SOFTNPU_NUMERICS_FORMAT_H
