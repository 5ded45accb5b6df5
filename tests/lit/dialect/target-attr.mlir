// #fpga.target holds the parsed target. It prints as the preset's name when
// the target is an unmodified preset and as its canonical JSON otherwise, and
// both forms parse back to the same target (a second round trip is stable).
// RUN: npu-opt %s | FileCheck %s
// RUN: npu-opt %s | npu-opt | FileCheck %s

// CHECK-LABEL: module @preset
// CHECK-SAME: fpga.target = #fpga.target<"tiny">
module @preset attributes {fpga.target = #fpga.target<"tiny">} {}

// A modified target prints as canonical JSON (every field, defaults included).
// CHECK-LABEL: module @custom
// CHECK-SAME: fpga.target = #fpga.target<"{\22name\22:\22tiny3\22,\22native_dim\22:16,
// CHECK-SAME: \22num_mfus\22:3,
// CHECK-SAME: \22latencies\22:{\22multiplier\22:2,
module @custom attributes {fpga.target = #fpga.target<"{\22name\22: \22tiny3\22, \22native_dim\22: 16, \22tile_engines\22: 2, \22lanes\22: 4, \22num_mfus\22: 3, \22ivrf_depth\22: 256, \22asvrf_depth\22: 256, \22mulvrf_depth\22: 256, \22mrf_tiles\22: 256, \22dram_bytes\22: 67108864, \22clock_mhz\22: 100.0, \22weight_format\22: \22msfp15\22, \22input_format\22: \22msfp15\22, \22rounding\22: \22nearest-even\22}">} {}
