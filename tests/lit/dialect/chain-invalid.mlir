// RUN: npu-opt -split-input-file -verify-diagnostics %s
// fpga.chain is checked with the runtime's own chain planner against the
// module's target (tiny: 2 multifunction units, each with an add/sub, a
// multiply and an activation stage, in that order).

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    // add, act, add (second MFU), act, add: a third MFU would be needed.
    // expected-error @+1 {{'fpga.chain' op the hardware cannot run this chain: instruction 5 (vv_add 0): chain needs more than the target's 2 multifunction units}}
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.mfu vv_add
      fpga.mfu v_relu
      fpga.mfu vv_add
      fpga.mfu v_relu
      fpga.mfu vv_add
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

// Six point-wise steps in stage order fill both MFUs exactly: valid.
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd IVRF[0]
      fpga.mv_mul 0
      fpga.mfu vv_add[1]
      fpga.mfu vv_mul[2]
      fpga.mfu v_relu
      fpga.mfu vv_a_sub_b
      fpga.mfu vv_mul
      fpga.mfu v_tanh
      fpga.v_wr DRAM[0]
      fpga.v_wr IVRF[4]
    }
  }
}

// -----

// The same chain on a target (given as JSON) with 3 MFUs is fine.
module attributes {fpga.target = #fpga.target<"{\22name\22: \22tiny3\22, \22native_dim\22: 16, \22tile_engines\22: 2, \22lanes\22: 4, \22num_mfus\22: 3, \22ivrf_depth\22: 256, \22asvrf_depth\22: 256, \22mulvrf_depth\22: 256, \22mrf_tiles\22: 256, \22dram_bytes\22: 67108864, \22clock_mhz\22: 100.0, \22weight_format\22: \22msfp15\22, \22input_format\22: \22msfp15\22, \22rounding\22: \22nearest-even\22}">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.mfu vv_add
      fpga.mfu v_relu
      fpga.mfu vv_add
      fpga.mfu v_relu
      fpga.mfu vv_add
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    // expected-error @+1 {{'fpga.chain' op the hardware cannot run this chain: instruction 1 (mv_mul 0): an mv_mul chain must read its vector from the IVRF}}
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.mv_mul 0
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    // expected-error @+1 {{'fpga.chain' op the hardware cannot run this chain: instruction 2 (end_chain): chain ends without a v_wr}}
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.mfu v_relu
    }
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // Memories are an enum made from MemSpaces.def.
      // expected-error @+1 {{for attribute 'mem' [NONE, DRAM, IVRF, ASVRF, MULVRF, MRF]}}
      fpga.v_wr FOO[0]
    }
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // Instructions are an enum made from Isa.def: an unknown one does not parse.
      // expected-error @+1 {{for attribute 'inst' [v_rd, mv_mul, vv_add}}
      fpga.mfu v_frobnicate
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

// An ISA instruction that is not point-wise is refused by fpga.mfu's verifier.
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // expected-error @+1 {{'fpga.mfu' op 'mv_mul' is not a multifunction-unit instruction}}
      fpga.mfu mv_mul
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

// An instruction that is not point-wise cannot be an fpga.mfu step; the op's
// own verifier names it before the chain rules are checked.
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // expected-error @+1 {{'fpga.mfu' op 'm_rd' is not a multifunction-unit instruction}}
      fpga.mfu m_rd
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // expected-error @+1 {{'fpga.mfu' op 'v_relu' takes no operand}}
      fpga.mfu v_relu[3]
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

// Instructions of a chain only exist inside one.
fpga.program @main attributes {dram_elements = 16 : i64} {
  // expected-error @+1 {{'fpga.v_rd' op expects parent op 'fpga.chain'}}
  fpga.v_rd DRAM[0]
}
