//===- Target.cpp - Target validation, JSON form, hashing and loading ----===//
//
// A target is a preset (Presets.cpp) or a JSON object with the snake_case
// fields of docs/targets.md. Parsing never throws: nlohmann's non-throwing
// parse is used and every field's type is checked before it is read.
//
//===----------------------------------------------------------------------===//
#include "softnpu/target/Target.h"

#include "Presets.h"
#include "softnpu/Limits.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace softnpu::target {

namespace {

using nlohmann::json;
using numerics::NumberFormat;

constexpr unsigned kMaxMfus = 8;

// JSON keys in canonical order.
const char *const kFieldNames[] = {"name",
                                   "native_dim",
                                   "tile_engines",
                                   "lanes",
                                   "num_mfus",
                                   "ivrf_depth",
                                   "asvrf_depth",
                                   "mulvrf_depth",
                                   "mrf_tiles",
                                   "dram_bytes",
                                   "clock_mhz",
                                   "weight_format",
                                   "input_format",
                                   "mfu_format",
                                   "rounding",
                                   "dram_bandwidth_gbps",
                                   "dram_latency_cycles",
                                   "latencies",
                                   "mfu_operations",
                                   "weight_residency",
                                   "network_queue_depth",
                                   "host_gflops",
                                   "host_link_gbps",
                                   "host_link_latency_us"};

/// The keys of the optional "latencies" object, in canonical order, with the
/// Latencies member each one sets.
struct LatencyKey {
  const char *key;
  unsigned Latencies::*field;
};
const LatencyKey kLatencyKeys[] = {{"multiplier", &Latencies::multiplier},
                                   {"adder", &Latencies::adder},
                                   {"rf_read", &Latencies::rfRead},
                                   {"rf_write", &Latencies::rfWrite},
                                   {"mrf_to_dpe", &Latencies::mrfToDpe},
                                   {"vrf_to_dpe", &Latencies::vrfToDpe},
                                   {"mvu_accumulate", &Latencies::mvuAccumulate},
                                   {"reduction", &Latencies::reduction},
                                   {"mfu_stage", &Latencies::mfuStage},
                                   {"write_back", &Latencies::writeBack},
                                   {"chain_issue", &Latencies::chainIssue},
                                   {"scalar_issue", &Latencies::scalarIssue}};

/// Latencies above this are rejected as typos (about 4 ms at 250 MHz).
constexpr unsigned kMaxLatency = 1u << 20;

std::string fieldError(const char *field, const std::string &what) {
  return std::string("field '") + field + "' " + what;
}

/// The rules of docs/targets.md, formats first. Returns the message without
/// the "target '...': " prefix.
std::optional<std::string> checkFields(const Target &t) {
  if (t.name.empty())
    return fieldError("name", "must be a non-empty string");
  if (!t.weightFormat.isValid() || (!t.weightFormat.isBlock() && !t.weightFormat.isFp32()))
    return fieldError("weight_format", "must be fp32 or a block format (is '" + t.weightFormat.name() + "')");
  if (!t.inputFormat.isValid() || (!t.inputFormat.isBlock() && !t.inputFormat.isFp32()))
    return fieldError("input_format", "must be fp32 or a block format (is '" + t.inputFormat.name() + "')");
  if (std::optional<std::string> why = numerics::checkMatrixFormats(t.weightFormat, t.inputFormat))
    return fieldError("input_format", "does not pair with weight_format: " + *why);
  for (size_t i = 0; i < t.mfuOperations.size(); ++i) {
    const std::string &op = t.mfuOperations[i];
    const isa::InstInfo *info = isa::lookup(op);
    bool pointwise = info && (info->kind == isa::Kind::MfuAddSub || info->kind == isa::Kind::MfuMul ||
                              info->kind == isa::Kind::MfuAct);
    if (!pointwise)
      return fieldError(
          "mfu_operations", "names '" + op + "', which is not a point-wise instruction (" + [] {
            std::string all;
            for (const std::string &m : Target::allMfuOperations())
              all += (all.empty() ? "" : ", ") + m;
            return all;
          }() + ")");
    for (size_t j = 0; j < i; ++j)
      if (t.mfuOperations[j] == op)
        return fieldError("mfu_operations", "lists '" + op + "' twice");
  }
  if (!t.mfuFormat.isValid() || !t.mfuFormat.isScalar())
    return fieldError("mfu_format", "must be fp32, bf16 or fp16 (is '" + t.mfuFormat.name() + "')");
  if (!numerics::parseRounding(numerics::roundingName(t.rounding)))
    return fieldError("rounding", "is not a valid rounding mode");

  // Positive, and within the limits of softnpu/Limits.h (docs/limits.md):
  // the simulator allocates register files from these fields.
  const struct {
    const char *field;
    uint64_t value, max;
  } counts[] = {{"native_dim", t.nativeDim, limits::kMaxNativeDim},
                {"tile_engines", t.tileEngines, limits::kMaxTileEngines},
                {"lanes", t.lanes, limits::kMaxLanes},
                {"ivrf_depth", t.ivrfDepth, limits::kMaxVrfDepth},
                {"asvrf_depth", t.asvrfDepth, limits::kMaxVrfDepth},
                {"mulvrf_depth", t.mulvrfDepth, limits::kMaxVrfDepth},
                {"mrf_tiles", t.mrfTiles, limits::kMaxMrfTiles},
                {"network_queue_depth", t.networkQueueDepth, limits::kMaxNetworkQueueDepth}};
  for (const auto &c : counts) {
    if (c.value == 0)
      return fieldError(c.field, "must be positive");
    if (c.value > c.max)
      return fieldError(c.field, "is " + std::to_string(c.value) + ", above the limit of " + std::to_string(c.max));
  }
  if (t.numMfus < 1 || t.numMfus > kMaxMfus)
    return fieldError("num_mfus", "must be 1.." + std::to_string(kMaxMfus));
  const uint64_t vectorBytes = uint64_t{t.nativeDim} * 4;
  const uint64_t vrfBytes = (t.ivrfDepth + uint64_t{t.numMfus} * (t.asvrfDepth + t.mulvrfDepth)) * vectorBytes;
  if (vrfBytes > limits::kMaxVrfBytes)
    return fieldError("ivrf_depth", "with asvrf_depth, mulvrf_depth, num_mfus and native_dim makes " +
                                        std::to_string(vrfBytes) + " bytes of vector registers, above the limit of " +
                                        std::to_string(limits::kMaxVrfBytes));
  const uint64_t mrfBytes = uint64_t{t.mrfTiles} * t.nativeDim * vectorBytes;
  if (mrfBytes > limits::kMaxMrfBytes)
    return fieldError("mrf_tiles", "with native_dim makes " + std::to_string(mrfBytes) +
                                       " bytes of matrix registers (as fp32), above the limit of " +
                                       std::to_string(limits::kMaxMrfBytes));
  if (t.dramBytes == 0 || t.dramBytes % 4 != 0)
    return fieldError("dram_bytes", "must be a positive multiple of 4 (DRAM holds fp32 elements)");
  if (t.dramBytes > limits::kMaxTargetDramBytes)
    return fieldError("dram_bytes", "is " + std::to_string(t.dramBytes) + ", above the limit of " +
                                        std::to_string(limits::kMaxTargetDramBytes));
  if (!(std::isfinite(t.clockMHz) && t.clockMHz > 0))
    return fieldError("clock_mhz", "must be a positive finite number");
  if (!(std::isfinite(t.dramBandwidthGBps) && t.dramBandwidthGBps > 0))
    return fieldError("dram_bandwidth_gbps", "must be a positive finite number");
  if (!(std::isfinite(t.hostGflops) && t.hostGflops > 0))
    return fieldError("host_gflops", "must be a positive finite number");
  if (!(std::isfinite(t.hostLinkGBps) && t.hostLinkGBps > 0))
    return fieldError("host_link_gbps", "must be a positive finite number");
  if (!(std::isfinite(t.hostLinkLatencyUs) && t.hostLinkLatencyUs >= 0))
    return fieldError("host_link_latency_us", "must be a finite number >= 0");
  if (t.dramLatencyCycles > kMaxLatency)
    return fieldError("dram_latency_cycles", "is out of range (at most " + std::to_string(kMaxLatency) + ")");
  for (const LatencyKey &k : kLatencyKeys)
    if (t.latencies.*k.field > kMaxLatency)
      return fieldError("latencies", std::string("key '") + k.key + "' is out of range (at most " +
                                         std::to_string(kMaxLatency) + ")");
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

  /// `mfu_format` is optional and defaults to fp32.
  bool readOptionalFormat(const char *key, NumberFormat &out, std::string &error) {
    return !object_.contains(key) || readFormat(key, out, error);
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

  /// Optional fields keep the Target's default when absent.
  bool readOptionalNumber(const char *key, double &out, std::string &error) {
    return !object_.contains(key) || readNumber(key, out, error);
  }
  bool readOptionalUnsigned(const char *key, unsigned &out, std::string &error) {
    return !object_.contains(key) || readUnsigned(key, out, error);
  }

  /// `weight_residency`: optional, "pin" (default) or "stream".
  bool readResidency(const char *key, Target::WeightResidency &out, std::string &error) {
    if (!object_.contains(key))
      return true;
    std::string text;
    if (!readString(key, text, error))
      return false;
    if (text != "pin" && text != "stream") {
      error = fieldError(key, "is '" + text + "': expected pin or stream");
      return false;
    }
    out = text == "pin" ? Target::WeightResidency::Pin : Target::WeightResidency::Stream;
    return true;
  }

  /// `mfu_operations`: an optional array of ISA point-wise mnemonics.
  bool readMfuOperations(const char *key, std::vector<std::string> &out, std::string &error) {
    if (!object_.contains(key))
      return true;
    const json &v = object_.at(key);
    if (!v.is_array()) {
      error = fieldError(key, "must be an array of instruction mnemonics");
      return false;
    }
    out.clear();
    for (const json &e : v) {
      if (!e.is_string()) {
        error = fieldError(key, "must hold strings");
        return false;
      }
      out.push_back(e.get<std::string>());
    }
    return true;
  }

  /// `latencies`: an optional object; every key optional, unknown keys rejected.
  bool readLatencies(const char *key, Latencies &out, std::string &error) {
    if (!object_.contains(key))
      return true;
    const json &v = object_.at(key);
    if (!v.is_object()) {
      error = fieldError(key, "must be a JSON object");
      return false;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const LatencyKey *known = nullptr;
      for (const LatencyKey &k : kLatencyKeys)
        if (it.key() == k.key)
          known = &k;
      if (!known) {
        std::string all;
        for (const LatencyKey &k : kLatencyKeys)
          all += (all.empty() ? "" : ", ") + std::string(k.key);
        error = fieldError(key, "has unknown key '" + it.key() + "' (known keys: " + all + ")");
        return false;
      }
      if (!it->is_number_unsigned()) {
        error = fieldError(key, "key '" + it.key() + "' " +
                                    (it->is_number_integer() ? "must not be negative" : "must be an integer"));
        return false;
      }
      const uint64_t value = it->get<uint64_t>();
      if (value > kMaxLatency) {
        error = fieldError(key, "key '" + it.key() + "' is out of range (at most " + std::to_string(kMaxLatency) + ")");
        return false;
      }
      out.*(known->field) = static_cast<unsigned>(value);
    }
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

bool Latencies::operator==(const Latencies &o) const {
  for (const LatencyKey &k : kLatencyKeys)
    if (this->*k.field != o.*k.field)
      return false;
  return true;
}

std::optional<std::string> Target::validate() const {
  if (std::optional<std::string> e = checkFields(*this))
    return "target '" + name + "': " + *e;
  return std::nullopt;
}

std::string Target::toJson(bool compact) const {
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
  j["mfu_format"] = mfuFormat.name();
  j["rounding"] = numerics::roundingName(rounding);
  j["dram_bandwidth_gbps"] = dramBandwidthGBps;
  j["dram_latency_cycles"] = dramLatencyCycles;
  nlohmann::ordered_json lat = nlohmann::ordered_json::object();
  for (const LatencyKey &k : kLatencyKeys)
    lat[k.key] = latencies.*k.field;
  j["latencies"] = lat;
  j["mfu_operations"] = mfuOperations;
  j["weight_residency"] = weightResidency == WeightResidency::Pin ? "pin" : "stream";
  j["network_queue_depth"] = networkQueueDepth;
  j["host_gflops"] = hostGflops;
  j["host_link_gbps"] = hostLinkGBps;
  j["host_link_latency_us"] = hostLinkLatencyUs;
  // Replace (not throw) on invalid UTF-8 in the name.
  if (compact)
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::vector<std::string> Target::allMfuOperations() {
  std::vector<std::string> names;
  for (const isa::InstInfo *i : isa::mfuInstructions())
    names.push_back(i->mnemonic);
  return names;
}

isa::MfuConfig Target::mfuConfig() const {
  isa::MfuConfig c;
  c.count = numMfus;
  for (const std::string &op : mfuOperations)
    if (const isa::InstInfo *i = isa::lookup(op))
      c.implements[static_cast<uint8_t>(i->opcode)] = true;
  return c;
}

uint64_t Target::hash() const {
  uint64_t h = 14695981039346656037ull; // FNV-1a 64 offset basis
  for (unsigned char c : toJson()) {
    h ^= c;
    h *= 1099511628211ull; // FNV-1a 64 prime
  }
  return h;
}

std::optional<Target> Target::fromJson(const std::string &text, const std::string &origin, std::string &error) {
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
            r.readUnsigned("asvrf_depth", t.asvrfDepth, e) && r.readUnsigned("mulvrf_depth", t.mulvrfDepth, e) &&
            r.readUnsigned("mrf_tiles", t.mrfTiles, e) &&
            r.readUnsigned("dram_bytes", std::numeric_limits<uint64_t>::max(), t.dramBytes, e) &&
            r.readNumber("clock_mhz", t.clockMHz, e) && r.readFormat("weight_format", t.weightFormat, e) &&
            r.readFormat("input_format", t.inputFormat, e) && r.readOptionalFormat("mfu_format", t.mfuFormat, e) &&
            r.readRounding("rounding", t.rounding, e) &&
            r.readOptionalNumber("dram_bandwidth_gbps", t.dramBandwidthGBps, e) &&
            r.readOptionalUnsigned("dram_latency_cycles", t.dramLatencyCycles, e) &&
            r.readLatencies("latencies", t.latencies, e) && r.readMfuOperations("mfu_operations", t.mfuOperations, e) &&
            r.readResidency("weight_residency", t.weightResidency, e) &&
            r.readOptionalUnsigned("network_queue_depth", t.networkQueueDepth, e) &&
            r.readOptionalNumber("host_gflops", t.hostGflops, e) &&
            r.readOptionalNumber("host_link_gbps", t.hostLinkGBps, e) &&
            r.readOptionalNumber("host_link_latency_us", t.hostLinkLatencyUs, e);
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

std::optional<Target> Target::preset(const std::string &name) { return findPreset(name); }

std::optional<std::string> Target::presetName() const {
  std::optional<Target> p = findPreset(name);
  if (p && *p == *this)
    return name;
  return std::nullopt;
}

Target Target::withPrecision(const NumberFormat &fmt) const {
  Target t = *this;
  t.weightFormat = fmt;
  t.inputFormat = fmt;
  if (fmt.isFp32())
    t.mfuFormat = fmt;
  return t;
}

} // namespace softnpu::target
