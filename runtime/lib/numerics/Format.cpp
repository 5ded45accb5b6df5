//===- Format.cpp - Number format and rounding-mode names ----------------===//
//
// Parses and prints the names of NumberFormat ("fp32", "msfp12".."msfp16",
// "bfp:m=M,k=K") and Rounding ("nearest-even", "nearest-away",
// "toward-zero"). See docs/numerics.md.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Format.h"

#include <cstdint>

namespace softnpu::numerics {

namespace {

// MSFP presets: msfp<12 + i> has mantissaBits 3 + i and 16-element blocks.
constexpr unsigned kMsfpBlockSize = 16;
constexpr unsigned kMsfpFirstBits = 3;
constexpr unsigned kMsfpLastBits = 7;
constexpr unsigned kMsfpNameOffset = 9; // msfp<bits + 9>: 1 sign + 8 exponent bits

constexpr unsigned kMaxMantissaBits = 15;
constexpr unsigned kMaxBlockSize = 256;

// Parses a decimal number without sign, leading '+', leading zeros or
// overflow; advances `pos` past the digits.
std::optional<unsigned> parseDecimal(const std::string &s, size_t &pos) {
  size_t start = pos;
  uint64_t value = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    value = value * 10 + static_cast<unsigned>(s[pos] - '0');
    if (value > 100000)
      return std::nullopt;
    ++pos;
  }
  if (pos == start || (s[start] == '0' && pos - start > 1))
    return std::nullopt;
  return static_cast<unsigned>(value);
}

bool consume(const std::string &s, size_t &pos, const char *literal) {
  size_t i = 0;
  for (; literal[i] != '\0'; ++i)
    if (pos + i >= s.size() || s[pos + i] != literal[i])
      return false;
  pos += i;
  return true;
}

void setError(std::string *error, const std::string &message) {
  if (error)
    *error = message;
}

const char *const kFormatHelp =
    "expected 'fp32', 'msfp12'..'msfp16' or 'bfp:m=M,k=K' (M 1..15 mantissa bits, K 1..256 block size)";

} // namespace

std::string NumberFormat::name() const {
  if (isFp32())
    return "fp32";
  if (blockSize == kMsfpBlockSize && mantissaBits >= kMsfpFirstBits && mantissaBits <= kMsfpLastBits)
    return "msfp" + std::to_string(mantissaBits + kMsfpNameOffset);
  return "bfp:m=" + std::to_string(mantissaBits) + ",k=" + std::to_string(blockSize);
}

std::optional<NumberFormat> NumberFormat::parse(const std::string &text, std::string *error) {
  if (text == "fp32")
    return fp32();
  for (unsigned bits = kMsfpFirstBits; bits <= kMsfpLastBits; ++bits)
    if (text == "msfp" + std::to_string(bits + kMsfpNameOffset))
      return bfp(bits, kMsfpBlockSize);

  size_t pos = 0;
  if (!consume(text, pos, "bfp:m=")) {
    setError(error, "unknown number format '" + text + "': " + kFormatHelp);
    return std::nullopt;
  }
  std::optional<unsigned> m = parseDecimal(text, pos);
  std::optional<unsigned> k;
  if (m && consume(text, pos, ",k="))
    k = parseDecimal(text, pos);
  if (!m || !k || pos != text.size()) {
    setError(error, "malformed number format '" + text + "': " + kFormatHelp);
    return std::nullopt;
  }
  if (*m < 1 || *m > kMaxMantissaBits) {
    setError(error, "number format '" + text + "': mantissa bits m must be 1..15");
    return std::nullopt;
  }
  if (*k < 1 || *k > kMaxBlockSize) {
    setError(error, "number format '" + text + "': block size k must be 1..256");
    return std::nullopt;
  }
  return bfp(*m, *k);
}

const char *roundingName(Rounding r) {
  switch (r) {
  case Rounding::NearestEven:
    return "nearest-even";
  case Rounding::NearestAway:
    return "nearest-away";
  case Rounding::TowardZero:
    return "toward-zero";
  }
  return "?";
}

std::optional<Rounding> parseRounding(const std::string &text) {
  for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero})
    if (text == roundingName(r))
      return r;
  return std::nullopt;
}

} // namespace softnpu::numerics
