//===- Format.cpp - Number format and rounding-mode names ----------------===//
//
// Parses and prints the names of NumberFormat ("fp32", "bf16", "fp16",
// "msfp12".."msfp16", "bfp:m=M,k=K", the OCP MX names "mxfp8_e4m3" ...
// "mxint8" with an optional ",k=K") and Rounding ("nearest-even",
// "nearest-away", "toward-zero"), and the format validity and pairing rules.
// See docs/numerics.md.
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
constexpr unsigned kMxBlockSize = 32;
constexpr unsigned kScaleBits = 8; // the shared exponent / E8M0 scale of a block

struct MxName {
  Element element;
  const char *name;
  unsigned bits;
};
constexpr MxName kMxNames[] = {
    {Element::E4M3, "mxfp8_e4m3", 8}, {Element::E5M2, "mxfp8_e5m2", 8}, {Element::E3M2, "mxfp6_e3m2", 6},
    {Element::E2M3, "mxfp6_e2m3", 6}, {Element::E2M1, "mxfp4", 4},      {Element::Int8, "mxint8", 8},
};

const MxName *findMx(Element e) {
  for (const MxName &m : kMxNames)
    if (m.element == e)
      return &m;
  return nullptr;
}

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
    "expected 'fp32', 'bf16', 'fp16', 'msfp12'..'msfp16', 'bfp:m=M,k=K' (M 1..15 mantissa bits, "
    "K 1..256 block size), 'mxfp8_e4m3', 'mxfp8_e5m2', 'mxfp6_e3m2', 'mxfp6_e2m3', 'mxfp4' or "
    "'mxint8' (optionally followed by ',k=K')";

} // namespace

bool NumberFormat::isValid() const {
  switch (kind) {
  case Kind::Fp32:
  case Kind::Bf16:
  case Kind::Fp16:
    return element == Element::SignMagnitude && mantissaBits == 0 && blockSize == 0;
  case Kind::Block:
    if (blockSize < 1 || blockSize > kMaxBlockSize)
      return false;
    if (element == Element::SignMagnitude)
      return mantissaBits >= 1 && mantissaBits <= kMaxMantissaBits;
    return findMx(element) != nullptr && mantissaBits == 0;
  }
  return false;
}

unsigned NumberFormat::elementBits() const {
  switch (kind) {
  case Kind::Fp32:
    return 32;
  case Kind::Bf16:
  case Kind::Fp16:
    return 16;
  case Kind::Block:
    if (element == Element::SignMagnitude)
      return 1 + mantissaBits;
    if (const MxName *m = findMx(element))
      return m->bits;
    return 0;
  }
  return 0;
}

double NumberFormat::bitsPerElement() const {
  if (!isBlock())
    return elementBits();
  if (blockSize == 0)
    return 0;
  return elementBits() + static_cast<double>(kScaleBits) / blockSize;
}

std::string NumberFormat::name() const {
  switch (kind) {
  case Kind::Fp32:
    return "fp32";
  case Kind::Bf16:
    return "bf16";
  case Kind::Fp16:
    return "fp16";
  case Kind::Block:
    break;
  }
  if (element == Element::SignMagnitude) {
    if (blockSize == kMsfpBlockSize && mantissaBits >= kMsfpFirstBits && mantissaBits <= kMsfpLastBits)
      return "msfp" + std::to_string(mantissaBits + kMsfpNameOffset);
    return "bfp:m=" + std::to_string(mantissaBits) + ",k=" + std::to_string(blockSize);
  }
  const MxName *m = findMx(element);
  std::string text = m ? m->name : "mx?";
  if (blockSize != kMxBlockSize)
    text += ",k=" + std::to_string(blockSize);
  return text;
}

std::optional<NumberFormat> NumberFormat::parse(const std::string &text, std::string *error) {
  if (text == "fp32")
    return fp32();
  if (text == "bf16")
    return bf16();
  if (text == "fp16")
    return fp16();
  for (unsigned bits = kMsfpFirstBits; bits <= kMsfpLastBits; ++bits)
    if (text == "msfp" + std::to_string(bits + kMsfpNameOffset))
      return bfp(bits, kMsfpBlockSize);

  // MX names: exact, or followed by ",k=K".
  for (const MxName &m : kMxNames) {
    size_t pos = 0;
    if (!consume(text, pos, m.name))
      continue;
    if (pos == text.size())
      return mx(m.element);
    if (!consume(text, pos, ",k="))
      continue; // e.g. "mxfp4x": unknown name
    std::optional<unsigned> k = parseDecimal(text, pos);
    if (!k || pos != text.size()) {
      setError(error, "malformed number format '" + text + "': " + kFormatHelp);
      return std::nullopt;
    }
    if (*k < 1 || *k > kMaxBlockSize) {
      setError(error, "number format '" + text + "': block size k must be 1..256");
      return std::nullopt;
    }
    return mx(m.element, *k);
  }

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

std::optional<std::string> checkMatrixFormats(const NumberFormat &weight, const NumberFormat &input) {
  if (!weight.isValid())
    return "weight format '" + weight.name() + "' is not a valid number format";
  if (!input.isValid())
    return "input format '" + input.name() + "' is not a valid number format";
  if (weight.isFp32() && input.isFp32())
    return std::nullopt;
  if (!weight.isBlock() || !input.isBlock())
    return "weight format '" + weight.name() + "' and input format '" + input.name() +
           "' must both be fp32 or both be block formats";
  if (weight.blockSize != input.blockSize)
    return "weight format '" + weight.name() + "' (block " + std::to_string(weight.blockSize) + ") and input format '" +
           input.name() + "' (block " + std::to_string(input.blockSize) + ") must have the same block size";
  return std::nullopt;
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
