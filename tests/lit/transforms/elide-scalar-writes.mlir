// RUN: npu-opt --split-input-file --fpga-elide-scalar-writes %s | FileCheck %s
// fpga-elide-scalar-writes alone: an s_wr of the value its register holds is
// removed; registers start at their reset values (ScalarRegs.def: ROWS 1,
// COLS 1, RD_LEN 0, RD_STRIDE 1, WR_LEN 0, MAT_H 0, MAT_W 0, MFMT 0,
// MAT_PITCH 0, RD_STEP 0, WR_STEP 0), and every register is unknown at the
// head of a loop body and after the loop.

// Reset values: writing them first thing is redundant; any other value is not.
// CHECK-LABEL: fpga.program @reset
// CHECK-NEXT:  fpga.input "x" shape [16] at 0
// CHECK-NEXT:  fpga.s_wr RD_LEN, 16
// CHECK-NEXT:  fpga.s_wr WR_STEP, -1
// CHECK-NEXT:  fpga.chain {
// CHECK-NEXT:    fpga.v_rd DRAM[0]
// CHECK-NEXT:    fpga.v_wr IVRF[0]
// CHECK-NEXT:  }
// CHECK-NEXT: }
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @reset attributes {dram_elements = 16 : i64} {
    fpga.input "x" shape [16] at 0
    fpga.s_wr ROWS, 1
    fpga.s_wr COLS, 1
    fpga.s_wr RD_LEN, 0
    fpga.s_wr RD_STRIDE, 1
    fpga.s_wr WR_LEN, 0
    fpga.s_wr MAT_H, 0
    fpga.s_wr MAT_W, 0
    fpga.s_wr MFMT, 0
    fpga.s_wr MAT_PITCH, 0
    fpga.s_wr RD_STEP, 0
    fpga.s_wr RD_LEN, 16
    fpga.s_wr WR_STEP, -1
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.v_wr IVRF[0]
    }
  }
}

// -----

// A value written again is removed, also across chains and m_rd (they only
// read registers); a write after the value changed is kept, and so is the
// write back to the old value. Registers are independent of each other.
// CHECK-LABEL: fpga.program @straight
// CHECK-NEXT:  fpga.s_wr COLS, 2
// CHECK-NEXT:  fpga.s_wr RD_LEN, 32
// CHECK-NEXT:  fpga.chain {
// CHECK-NEXT:    fpga.v_rd DRAM[0]
// CHECK-NEXT:    fpga.v_wr IVRF[0]
// CHECK-NEXT:  }
// CHECK-NEXT:  fpga.chain {
// CHECK-NEXT:    fpga.v_rd DRAM[32]
// CHECK-NEXT:    fpga.v_wr IVRF[2]
// CHECK-NEXT:  }
// CHECK-NEXT:  fpga.s_wr RD_LEN, 16
// CHECK-NEXT:  fpga.chain {
// CHECK-NEXT:    fpga.v_rd DRAM[64]
// CHECK-NEXT:    fpga.v_wr IVRF[4]
// CHECK-NEXT:  }
// CHECK-NEXT:  fpga.s_wr RD_LEN, 32
// CHECK-NEXT:  fpga.s_wr MAT_H, 4
// CHECK-NEXT:  fpga.s_wr MAT_W, 4
// CHECK-NEXT:  fpga.m_rd dram[0] to tile 0
// CHECK-NEXT:  fpga.m_rd dram[16] to tile 1
// CHECK-NEXT:  fpga.s_wr MAT_W, 8
// CHECK-NEXT:  fpga.m_rd dram[32] to tile 2
// CHECK-NEXT: }
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @straight attributes {dram_elements = 96 : i64} {
    fpga.s_wr COLS, 2
    fpga.s_wr RD_LEN, 32
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.v_wr IVRF[0]
    }
    fpga.s_wr COLS, 2
    fpga.s_wr RD_LEN, 32
    fpga.chain {
      fpga.v_rd DRAM[32]
      fpga.v_wr IVRF[2]
    }
    fpga.s_wr COLS, 2
    fpga.s_wr RD_LEN, 16
    fpga.chain {
      fpga.v_rd DRAM[64]
      fpga.v_wr IVRF[4]
    }
    fpga.s_wr RD_LEN, 32
    fpga.s_wr MAT_H, 4
    fpga.s_wr MAT_W, 4
    fpga.m_rd dram[0] to tile 0
    fpga.s_wr MAT_H, 4
    fpga.s_wr MAT_W, 4
    fpga.m_rd dram[16] to tile 1
    fpga.s_wr MAT_H, 4
    fpga.s_wr MAT_W, 8
    fpga.m_rd dram[32] to tile 2
  }
}

// -----

// A loop: its body runs again from the state its previous iteration left, so
// the first write of each register the body writes stays even when the
// value before the loop is the same (RD_STEP, COLS), and the next one of the
// same value goes. After a loop that runs, the registers its body writes hold
// what the body ends with (COLS 1, RD_STEP 32: both writes after it go), the
// others what they held before. A negative step is a value like any other.
// CHECK-LABEL: fpga.program @loop
// CHECK-NEXT:  fpga.s_wr COLS, 2
// CHECK-NEXT:  fpga.s_wr RD_STEP, 32
// CHECK-NEXT:  fpga.chain {
// CHECK-NEXT:    fpga.v_rd DRAM[0]
// CHECK-NEXT:    fpga.v_wr IVRF[0]
// CHECK-NEXT:  }
// CHECK-NEXT:  fpga.loop 3 {
// CHECK-NEXT:    fpga.s_wr COLS, 2
// CHECK-NEXT:    fpga.s_wr RD_STEP, 32
// CHECK-NEXT:    fpga.chain {
// CHECK-NEXT:      fpga.v_rd DRAM[32] {iter}
// CHECK-NEXT:      fpga.v_wr IVRF[0]
// CHECK-NEXT:    }
// CHECK-NEXT:    fpga.chain {
// CHECK-NEXT:      fpga.v_rd IVRF[0]
// CHECK-NEXT:      fpga.v_wr IVRF[2]
// CHECK-NEXT:    }
// CHECK-NEXT:    fpga.s_wr COLS, 1
// CHECK-NEXT:    fpga.chain {
// CHECK-NEXT:      fpga.v_rd IVRF[2]
// CHECK-NEXT:      fpga.v_wr IVRF[4]
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NEXT:  fpga.loop 2 {
// CHECK-NEXT:    fpga.s_wr RD_STEP, -1
// CHECK-NEXT:    fpga.chain {
// CHECK-NEXT:      fpga.v_rd DRAM[1] {iter}
// CHECK-NEXT:      fpga.v_wr IVRF[0]
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NEXT: }
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @loop attributes {dram_elements = 160 : i64} {
    fpga.s_wr COLS, 2
    fpga.s_wr RD_STEP, 32
    fpga.chain {
      fpga.v_rd DRAM[0]
      fpga.v_wr IVRF[0]
    }
    fpga.loop 3 {
      fpga.s_wr COLS, 2
      fpga.s_wr RD_STEP, 32
      fpga.chain {
        fpga.v_rd DRAM[32] {iter}
        fpga.v_wr IVRF[0]
      }
      fpga.s_wr COLS, 2
      fpga.chain {
        fpga.v_rd IVRF[0]
        fpga.v_wr IVRF[2]
      }
      fpga.s_wr COLS, 1
      fpga.chain {
        fpga.v_rd IVRF[2]
        fpga.v_wr IVRF[4]
      }
    }
    fpga.s_wr COLS, 1
    fpga.s_wr RD_STEP, 32
    fpga.loop 2 {
      fpga.s_wr RD_STEP, -1
      fpga.s_wr RD_STEP, -1
      fpga.chain {
        fpga.v_rd DRAM[1] {iter}
        fpga.v_wr IVRF[0]
      }
    }
  }
}

// -----

// Nested loops: the same rule at each head and exit. The inner body writes
// WR_STEP, so it is unknown at the inner head; after the inner loop it holds
// the 16 the inner body ends with, and the outer body's next write goes.
// CHECK-LABEL: fpga.program @nested
// CHECK-NEXT:  fpga.loop 2 {
// CHECK-NEXT:    fpga.s_wr WR_STEP, 16
// CHECK-NEXT:    fpga.loop 3 {
// CHECK-NEXT:      fpga.s_wr WR_STEP, 16
// CHECK-NEXT:      fpga.chain {
// CHECK-NEXT:        fpga.v_rd IVRF[0]
// CHECK-NEXT:        fpga.v_wr DRAM[0] {iter}
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    fpga.chain {
// CHECK-NEXT:      fpga.v_rd IVRF[0]
// CHECK-NEXT:      fpga.v_wr DRAM[48] {iter}
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NEXT: }
module attributes {fpga.target = #fpga.target<"tiny">} {
  fpga.program @nested attributes {dram_elements = 96 : i64} {
    fpga.loop 2 {
      fpga.s_wr WR_STEP, 16
      fpga.s_wr WR_STEP, 16
      fpga.loop 3 {
        fpga.s_wr WR_STEP, 16
        fpga.s_wr WR_STEP, 16
        fpga.chain {
          fpga.v_rd IVRF[0]
          fpga.v_wr DRAM[0] {iter}
        }
      }
      fpga.s_wr WR_STEP, 16
      fpga.chain {
        fpga.v_rd IVRF[0]
        fpga.v_wr DRAM[48] {iter}
      }
    }
  }
}
