// RUN: npu-opt -split-input-file -verify-diagnostics %s
// fpga.mfu names only multifunction-unit instructions; its own verifier
// reports before the chain rules are checked (ChainOp::verifyRegions).

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // expected-error @+1 {{'fpga.mfu' op 's_wr' is not a multifunction-unit instruction}}
      fpga.mfu s_wr
      fpga.v_wr DRAM[0]
    }
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @main attributes {dram_elements = 16 : i64} {
    fpga.chain {
      fpga.v_rd DRAM[0]
      // expected-error @+1 {{'fpga.mfu' op 'v_rd' is not a multifunction-unit instruction}}
      fpga.mfu v_rd
      fpga.v_wr DRAM[0]
    }
  }
}
