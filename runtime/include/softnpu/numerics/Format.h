//===- Format.h - Number formats of the NPU datapath ----------------------===//
//
// A NumberFormat names how values are stored at one point of the datapath
// (matrix register file, matrix-unit input). Today: fp32 (pass-through, for
// debugging) and block floating point (MSFP style: blocks of `blockSize`
// elements share an 8-bit exponent, each element is sign + `mantissaBits`
// magnitude bits with no implicit leading one). The arithmetic lives in Bfp.h.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_NUMERICS_FORMAT_H
#define SOFTNPU_NUMERICS_FORMAT_H

#include <optional>
#include <string>

namespace softnpu::numerics {

enum class Rounding { NearestEven, NearestAway, TowardZero };

struct NumberFormat {
  enum class Kind { Fp32, Bfp } kind = Kind::Fp32;
  unsigned mantissaBits = 0; ///< magnitude bits per element (Bfp), 1..15
  unsigned blockSize = 0;    ///< elements sharing one exponent (Bfp)

  static NumberFormat fp32() { return {}; }
  static NumberFormat bfp(unsigned mantissaBits, unsigned blockSize) {
    return {Kind::Bfp, mantissaBits, blockSize};
  }
  bool isFp32() const { return kind == Kind::Fp32; }
  bool operator==(const NumberFormat &o) const {
    return kind == o.kind && mantissaBits == o.mantissaBits && blockSize == o.blockSize;
  }
  bool operator!=(const NumberFormat &o) const { return !(*this == o); }

  /// "fp32", "msfp12".."msfp16" when it matches a preset, else "bfp:m=M,k=K".
  std::string name() const;
  /// Parses the names above. Returns nullopt and sets `error` otherwise.
  static std::optional<NumberFormat> parse(const std::string &text, std::string *error = nullptr);
};

const char *roundingName(Rounding r);
std::optional<Rounding> parseRounding(const std::string &text);

} // namespace softnpu::numerics

#endif // SOFTNPU_NUMERICS_FORMAT_H
