// Only a preset name or inline JSON parses: IR never names a file, so
// checking it never reads the disk or depends on the working directory.
// RUN: npu-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{unknown target preset 'x.json' (presets: }}
module attributes {fpga.target = #fpga.target<"x.json">} {}

// -----

// expected-error @+1 {{IR names a preset or holds the target's JSON, never a file}}
module attributes {fpga.target = #fpga.target<"brainwave">} {}

// -----

// expected-error @+1 {{target '#fpga.target': field 'native_dim' must be positive}}
module attributes {fpga.target = #fpga.target<"{\22name\22: \22bad\22, \22native_dim\22: 0, \22tile_engines\22: 2, \22lanes\22: 4, \22num_mfus\22: 2, \22ivrf_depth\22: 256, \22asvrf_depth\22: 256, \22mulvrf_depth\22: 256, \22mrf_tiles\22: 256, \22dram_bytes\22: 67108864, \22clock_mhz\22: 100.0, \22weight_format\22: \22msfp15\22, \22input_format\22: \22msfp15\22, \22rounding\22: \22nearest-even\22}">} {}

// -----

// expected-error @+1 {{invalid JSON}}
module attributes {fpga.target = #fpga.target<"{not json">} {}
