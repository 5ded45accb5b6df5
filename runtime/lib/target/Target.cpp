//===- Target.cpp - Target validation, JSON form, hashing and loading ----===//
//
// A target is a preset (Presets.cpp) or a JSON object with the snake_case
// fields of docs/targets.md. Parsing never throws: nlohmann's non-throwing
// parse is used and every field's type is checked before it is read.
//
//===----------------------------------------------------------------------===//
#include "softnpu/target/Target.h"

#include "Presets.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <iterator>

namespace softnpu::target {

namespace {

using nlohmann::json;
using numerics::NumberFormat;

constexpr unsigned kMaxMfus = 8;

// JSON keys in canonical order.
const char *const kFieldNames[] = {"name",         "native_dim",   "tile_engines", "lanes",
                                   "num_mfus",     "ivrf_depth",   "asvrf_depth",  "mulvrf_depth",
                                   "mrf_tiles",    "dram_bytes",   "clock_mhz",    "weight_format",
                                   "input_format", "rounding"};

bool isValidFormat(const NumberFormat &f) {
  if (f.isFp32())
    return true;
  std::string ignored;
  return NumberFormat::parse(f.name(), &ignored).has_value();
}

std::string fieldError(const char *field, const std::string &what) {
  return std::string("field '") + field + "' " + what;
}

/// The rules of docs/targets.md, in field order except that formats are
/// checked first (native_dim's rule depends on them). Returns the message
/// without the "target '...': " prefix.
std::optional<std::string> checkFields(const Target &t) {
  if (t.name.empty())
    return fieldError("name", "must be a non-empty string");
  if (!isValidFormat(t.weightFormat))
    return fieldError("weight_format", "is not a valid number format ('" + t.weightFormat.name() + "')");
  if (!isValidFormat(t.inputFormat))
    return fieldError("input_format", "is not a valid number format ('" + t.inputFormat.name() + "')");
  if (t.weightFormat.isFp32() != t.inputFormat.isFp32())
    return fieldError("input_format", "is '" + t.inputFormat.name() + "' but weight_format is '" +
                                          t.weightFormat.name() +
                                          "': weight_format and input_format must both be fp32 or both be "
                                          "block floating point");
  if (t.weightFormat != t.inputFormat)
    return fieldError("input_format", "must equal weight_format ('" + t.weightFormat.name() +
                                          "'): the BFP dot product multiplies blocks of one format");
  if (!numerics::parseRounding(numerics::roundingName(t.rounding)))
    return fieldError("rounding", "is not a valid rounding mode");

  if (t.nativeDim == 0)
    return fieldError("native_dim", "must be positive");
  if (!t.weightFormat.isFp32() && t.nativeDim % t.weightFormat.blockSize != 0)
    return fieldError("native_dim", "must be a positive multiple of the weight format's block size (" +
                                        std::to_string(t.weightFormat.blockSize) + ")");
  if (!t.inputFormat.isFp32() && t.nativeDim % t.inputFormat.blockSize != 0)
    return fieldError("native_dim", "must be a positive multiple of the input format's block size (" +
                                        std::to_string(t.inputFormat.blockSize) + ")");
  if (t.tileEngines == 0)
    return fieldError("tile_engines", "must be positive");
  if (t.lanes == 0)
    return fieldError("lanes", "must be positive");
  if (t.numMfus < 1 || t.numMfus > kMaxMfus)
    return fieldError("num_mfus", "must be 1.." + std::to_string(kMaxMfus));
  if (t.ivrfDepth == 0)
    return fieldError("ivrf_depth", "must be positive");
  if (t.asvrfDepth == 0)
    return fieldError("asvrf_depth", "must be positive");
  if (t.mulvrfDepth == 0)
    return fieldError("mulvrf_depth", "must be positive");
  if (t.mrfTiles == 0)
    return fieldError("mrf_tiles", "must be positive");
  if (t.dramBytes == 0 || t.dramBytes % 4 != 0)
    return fieldError("dram_bytes", "must be a positive multiple of 4 (DRAM holds fp32 elements)");
  if (!(std::isfinite(t.clockMHz) && t.clockMHz > 0))
    return fieldError("clock_mhz", "must be a positive finite number");
  return std::nullopt;
}

/// Captures nlohmann's parse error text (with line and column) without
/// building a document; used only after the non-throwing parse failed.
struct ErrorCapture : nlohmann::json_sax<json> {
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t &) override { return true; }
  bool string(string_t &) override { return true; }
  bool binary(binary_t &) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t &) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &ex) override {
    // Drop nlohmann's "[json.exception.parse_error.101] " tag.
    message = ex.what();
    if (message.size() > 2 && message[0] == '[' && message.find("] ") != std::string::npos)
      message = message.substr(message.find("] ") + 2);
    return false;
  }
};

/// Reads the fields of one JSON object into a Target, checking types.
class FieldReader {
public:
  explicit FieldReader(const json &object) : object_(object) {}

  bool readString(const char *key, std::string &out, std::string &error) {
    const json *v = find(key, error);
    if (!v)
      return false;
    if (!v->is_string()) {
      error = fieldError(key, "must be a string");
      return false;
    }
    out = v->get<std::string>();
    return true;
  }

  bool readUnsigned(const char *key, uint64_t max, uint64_t &out, std::string &error) {
    const json *v = find(key, error);
    if (!v)
      return false;
    if (v->is_number_unsigned()) {
      out = v->get<uint64_t>();
      if (out <= max)
        return true;
      error = fieldError(key, "is out of range (at most " + std::to_string(max) + ")");
      return false;
    }
    error = fieldError(key, v->is_number_integer() ? "must not be negative" : "must be an integer");
    return false;
  }

  bool readUnsigned(const char *key, unsigned &out, std::string &error) {
    uint64_t value = 0;
    if (!readUnsigned(key, std::numeric_limits<unsigned>::max(), value, error))
      return false;
    out = static_cast<unsigned>(value);
    return true;
  }

  bool readNumber(const char *key, double &out, std::string &error) {
    const json *v = find(key, error);
    if (!v)
      return false;
    if (!v->is_number()) {
      error = fieldError(key, "must be a number");
      return false;
    }
    out = v->get<double>();
    return true;
  }

  bool readFormat(const char *key, NumberFormat &out, std::string &error) {
    std::string text;
    if (!readString(key, text, error))
      return false;
    std::string why;
    std::optional<NumberFormat> f = NumberFormat::parse(text, &why);
    if (!f) {
      error = fieldError(key, "is invalid: " + why);
      return false;
    }
    out = *f;
    return true;
  }

  /// `rounding` is optional and defaults to nearest-even.
  bool readRounding(const char *key, numerics::Rounding &out, std::string &error) {
    if (!object_.contains(key))
      return true;
    std::string text;
    if (!readString(key, text, error))
      return false;
    std::optional<numerics::Rounding> r = numerics::parseRounding(text);
    if (!r) {
      error = fieldError(key, "is '" + text + "': expected nearest-even, nearest-away or toward-zero");
      return false;
    }
    out = *r;
    return true;
  }

private:
  const json *find(const char *key, std::string &error) {
    auto it = object_.find(key);
    if (it == object_.end()) {
      error = fieldError(key, "is missing");
      return nullptr;
    }
    return &*it;
  }

  const json &object_;
};

std::optional<std::string> unknownFields(const json &object) {
  std::string names;
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const char *f : kFieldNames)
      known = known || it.key() == f;
    if (!known)
      names += (names.empty() ? "'" : ", '") + it.key() + "'";
  }
  if (names.empty())
    return std::nullopt;
  std::string all;
  for (const char *f : kFieldNames)
    all += (all.empty() ? "" : ", ") + std::string(f);
  return "unknown field(s) " + names + " (known fields: " + all + ")";
}

std::string presetList() {
  std::string list;
  for (const std::string &n : presetNames())
    list += (list.empty() ? "" : ", ") + n;
  return list;
}

} // namespace

std::optional<std::string> Target::validate() const {
  if (std::optional<std::string> e = checkFields(*this))
    return "target '" + name + "': " + *e;
  return std::nullopt;
}

std::string Target::toJson() const {
  nlohmann::ordered_json j;
  j["name"] = name;
  j["native_dim"] = nativeDim;
  j["tile_engines"] = tileEngines;
  j["lanes"] = lanes;
  j["num_mfus"] = numMfus;
  j["ivrf_depth"] = ivrfDepth;
  j["asvrf_depth"] = asvrfDepth;
  j["mulvrf_depth"] = mulvrfDepth;
  j["mrf_tiles"] = mrfTiles;
  j["dram_bytes"] = dramBytes;
  j["clock_mhz"] = clockMHz;
  j["weight_format"] = weightFormat.name();
  j["input_format"] = inputFormat.name();
  j["rounding"] = numerics::roundingName(rounding);
  // Replace (not throw) on invalid UTF-8 in the name.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

uint64_t Target::hash() const {
  uint64_t h = 14695981039346656037ull; // FNV-1a 64 offset basis
  for (unsigned char c : toJson()) {
    h ^= c;
    h *= 1099511628211ull; // FNV-1a 64 prime
  }
  return h;
}

std::optional<Target> Target::fromJson(const std::string &text, const std::string &origin,
                                       std::string &error) {
  const std::string prefix = "target '" + origin + "': ";
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ErrorCapture capture;
    json::sax_parse(text, &capture);
    error = prefix + "invalid JSON: " + (capture.message.empty() ? "parse error" : capture.message);
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = prefix + "expected a JSON object";
    return std::nullopt;
  }
  if (std::optional<std::string> unknown = unknownFields(j)) {
    error = prefix + *unknown;
    return std::nullopt;
  }

  Target t;
  FieldReader r(j);
  std::string e;
  bool ok = r.readString("name", t.name, e) && r.readUnsigned("native_dim", t.nativeDim, e) &&
            r.readUnsigned("tile_engines", t.tileEngines, e) && r.readUnsigned("lanes", t.lanes, e) &&
            r.readUnsigned("num_mfus", t.numMfus, e) && r.readUnsigned("ivrf_depth", t.ivrfDepth, e) &&
            r.readUnsigned("asvrf_depth", t.asvrfDepth, e) &&
            r.readUnsigned("mulvrf_depth", t.mulvrfDepth, e) &&
            r.readUnsigned("mrf_tiles", t.mrfTiles, e) &&
            r.readUnsigned("dram_bytes", std::numeric_limits<uint64_t>::max(), t.dramBytes, e) &&
            r.readNumber("clock_mhz", t.clockMHz, e) && r.readFormat("weight_format", t.weightFormat, e) &&
            r.readFormat("input_format", t.inputFormat, e) && r.readRounding("rounding", t.rounding, e);
  if (ok) {
    if (std::optional<std::string> invalid = checkFields(t)) {
      e = *invalid;
      ok = false;
    }
  }
  if (!ok) {
    error = prefix + e;
    return std::nullopt;
  }
  return t;
}

std::optional<Target> Target::load(const std::string &nameOrPath, std::string &error) {
  if (std::optional<Target> preset = findPreset(nameOrPath))
    return preset;
  std::error_code ec;
  const std::filesystem::path path(nameOrPath);
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (std::filesystem::exists(path, ec))
      error = "target '" + nameOrPath + "': not a regular file";
    else
      error = "unknown target '" + nameOrPath + "': not a preset (" + presetList() + ") and no such file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "target '" + nameOrPath + "': cannot open the file";
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "target '" + nameOrPath + "': cannot read the file";
    return std::nullopt;
  }
  return fromJson(text, nameOrPath, error);
}

Target Target::withPrecision(const NumberFormat &fmt) const {
  Target t = *this;
  t.weightFormat = fmt;
  t.inputFormat = fmt;
  return t;
}

} // namespace softnpu::target
