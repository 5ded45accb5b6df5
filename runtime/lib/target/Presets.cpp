//===- Presets.cpp - The built-in target descriptions --------------------===//
//
// One table of named targets (docs/targets.md lists them). Sizes are in the
// units of Target.h: VRF depths in native vectors, MRF in N x N tiles, DRAM
// in bytes, clock in MHz.
//
//===----------------------------------------------------------------------===//
#include "Presets.h"

namespace softnpu::target {

namespace {

using numerics::NumberFormat;
using numerics::Rounding;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

Target makeTarget(const char *name, unsigned nativeDim, unsigned tileEngines, unsigned lanes, unsigned numMfus,
                  unsigned vrfDepth, unsigned mrfTiles, uint64_t dramBytes, double clockMHz, NumberFormat format,
                  double dramGBps, unsigned dramLatency) {
  Target t;
  t.name = name;
  t.nativeDim = nativeDim;
  t.tileEngines = tileEngines;
  t.lanes = lanes;
  t.numMfus = numMfus;
  t.ivrfDepth = vrfDepth;
  t.asvrfDepth = vrfDepth;
  t.mulvrfDepth = vrfDepth;
  t.mrfTiles = mrfTiles;
  t.dramBytes = dramBytes;
  t.clockMHz = clockMHz;
  t.weightFormat = format;
  t.inputFormat = format;
  t.mfuFormat = NumberFormat::fp32();
  t.rounding = Rounding::NearestEven;
  t.dramBandwidthGBps = dramGBps;
  t.dramLatencyCycles = dramLatency;
  // Pipeline latencies: the intel/fpga-npu defaults of Latencies. Network
  // queues: the VRF depth (a request is at most a VRF's worth of vectors).
  t.networkQueueDepth = vrfDepth;
  return t;
}

/// Tests feed large tensors to the tiny target to reach its DRAM limit.
Target bigQueues(Target t) {
  t.networkQueueDepth = 1u << 20;
  return t;
}

Target streaming(Target t) {
  t.weightResidency = Target::WeightResidency::Stream;
  return t;
}

const std::vector<Target> &presets() {
  static const NumberFormat msfp15 = NumberFormat::bfp(6, 16);
  static const std::vector<Target> table = {
      // brainwave-s10: the published Stratix 10 Brainwave shape (ISCA 2018):
      // N=400, T=6 tile engines, L=40 lanes (96,000 MACs), 2 MFUs, IVRF/ASVRF/
      // MULVRF 512 vectors, MRF 2048 tiles, 8 GiB DRAM, 250 MHz, msfp15
      // weights and inputs, round to nearest even. DRAM 64 GB/s (four DDR4
      // channels of a Stratix 10 board, rounded down), 100 cycles latency.
      makeTarget("brainwave-s10", 400, 6, 40, 2, 512, 2048, 8 * kGiB, 250.0, msfp15, 64.0, 100),
      // cnn-n128: the later CNN configuration with native dimension 128: T=6,
      // L=32, 2 MFUs, VRFs 1024 vectors, MRF 1024 tiles, 4 GiB DRAM, 300 MHz,
      // msfp15; DRAM 64 GB/s, 100 cycles. Like the published CNN configuration
      // it streams every weight matrix from DRAM, double-buffered layer by layer.
      streaming(makeTarget("cnn-n128", 128, 6, 32, 2, 1024, 1024, 4 * kGiB, 300.0, msfp15, 64.0, 100)),
      // fpga-npu: the academic FPGA NPU shape (7 tile engines x 40 DPEs x 40
      // lanes, 2 MFUs, VRF depth 512, MRF depth 1024 per engine -> 7168
      // tiles), 4 GiB DRAM, 300 MHz; BFP with 7 mantissa bits in blocks of 8
      // (5 blocks per native vector of 40); DRAM 32 GB/s, 100 cycles.
      makeTarget("fpga-npu", 40, 7, 40, 2, 512, 7 * 1024, 4 * kGiB, 300.0, NumberFormat::bfp(7, 8), 32.0, 100),
      // tiny: a small target for tests: N=16, T=2, L=4, 2 MFUs, VRFs 256
      // vectors, MRF 256 tiles, 64 MiB DRAM, 100 MHz, msfp15; DRAM 1.6 GB/s
      // (16 bytes = 4 elements per cycle, so DRAM costs show in small tests),
      // 20 cycles latency; network queues of 2^20 vectors (I/O never limits).
      bigQueues(makeTarget("tiny", 16, 2, 4, 2, 256, 256, 64 * kMiB, 100.0, msfp15, 1.6, 20)),
  };
  return table;
}

} // namespace

std::vector<std::string> presetNames() {
  std::vector<std::string> names;
  for (const Target &t : presets())
    names.push_back(t.name);
  return names;
}

const char *defaultTargetName() { return "brainwave-s10"; }

std::optional<Target> findPreset(const std::string &name) {
  for (const Target &t : presets())
    if (t.name == name)
      return t;
  return std::nullopt;
}

} // namespace softnpu::target
