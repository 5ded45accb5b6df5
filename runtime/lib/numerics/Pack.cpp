//===- Pack.cpp - Weight-image packing of matrix rows ---------------------===//
//
// packRow / unpackRow / unpackRowBfp / packedRowBytes (docs/numerics.md
// "Packed rows", docs/artifact-format.md): per block one biased scale byte
// (0xFF marks a NaN block) and the element codes, LSB first, the block padded
// to a whole byte; a short last block stores only its own codes. packRow /
// packedRowBytes do nothing / return 0 for formats that have no packed form.
//
//===----------------------------------------------------------------------===//
#include "MsfpFusedDetail.h"
#include "UnpackDetail.h"

#include <algorithm>

namespace softnpu::numerics {

using namespace detail;

namespace {

uint32_t encodeElement(const ElementInfo &info, const NumberFormat &fmt, int16_t sig, int8_t exp) {
  const bool neg = sig < 0;
  const uint32_t q = static_cast<uint32_t>(neg ? -sig : sig);
  if (fmt.element == Element::SignMagnitude)
    return (neg ? 1u << fmt.mantissaBits : 0u) | q;
  if (!info.fp)
    return static_cast<uint8_t>(sig);
  if (q == 0)
    return 0;
  uint32_t field, mant;
  if (q < (1u << info.mbits)) { // subnormal
    field = 0;
    mant = q;
  } else {
    field = static_cast<uint32_t>(exp + info.mbits + info.bias);
    mant = q - (1u << info.mbits);
  }
  return (neg ? 1u << (info.ebits + info.mbits) : 0u) | (field << info.mbits) | mant;
}

/// Decodes one element code; returns false for a NaN / Inf code.
bool decodeElement(const ElementInfo &info, const NumberFormat &fmt, uint32_t code, int16_t &sig, int8_t &exp) {
  if (fmt.element == Element::SignMagnitude) {
    const int mag = static_cast<int>(code & ((1u << fmt.mantissaBits) - 1));
    sig = static_cast<int16_t>((code >> fmt.mantissaBits) & 1 ? -mag : mag);
    exp = static_cast<int8_t>(info.lsbExp);
    return true;
  }
  if (!info.fp) {
    sig = static_cast<int8_t>(static_cast<uint8_t>(code));
    exp = static_cast<int8_t>(info.lsbExp);
    return true;
  }
  const bool neg = (code >> (info.ebits + info.mbits)) & 1;
  const uint32_t field = (code >> info.mbits) & ((1u << info.ebits) - 1);
  const uint32_t mant = code & ((1u << info.mbits) - 1);
  const uint32_t maxField = (1u << info.ebits) - 1;
  if (fmt.element == Element::E4M3 && field == maxField && mant == (1u << info.mbits) - 1)
    return false; // E4M3 NaN
  if (fmt.element == Element::E5M2 && field == maxField)
    return false; // E5M2 Inf / NaN
  int q, e;
  if (field == 0) {
    q = static_cast<int>(mant);
    e = info.emin;
  } else {
    q = static_cast<int>(mant + (1u << info.mbits));
    e = static_cast<int>(field) - info.bias;
  }
  sig = static_cast<int16_t>(neg ? -q : q);
  exp = static_cast<int8_t>(q == 0 ? info.lsbExp : e - info.mbits);
  return true;
}

/// Bytes of a packed block holding `len` element codes (a row's last block
/// may be short: only its elements are stored).
size_t blockBytes(const NumberFormat &fmt, size_t len) { return 1 + (len * fmt.elementBits() + 7) / 8; }
size_t blockBytes(const NumberFormat &fmt) { return blockBytes(fmt, fmt.blockSize); }

void writeLe32(uint32_t v, uint8_t *out) {
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<uint8_t>(v >> (8 * i));
}

/// A 64-bit word read from memory as little-endian.
uint64_t le64(uint64_t raw) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return __builtin_bswap64(raw);
#else
  return raw;
#endif
}

uint32_t readLe32(const uint8_t *in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(in[i]) << (8 * i);
  return v;
}

} // namespace

size_t packedRowBytes(const NumberFormat &fmt, size_t n) {
  if (fmt.isFp32())
    return 4 * n;
  if (!isValidBlock(fmt))
    return 0;
  if (n == 0)
    return 0;
  const size_t full = n / fmt.blockSize, rest = n % fmt.blockSize;
  return full * blockBytes(fmt) + (rest ? blockBytes(fmt, rest) : 0);
}

void packRow(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out) {
  if (detail::packRowMsfpFused(x, n, fmt, rounding, out))
    return; // MSFP: the fused path, the same bytes as the one below
  packRowReference(x, n, fmt, rounding, out);
}

void packRowReference(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out) {
  if (fmt.isFp32()) {
    for (size_t i = 0; i < n; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &x[i], sizeof bits);
      writeLe32(bits, out + 4 * i);
    }
    return;
  }
  if (!isValidBlock(fmt))
    return;
  thread_local BfpVector v; // reused: packing a weight image calls this once per row
  quantizeIntoReference(x, n, fmt, rounding, v);
  const ElementInfo info = elementInfo(fmt);
  const size_t k = fmt.blockSize, bytes = blockBytes(fmt);
  const unsigned bits = fmt.elementBits();
  for (size_t b = 0; b < v.numBlocks(); ++b) {
    uint8_t *block = out + b * bytes;
    const size_t len = std::min(k, n - b * k);
    std::fill(block, block + blockBytes(fmt, len), uint8_t{0});
    block[0] = v.nanBlocks[b] ? kNanScaleByte : static_cast<uint8_t>(v.scales[b] + kScaleBias);
    if (v.nanBlocks[b])
      continue;
    // Codes LSB first through a bit buffer, flushed a byte at a time.
    uint8_t *p = block + 1;
    uint64_t buf = 0;
    unsigned have = 0;
    for (size_t i = 0; i < len; ++i) {
      const uint32_t code = encodeElement(info, fmt, v.significands[b * k + i], v.exponents[b * k + i]);
      buf |= static_cast<uint64_t>(code) << have;
      have += bits;
      for (; have >= 8; have -= 8, buf >>= 8)
        *p++ = static_cast<uint8_t>(buf);
    }
    if (have > 0)
      *p = static_cast<uint8_t>(buf); // the block's last, partly used byte
  }
}

namespace detail {

bool decodeCodesPortable(const ElementInfo &info, const NumberFormat &fmt, const uint8_t *codes, size_t from,
                         size_t len, int16_t *sig, int8_t *exp) {
  const bool sm = fmt.element == Element::SignMagnitude;
  const unsigned bits = fmt.elementBits();
  const uint32_t mask = (1u << bits) - 1;
  const unsigned m = fmt.mantissaBits;
  // Codes LSB first. MSFP: while 8 bytes of the block remain from the code's
  // first byte, one little-endian 64-bit read per code.
  size_t i = from;
  if (sm) {
    const size_t codeBytes = blockBytes(fmt, len) - 1;
    for (size_t bitPos = i * bits; i < len && bitPos / 8 + 8 <= codeBytes; ++i, bitPos += bits) {
      uint64_t word;
      std::memcpy(&word, codes + bitPos / 8, sizeof word);
      const uint32_t code = static_cast<uint32_t>(le64(word) >> (bitPos % 8)) & mask;
      const int mag = static_cast<int>(code & ((1u << m) - 1));
      sig[i] = static_cast<int16_t>((code >> m) & 1 ? -mag : mag);
    }
  }
  // The rest: a bit buffer refilled a byte at a time, never past the block's
  // own bytes.
  const uint8_t *p = codes + (i * bits) / 8;
  uint64_t buf = 0;
  unsigned have = 0;
  if ((i * bits) % 8 && i < len) {
    buf = *p++ >> ((i * bits) % 8);
    have = 8 - (i * bits) % 8;
  }
  for (; i < len; ++i) {
    while (have < bits) {
      buf |= static_cast<uint64_t>(*p++) << have;
      have += 8;
    }
    const uint32_t code = static_cast<uint32_t>(buf) & mask;
    buf >>= bits;
    have -= bits;
    if (sm) { // MSFP: bit m is the sign, exponent already lsbExp
      const int mag = static_cast<int>(code & ((1u << m) - 1));
      sig[i] = static_cast<int16_t>((code >> m) & 1 ? -mag : mag);
    } else if (!decodeElement(info, fmt, code, sig[i], exp[i])) {
      return false; // an element NaN / Inf code makes the block NaN
    }
  }
  return true;
}

const CodeTable &codeTable(const NumberFormat &fmt) {
  thread_local CodeTable table;
  if (!table.entries.empty() && table.format == fmt)
    return table;
  table.format = fmt;
  table.entries.clear();
  const unsigned bits = fmt.elementBits();
  if (!isValidBlock(fmt) || bits > 8)
    return table;
  const ElementInfo info = elementInfo(fmt);
  table.entries.resize(size_t{1} << bits);
  for (uint32_t code = 0; code < table.entries.size(); ++code) {
    // One code, decoded by the portable decoder itself from its packed bits.
    const uint8_t packed[2] = {static_cast<uint8_t>(code), 0};
    int16_t sig = 0;
    int8_t exp = static_cast<int8_t>(info.lsbExp);
    const bool ok = decodeCodesPortable(info, fmt, packed, 0, 1, &sig, &exp);
    table.entries[code] =
        static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(sig)) |
                             static_cast<uint32_t>(static_cast<uint8_t>(exp)) << 16 | (ok ? 0u : 1u << 24));
  }
  return table;
}

} // namespace detail

bool decodeKernelAvailable(DecodeKernel kernel) {
  switch (kernel) {
  case DecodeKernel::Auto:
  case DecodeKernel::Portable:
    return true;
  case DecodeKernel::Avx2:
    return decodeAvx2Supported();
  }
  return false;
}

bool unpackRowBfpInto(const uint8_t *in, size_t n, const NumberFormat &fmt, BfpVector &v, DecodeKernel kernel) {
  v.format = fmt;
  if (!isValidBlock(fmt) || !decodeKernelAvailable(kernel)) {
    v.scales.clear();
    v.nanBlocks.clear();
    v.significands.clear();
    v.exponents.clear();
    return false;
  }
  const bool avx2 = kernel == DecodeKernel::Avx2 || (kernel == DecodeKernel::Auto && decodeAvx2Supported());
  const ElementInfo info = elementInfo(fmt);
  const bool sm = fmt.element == Element::SignMagnitude;
  const size_t k = fmt.blockSize, blocks = numBlocks(n, k), bytes = blockBytes(fmt);
  const uint8_t *end = in + packedRowBytes(fmt, n);
  v.scales.assign(blocks, static_cast<int16_t>(sm ? kMinExp : kMxMinScale));
  v.nanBlocks.assign(blocks, 0);
  v.significands.assign(blocks * k, 0);
  v.exponents.assign(blocks * k, static_cast<int8_t>(info.lsbExp));
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t *block = in + b * bytes;
    bool nan = block[0] == kNanScaleByte;
    const size_t len = std::min(k, n - b * k); // a short last block stores only its elements
    int16_t *sig = v.significands.data() + b * k;
    int8_t *exp = v.exponents.data() + b * k;
    if (!nan) {
      // The kernel decodes whole groups of 8 codes; the portable decoder the rest.
      const size_t done = avx2 ? decodeGroupsAvx2(info, fmt, block + 1, end, len, sig, exp, nan) : 0;
      if (!nan && !decodeCodesPortable(info, fmt, block + 1, done, len, sig, exp))
        nan = true;
    }
    if (nan) {
      v.nanBlocks[b] = 1;
      std::fill(sig, sig + k, int16_t{0});
      std::fill(exp, exp + k, static_cast<int8_t>(info.lsbExp));
      continue;
    }
    v.scales[b] = static_cast<int16_t>(static_cast<int>(block[0]) - kScaleBias);
  }
  return true;
}

BfpVector unpackRowBfp(const uint8_t *in, size_t n, const NumberFormat &fmt) {
  BfpVector v;
  unpackRowBfpInto(in, n, fmt, v, DecodeKernel::Auto);
  return v;
}

void unpackRow(const uint8_t *in, size_t n, const NumberFormat &fmt, float *out) {
  if (fmt.isFp32()) {
    for (size_t i = 0; i < n; ++i) {
      const uint32_t bits = readLe32(in + 4 * i);
      std::memcpy(&out[i], &bits, sizeof bits);
    }
    return;
  }
  dequantize(unpackRowBfp(in, n, fmt), n, out);
}

} // namespace softnpu::numerics
