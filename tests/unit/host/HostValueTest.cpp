//===- HostValueTest.cpp - Sequences and optionals through the executor ---===//
//
// What the executor checks of values that are not tensors: declared types of
// outputs and graph inputs, the HostTensor entry point's refusal of a
// sequence output; reading SequenceProto and OptionalProto files; and the
// op list the compiler places by.
//
//===----------------------------------------------------------------------===//
#include "HostModels.h"

#include <onnx/onnx-data_pb.h>

#include <algorithm>

using namespace softnpu::host;
using namespace softnpu::host::testing;

namespace {

const onnx::TypeProto kFloatSeq = seqOf(tensorOf(onnx::TensorProto::FLOAT));

/// s = SequenceConstruct(a, a), declared with `type`.
HostGraph constructGraph(const onnx::TypeProto &type) {
  return hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a) => (float[1] s) {
      s = SequenceConstruct(a, a)
    })",
                   {{"s", type}});
}

onnx::TensorProto tensorProto(float v) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(1);
  t.add_float_data(v);
  return t;
}

} // namespace

TEST(HostValues, OutputsAreCheckedAgainstTheirDeclaredKind) {
  std::map<std::string, HostValue> v = {{"a", floats({1}, {1})}};
  EXPECT_EQ(run(constructGraph(kFloatSeq), v), "");
  EXPECT_EQ(run(constructGraph(tensorOf(onnx::TensorProto::FLOAT)), v),
            "node 'SequenceConstruct#0' (SequenceConstruct): output 's' is seq(tensor(float32)), the model declares "
            "tensor(float32)");
  EXPECT_EQ(run(constructGraph(seqOf(tensorOf(onnx::TensorProto::INT64))), v),
            "node 'SequenceConstruct#0' (SequenceConstruct): output 's' is seq(tensor(float32)), the model declares "
            "seq(tensor(int64))");
}

TEST(HostValues, GraphInputsMustBeOfTheDeclaredKind) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] s) => (int64 n) {
      n = SequenceLength(s)
    })",
                          {{"s", kFloatSeq}});
  std::map<std::string, HostValue> v = {{"s", floats({1}, {1})}};
  EXPECT_EQ(run(g, v), "input 's' is tensor(float32), the model declares seq(tensor(float32))");
}

TEST(HostValues, TheTensorEntryPointRefusesASequenceOutput) {
  std::map<std::string, HostTensor> tensors = {{"a", floats({1}, {4})}};
  std::string error;
  EXPECT_FALSE(runHostGraph(constructGraph(kFloatSeq), tensors, error));
  EXPECT_EQ(error, "output 's' is seq(tensor(float32)); a host segment's outputs must be tensors");
  EXPECT_EQ(tensors.count("s"), 0u);
  ASSERT_EQ(tensors.count("a"), 1u) << "the inputs stay";
  EXPECT_EQ(elementsOf(tensors["a"]), std::vector<double>{4});

  // Values inside the graph may be sequences as long as what leaves is a tensor.
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1] a) => (float[2] y) {
      s = SequenceConstruct(a, a)
      y = ConcatFromSequence<axis = 0>(s)
    })");
  ASSERT_TRUE(runHostGraph(g, tensors, error)) << error;
  EXPECT_EQ(elementsOf(tensors["y"]), (std::vector<double>{4, 4}));
}

TEST(HostValues, ReadsSequenceAndOptionalProtos) {
  std::string error;
  onnx::SequenceProto sp;
  sp.set_elem_type(onnx::SequenceProto::TENSOR);
  *sp.add_tensor_values() = tensorProto(1);
  *sp.add_tensor_values() = tensorProto(2);
  ValueType seq;
  seq.kind = ValueType::Kind::Sequence;
  std::optional<HostValue> s = parseHostValue(sp.SerializeAsString(), seq, error);
  ASSERT_TRUE(s && s->sequence()) << error;
  ASSERT_EQ(s->sequence()->tensors.size(), 2u);
  EXPECT_EQ(elementsOf(s->sequence()->tensors[1]), std::vector<double>{2});

  ValueType opt;
  opt.kind = ValueType::Kind::Optional;
  onnx::OptionalProto op;
  op.set_elem_type(onnx::OptionalProto::TENSOR);
  std::optional<HostValue> none = parseHostValue(op.SerializeAsString(), opt, error);
  ASSERT_TRUE(none) << error;
  EXPECT_EQ(none->kind(), HostValue::Kind::Optional);
  EXPECT_EQ(none->element(), nullptr);
  *op.mutable_tensor_value() = tensorProto(3);
  std::optional<HostValue> some = parseHostValue(op.SerializeAsString(), opt, error);
  ASSERT_TRUE(some && some->element() && some->element()->tensor()) << error;
  EXPECT_EQ(elementsOf(*some->element()->tensor()), std::vector<double>{3});
  EXPECT_EQ(typeText(*some), "optional(tensor(float32))");
}

TEST(HostValues, TheNewOpsAreListed) {
  const std::vector<std::string> ops = hostKernelOps();
  for (const char *op : {"ConcatFromSequence", "Identity", "If", "Loop", "Optional", "OptionalGetElement",
                         "OptionalHasElement", "Scan", "SequenceAt", "SequenceConstruct", "SequenceEmpty",
                         "SequenceErase", "SequenceInsert", "SequenceLength", "SequenceMap", "SplitToSequence"}) {
    EXPECT_TRUE(hasHostKernel(op)) << op;
    EXPECT_TRUE(std::count(ops.begin(), ops.end(), op) == 1) << op;
  }
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  EXPECT_FALSE(hasHostKernel("Bernoulli"));
}
