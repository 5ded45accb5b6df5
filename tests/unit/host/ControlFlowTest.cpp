//===- ControlFlowTest.cpp - If, Loop, Scan and SequenceMap on the host ---===//
//
// Each loop form of the ONNX spec on a body small enough to follow by hand:
// a for loop with a scan output, a while loop reading an outer value, zero
// iterations, a loop-carried sequence; Scan backwards along axis 1 and
// opset 8's batches with sequence lengths; SequenceMap over a sequence and
// a tensor; If producing a sequence.
//
//===----------------------------------------------------------------------===//
#include "HostModels.h"

using namespace softnpu::host;
using namespace softnpu::host::testing;
using ElemVec = std::vector<double>;

namespace {

const onnx::TypeProto kFloatSeq = seqOf(tensorOf(onnx::TensorProto::FLOAT));
const onnx::TypeProto kInt64Seq = seqOf(tensorOf(onnx::TensorProto::INT64));

/// x += k for M iterations (no condition), each new x a scan output.
const char *const kForLoop = R"(<ir_version: 8, opset_import: ["" : 16]>
  g (int64 m, float[2] x, float[2] k) => (float[2] y, float[N,2] s) {
    y, s = Loop(m, , x) <body = b (int64 i, bool c, float[2] xi) => (bool co, float[2] xo, float[2] so) {
      co = Identity(c)
      xo = Add(xi, k)
      so = Identity(xo)
    }>
  })";

} // namespace

TEST(Loop, TripCountOnlyStacksTheScanOutputs) {
  HostGraph g = hostGraph(kForLoop);
  std::map<std::string, HostValue> v = {{"m", int64s({}, {3})}, {"x", floats({2}, {0, 0})}, {"k", floats({2}, {1, 2})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "y")), (ElemVec{3, 6}));
  EXPECT_EQ(tensorAt(v, "s").shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(elementsOf(tensorAt(v, "s")), (ElemVec{1, 2, 2, 4, 3, 6}));
}

TEST(Loop, NoIterationGivesTheInitialValuesAndEmptyScans) {
  HostGraph g = hostGraph(kForLoop);
  std::map<std::string, HostValue> v = {{"m", int64s({}, {0})}, {"x", floats({2}, {5, 7})}, {"k", floats({2}, {1, 2})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "y")), (ElemVec{5, 7}));
  EXPECT_EQ(tensorAt(v, "s").shape, (std::vector<int64_t>{0, 2})) << "the body declares its scan output float[2]";
}

TEST(Loop, ConditionOnlyRunsWhileTheBodySaysSo) {
  // n counts up from 0 while n < 5, `five` read from the enclosing graph.
  const char *text = R"(<ir_version: 8, opset_import: ["" : 16]>
    g (int64 m, bool c0, int64 n0) => (int64 n, int64[N] iters, int64 nm, int64[N] itersm) {
      five = Constant<value = int64 {5}>()
      n, iters = Loop(_, c0, n0) <body = b (int64 i, bool c, int64 ni) => (bool co, int64 no, int64 it) {
        one = Constant<value = int64 {1}>()
        no = Add(ni, one)
        co = Less(no, five)
        it = Identity(i)
      }>
      nm, itersm = Loop(m, c0, n0) <body = b2 (int64 i, bool c, int64 ni) => (bool co, int64 no, int64 it) {
        one = Constant<value = int64 {1}>()
        no = Add(ni, one)
        co = Less(no, five)
        it = Identity(i)
      }>
    })";
  std::map<std::string, HostValue> v = {{"m", int64s({}, {2})}, {"c0", boolean(true)}, {"n0", int64s({}, {0})}};
  ASSERT_EQ(run(hostGraph(text), v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "n")), (ElemVec{5}));
  EXPECT_EQ(elementsOf(tensorAt(v, "iters")), (ElemVec{0, 1, 2, 3, 4}));
  EXPECT_EQ(elementsOf(tensorAt(v, "nm")), (ElemVec{2})) << "the trip count stops it first";

  v = {{"m", int64s({}, {2})}, {"c0", boolean(false)}, {"n0", int64s({}, {0})}};
  ASSERT_EQ(run(hostGraph(text), v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "n")), (ElemVec{0})) << "a false condition runs no iteration";
}

TEST(Loop, NeitherTripCountNorConditionIsRefused) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[2] x) => (float[2] y) {
      y = Loop(_, , x) <body = b (int64 i, bool c, float[2] xi) => (bool co, float[2] xo) {
        co = Identity(c)
        xo = Identity(xi)
      }>
    })");
  std::map<std::string, HostValue> v = {{"x", floats({2}, {1, 2})}};
  EXPECT_EQ(run(g, v), "node 'Loop#0' (Loop): has neither a trip count M nor a condition, so it would never end");
}

TEST(Loop, CarriesASequence) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (int64 m) => (int64[N] all) {
      e = SequenceEmpty<dtype = 7>()
      s = Loop(m, , e) <body = b (int64 i, bool c, int64 si) => (bool co, int64 so) {
        co = Identity(c)
        so = SequenceInsert(si, i)
      }>
      all = ConcatFromSequence<axis = 0, new_axis = 1>(s)
    })",
                          {{"si", kInt64Seq}, {"so", kInt64Seq}});
  std::map<std::string, HostValue> v = {{"m", int64s({}, {3})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(sequenceAt(v, "s").tensors.size(), 3u);
  EXPECT_EQ(elementsOf(tensorAt(v, "all")), (ElemVec{0, 1, 2}));
}

TEST(Loop, ABodyErrorNamesBothNodes) {
  onnx::ModelProto m = onnxModel(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (int64 m, float[1] x) => (float[1] y) {
      s = SequenceConstruct(x)
      y = Loop(m, , x) <body = b (int64 i, bool c, float[1] xi) => (bool co, float[1] xo) {
        co = Identity(c)
        xo = SequenceAt(s, i)
      }>
    })");
  std::map<std::string, HostValue> v = {{"m", int64s({}, {2})}, {"x", floats({1}, {1})}};
  EXPECT_EQ(run(hostGraph(m), v), "node 'Loop#1' (Loop): in its body: node 'SequenceAt#1' (SequenceAt): position 1 is "
                                  "out of range for a sequence of 1 tensors");
}

TEST(Scan, BackwardsAlongAxisOnePrependingAlongAxisOne) {
  // x's columns from the last: [3,6], [2,5], [1,4]; running sums [3,6],
  // [5,11], [6,15], prepended along axis 1.
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[2] init, float[2,3] x) => (float[2] sum, float[2,3] partial) {
      sum, partial = Scan<num_scan_inputs = 1, scan_input_axes = [1], scan_input_directions = [1],
                          scan_output_axes = [1], scan_output_directions = [1],
                          body = b (float[2] s, float[2] xi) => (float[2] so, float[2] po) {
        so = Add(s, xi)
        po = Identity(so)
      }>(init, x)
    })");
  std::map<std::string, HostValue> v = {{"init", floats({2}, {0, 0})}, {"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "sum")), (ElemVec{6, 15}));
  EXPECT_EQ(tensorAt(v, "partial").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(elementsOf(tensorAt(v, "partial")), (ElemVec{6, 5, 3, 15, 11, 6}));
}

TEST(Scan, Opset8BatchesWithSequenceLengthsPadWithZeros) {
  const std::string text = R"(<ir_version: 3, opset_import: ["" : 8]>
    g (int64[2] lens, float[2,1] init, float[2,3,1] x) => (float[2,1] y, float[2,3,1] z) {
      y, z = Scan<num_scan_inputs = 1, body = b (float[1] s, float[1] xi) => (float[1] so, float[1] zo) {
        so = Add(s, xi)
        zo = Identity(so)
      }>(lens, init, x)
    })";
  std::map<std::string, HostValue> v = {
      {"lens", int64s({2}, {3, 1})}, {"init", floats({2, 1}, {0, 0})}, {"x", floats({2, 3, 1}, {1, 2, 3, 10, 20, 30})}};
  ASSERT_EQ(run(hostGraph(text.c_str()), v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "y")), (ElemVec{6, 10}));
  EXPECT_EQ(elementsOf(tensorAt(v, "z")), (ElemVec{1, 3, 6, 10, 0, 0}));

  // No lengths: every sequence whole.
  std::string whole = text;
  whole.replace(whole.find("(lens,"), 6, "(_,");
  v.erase("lens");
  ASSERT_EQ(run(hostGraph(whole.c_str()), v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "y")), (ElemVec{6, 60}));
  EXPECT_EQ(elementsOf(tensorAt(v, "z")), (ElemVec{1, 3, 6, 10, 30, 60}));
}

TEST(SequenceMap, MapsASequenceWithATensorGivenWhole) {
  const char *text = R"(<ir_version: 8, opset_import: ["" : 17]>
    g (float[N] xs, float t) => (float[N] ys, int64[1] shapes) {
      ys, shapes = SequenceMap<body = b (float[N] x, float u) => (float[N] y, int64[1] sh) {
        y = Add(x, u)
        sh = Shape(x)
      }>(xs, t)
    })";
  HostGraph g = hostGraph(text, {{"xs", kFloatSeq}, {"ys", kFloatSeq}, {"shapes", kInt64Seq}});
  HostSequence xs{DType::F32, {floats({2}, {1, 2}), floats({3}, {3, 4, 5})}};
  std::map<std::string, HostValue> v = {{"xs", xs}, {"t", floats({}, {10})}};
  ASSERT_EQ(run(g, v), "");
  HostSequence ys = sequenceAt(v, "ys"), shapes = sequenceAt(v, "shapes");
  ASSERT_EQ(ys.tensors.size(), 2u);
  EXPECT_EQ(elementsOf(ys.tensors[0]), (ElemVec{11, 12}));
  EXPECT_EQ(elementsOf(ys.tensors[1]), (ElemVec{13, 14, 15}));
  ASSERT_EQ(shapes.tensors.size(), 2u);
  EXPECT_EQ(shapes.elemType, DType::I64);
  EXPECT_EQ(elementsOf(shapes.tensors[1]), (ElemVec{3}));
}

TEST(SequenceMap, SequencesOfDifferentLengthsAreRefused) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 17]>
    g (float[N] a, float[N] b) => (float[N] c) {
      c = SequenceMap<body = f (float[N] x, float[N] y) => (float[N] z) { z = Add(x, y) }>(a, b)
    })",
                          {{"a", kFloatSeq}, {"b", kFloatSeq}, {"c", kFloatSeq}});
  std::map<std::string, HostValue> v = {{"a", HostSequence{DType::F32, {floats({1}, {1}), floats({1}, {2})}}},
                                        {"b", HostSequence{DType::F32, {floats({1}, {1})}}}};
  EXPECT_EQ(run(g, v), "node 'SequenceMap#0' (SequenceMap): input 1 is a sequence of 1 tensors, input 0 of 2");
}

TEST(If, BranchesMakeSequencesFromOuterValues) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (bool c, float[1] a, float[1] b) => (float[1] s) {
      s = If<then_branch = t () => (float[1] ts) { ts = SequenceConstruct(a, b) },
             else_branch = e () => (float[1] es) { es = SequenceConstruct(b) }>(c)
    })",
                          {{"s", kFloatSeq}, {"ts", kFloatSeq}, {"es", kFloatSeq}});
  std::map<std::string, HostValue> v = {{"c", boolean(true)}, {"a", floats({1}, {1})}, {"b", floats({1}, {2})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(sequenceAt(v, "s").tensors.size(), 2u);
  v["c"] = boolean(false);
  ASSERT_EQ(run(g, v), "");
  ASSERT_EQ(sequenceAt(v, "s").tensors.size(), 1u);
  EXPECT_EQ(elementsOf(sequenceAt(v, "s").tensors[0]), (ElemVec{2}));
}
