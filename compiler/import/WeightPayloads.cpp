//===- WeightPayloads.cpp - Large initializer bytes left in the file ------===//
//
// A protobuf wire-format walk over ModelProto -> graph (field 7) ->
// initializer (field 5) -> raw_data (field 9); everything else is copied
// byte for byte, and the lengths of the two enclosing messages are rewritten.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/WeightPayloads.h"

#include <cstdint>

namespace softnpu::import {
namespace {

constexpr uint32_t kModelGraph = 7, kGraphInitializer = 5, kTensorRawData = 9;
constexpr uint32_t kLengthDelimited = 2;

/// A read cursor over a buffer; every read fails (returns false) rather
/// than run past the end.
struct Cursor {
  const char *p, *end;
  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end)
        return false;
      const uint8_t b = static_cast<uint8_t>(*p++);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  /// Skips the value of a field of wire type `wt` (not groups).
  bool skip(uint32_t wt) {
    uint64_t v;
    switch (wt) {
    case 0:
      return varint(v);
    case 1:
      return advance(8);
    case kLengthDelimited:
      return varint(v) && advance(v);
    case 5:
      return advance(4);
    default:
      return false; // groups (3, 4) and invalid types
    }
  }
  bool advance(uint64_t n) {
    if (n > static_cast<uint64_t>(end - p))
      return false;
    p += n;
    return true;
  }
};

void putVarint(std::string &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

/// One field: its tag and where its whole encoding (tag included) and, for
/// length-delimited fields, its payload lie.
struct Field {
  uint32_t number = 0, wireType = 0;
  const char *begin = nullptr, *payload = nullptr, *end = nullptr;
};

bool nextField(Cursor &c, Field &f) {
  f.begin = c.p;
  uint64_t tag;
  if (!c.varint(tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFF)
    return false;
  f.number = static_cast<uint32_t>(tag >> 3);
  f.wireType = static_cast<uint32_t>(tag & 7);
  if (f.wireType == kLengthDelimited) {
    uint64_t len;
    if (!c.varint(len))
      return false;
    f.payload = c.p;
    if (!c.advance(len))
      return false;
  } else if (!c.skip(f.wireType)) {
    return false;
  }
  f.end = c.p;
  return true;
}

/// Appends field number `number` (length-delimited) holding `body`.
void putMessage(std::string &out, uint32_t number, const std::string &body) {
  putVarint(out, (uint64_t{number} << 3) | kLengthDelimited);
  putVarint(out, body.size());
  out += body;
}

/// A TensorProto: copied, its raw_data replaced by a placeholder when it is large.
bool stripTensor(std::string_view in, size_t minBytes, std::string &out, std::optional<std::string_view> &payload) {
  Cursor c{in.data(), in.data() + in.size()};
  bool seenRaw = false;
  while (c.p != c.end) {
    Field f;
    if (!nextField(c, f))
      return false;
    if (f.number == kTensorRawData) {
      if (f.wireType != kLengthDelimited || seenRaw)
        return false; // a repeated raw_data would merge: leave it to protobuf
      seenRaw = true;
      if (static_cast<size_t>(f.end - f.payload) >= minBytes) {
        payload = std::string_view(f.payload, static_cast<size_t>(f.end - f.payload));
        // One placeholder byte: the ONNX checker wants a non-empty value field.
        putVarint(out, (uint64_t{kTensorRawData} << 3) | kLengthDelimited);
        putVarint(out, 1);
        out.push_back('\0');
        continue;
      }
    }
    out.append(f.begin, f.end);
  }
  return true;
}

bool stripGraph(std::string_view in, size_t minBytes, std::string &out, StrippedModel &m) {
  Cursor c{in.data(), in.data() + in.size()};
  std::string tensor;
  while (c.p != c.end) {
    Field f;
    if (!nextField(c, f))
      return false;
    if (f.number == kGraphInitializer && f.wireType == kLengthDelimited) {
      tensor.clear();
      std::optional<std::string_view> payload;
      if (!stripTensor(std::string_view(f.payload, static_cast<size_t>(f.end - f.payload)), minBytes, tensor, payload))
        return false;
      putMessage(out, kGraphInitializer, tensor);
      m.payloads.push_back(payload);
      continue;
    }
    out.append(f.begin, f.end);
  }
  return true;
}

} // namespace

std::optional<StrippedModel> stripWeightPayloads(std::string_view file, size_t minBytes) {
  StrippedModel m;
  Cursor c{file.data(), file.data() + file.size()};
  bool seenGraph = false;
  while (c.p != c.end) {
    Field f;
    if (!nextField(c, f))
      return std::nullopt;
    if (f.number == kModelGraph) {
      if (f.wireType != kLengthDelimited || seenGraph)
        return std::nullopt; // repeated graphs would merge: leave it to protobuf
      seenGraph = true;
      std::string graph;
      if (!stripGraph(std::string_view(f.payload, static_cast<size_t>(f.end - f.payload)), minBytes, graph, m))
        return std::nullopt;
      putMessage(m.bytes, kModelGraph, graph);
      continue;
    }
    m.bytes.append(f.begin, f.end);
  }
  return m;
}

} // namespace softnpu::import
