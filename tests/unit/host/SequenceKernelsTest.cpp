//===- SequenceKernelsTest.cpp - The sequence and optional host kernels ---===//
//
// Each op on small inputs whose results are worked out by hand from the
// ONNX spec: split sizes, positions counted from the back, stacking on a
// new axis, empty optionals; and the one-line errors naming the node.
//
//===----------------------------------------------------------------------===//
#include "HostModels.h"

using namespace softnpu::host;
using namespace softnpu::host::testing;
using ElemVec = std::vector<double>;

namespace {

const onnx::TypeProto kFloatSeq = seqOf(tensorOf(onnx::TensorProto::FLOAT));

} // namespace

TEST(SequenceKernels, SplitToSequenceByScalarLeavesASmallerLastPart) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[5] x, int64 two) => (float[5] s, int64 n) {
      s = SplitToSequence(x, two)
      n = SequenceLength(s)
    })",
                          {{"s", kFloatSeq}});
  std::map<std::string, HostValue> v = {{"x", floats({5}, {0, 1, 2, 3, 4})}, {"two", int64s({}, {2})}};
  ASSERT_EQ(run(g, v), "");
  HostSequence s = sequenceAt(v, "s");
  ASSERT_EQ(s.tensors.size(), 3u);
  EXPECT_EQ(elementsOf(s.tensors[0]), (ElemVec{0, 1}));
  EXPECT_EQ(elementsOf(s.tensors[1]), (ElemVec{2, 3}));
  EXPECT_EQ(elementsOf(s.tensors[2]), (ElemVec{4}));
  EXPECT_EQ(elementsOf(tensorAt(v, "n")), (ElemVec{3}));
}

TEST(SequenceKernels, SplitToSequenceWithoutKeepdimsDropsTheAxis) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[2,3] x) => (float[2] s) {
      s = SplitToSequence<axis = 1, keepdims = 0>(x)
    })",
                          {{"s", kFloatSeq}});
  std::map<std::string, HostValue> v = {{"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}};
  ASSERT_EQ(run(g, v), "");
  HostSequence s = sequenceAt(v, "s");
  ASSERT_EQ(s.tensors.size(), 3u);
  EXPECT_EQ(s.tensors[1].shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(elementsOf(s.tensors[1]), (ElemVec{2, 5}));
}

TEST(SequenceKernels, InsertEraseAtCountFromTheBack) {
  // [a, b] -> insert t at -1 -> [a, t, b] -> erase 0 -> [t, b]; at(-1) = b.
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a, float[1] b, float[1] t) => (float[1] s2, float[1] last) {
      minus1 = Constant<value = int64 {-1}>()
      zero = Constant<value = int64 {0}>()
      s0 = SequenceConstruct(a, b)
      s1 = SequenceInsert(s0, t, minus1)
      s2 = SequenceErase(s1, zero)
      last = SequenceAt(s2, minus1)
    })",
                          {{"s2", kFloatSeq}});
  std::map<std::string, HostValue> v = {{"a", floats({1}, {1})}, {"b", floats({1}, {2})}, {"t", floats({1}, {9})}};
  ASSERT_EQ(run(g, v), "");
  HostSequence s1 = sequenceAt(v, "s1"), s2 = sequenceAt(v, "s2");
  ASSERT_EQ(s1.tensors.size(), 3u);
  EXPECT_EQ(elementsOf(s1.tensors[1]), (ElemVec{9}));
  ASSERT_EQ(s2.tensors.size(), 2u);
  EXPECT_EQ(elementsOf(s2.tensors[0]), (ElemVec{9}));
  EXPECT_EQ(elementsOf(tensorAt(v, "last")), (ElemVec{2}));
  EXPECT_EQ(sequenceAt(v, "s0").tensors.size(), 2u) << "inserting made a new sequence";
}

TEST(SequenceKernels, ConcatFromSequenceStacksOnANewAxis) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[2] a, float[2] b) => (float[2,2] stacked, float[4] joined) {
      s = SequenceConstruct(a, b)
      stacked = ConcatFromSequence<axis = -1, new_axis = 1>(s)
      joined = ConcatFromSequence<axis = 0>(s)
    })");
  std::map<std::string, HostValue> v = {{"a", floats({2}, {1, 2})}, {"b", floats({2}, {3, 4})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(elementsOf(tensorAt(v, "stacked")), (ElemVec{1, 3, 2, 4}));
  EXPECT_EQ(elementsOf(tensorAt(v, "joined")), (ElemVec{1, 2, 3, 4}));
}

TEST(SequenceKernels, EmptySequenceKeepsItsElementType) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (int64[1] x) => (int64 n) {
      e = SequenceEmpty<dtype = 7>()
      s = SequenceInsert(e, x)
      n = SequenceLength(s)
    })");
  std::map<std::string, HostValue> v = {{"x", int64s({1}, {5})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(sequenceAt(v, "e").elemType, DType::I64);
  EXPECT_EQ(elementsOf(tensorAt(v, "n")), (ElemVec{1}));
}

TEST(SequenceKernels, ErrorsNameTheNode) {
  onnx::ModelProto m = onnxModel(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a, int64 p) => (float[1] y) {
      s = SequenceConstruct(a, a)
      y = SequenceAt(s, p)
    })");
  m.mutable_graph()->mutable_node(1)->set_name("at"); // the text syntax has no node names
  HostGraph g = hostGraph(m);
  std::map<std::string, HostValue> v = {{"a", floats({1}, {1})}, {"p", int64s({}, {2})}};
  EXPECT_EQ(run(g, v), "node 'at' (SequenceAt): position 2 is out of range for a sequence of 2 tensors");

  m = onnxModel(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a, int64[1] i) => (float[1] y) {
      s = SequenceConstruct(a)
      t = SequenceInsert(s, i)
    })");
  v = {{"a", floats({1}, {1})}, {"i", int64s({1}, {1})}};
  EXPECT_EQ(run(hostGraph(m), v),
            "node 'SequenceInsert#1' (SequenceInsert): cannot insert int64 into a sequence of float32");
}

TEST(SequenceKernels, TensorKernelsRefuseASequence) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a) => (float[1] y) {
      s = SequenceConstruct(a)
      y = Add(s, a)
    })");
  std::map<std::string, HostValue> v = {{"a", floats({1}, {1})}};
  EXPECT_EQ(run(g, v), "node 'Add#1' (Add): input 's' is seq(tensor(float32)); the op takes tensors only");
}

TEST(OptionalKernels, EmptyAndFullOptionals) {
  const onnx::TypeProto optFloat = optionalOf(tensorOf(onnx::TensorProto::FLOAT));
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[2] o, float[2] x) => (bool has, bool hasWrapped, float[2] got) {
      has = OptionalHasElement(o)
      w = Optional(x)
      hasWrapped = OptionalHasElement(w)
      got = OptionalGetElement(w)
    })",
                          {{"o", optFloat}});
  std::map<std::string, HostValue> v = {{"o", HostValue::none()}, {"x", floats({2}, {7, 8})}};
  ASSERT_EQ(run(g, v), "");
  EXPECT_EQ(tensorAt(v, "has").bytes[0], 0);
  EXPECT_EQ(tensorAt(v, "hasWrapped").bytes[0], 1);
  EXPECT_EQ(elementsOf(tensorAt(v, "got")), (ElemVec{7, 8}));
}

TEST(OptionalKernels, OptionalOfATypeIsEmptyAndGettingItFails) {
  onnx::ModelProto m = onnxModel(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] x) => (float[1] y) {
      o = Optional()
      y = OptionalGetElement(o)
    })");
  onnx::AttributeProto &type = *m.mutable_graph()->mutable_node(0)->add_attribute(); // no text syntax for it
  type.set_name("type");
  type.set_type(onnx::AttributeProto::TYPE_PROTO);
  *type.mutable_tp() = kFloatSeq;
  std::map<std::string, HostValue> v = {{"x", floats({1}, {1})}};
  EXPECT_EQ(run(hostGraph(m), v), "node 'OptionalGetElement#1' (OptionalGetElement): the optional is empty");
  ASSERT_TRUE(v.count("o"));
  EXPECT_EQ(v["o"].kind(), HostValue::Kind::Optional);
  EXPECT_EQ(v["o"].element(), nullptr);
}

TEST(OptionalKernels, IdentityPassesAnyValueOn) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a) => (float[1] y) {
      s = SequenceConstruct(a, a)
      o = Optional(s)
      y = Identity(o)
    })",
                          {{"y", optionalOf(kFloatSeq)}});
  std::map<std::string, HostValue> v = {{"a", floats({1}, {3})}};
  ASSERT_EQ(run(g, v), "");
  const HostValue *e = v["y"].element();
  ASSERT_TRUE(e && e->sequence());
  EXPECT_EQ(e->sequence()->tensors.size(), 2u);
}
