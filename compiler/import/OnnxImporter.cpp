//===- OnnxImporter.cpp - ONNX model -> onnx dialect ----------------------===//
#include "compiler/import/OnnxImporter.h"
#include "compiler/Diagnostics.h"
#include "compiler/import/DeclaredSizes.h"
#include "compiler/import/InferenceGuards.h"
#include "compiler/import/NodeAttrs.h"
#include "compiler/import/ShapeFolding.h"
#include "compiler/import/WeightPayloads.h"
#include "compiler/import/WindowChecks.h"
#include "dialects/FloatData.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include <fcntl.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

using namespace mlir;

namespace softnpu::import {
namespace {

/// The opset whose schemas the onnx dialect's ops follow (the newest at or
/// below it): their operand and result groups, in schema order.
constexpr int kDialectOpset = 17;

/// The opset older models are converted to (upgradeOpset).
constexpr int kUpgradeOpset = 13;

/// Initializer payloads of at least this size are read from the mapped file
/// (no tensor that shape inference reads the values of is this large).
constexpr size_t kStripBytes = 64 * 1024;

/// Rounds of shape inference and shape folding at most (each round folds
/// every chain whose inputs the previous one made known).
constexpr int kShapeFoldRounds = 8;

/// The names a subgraph reads from the graphs around it, nested subgraphs
/// included, in the order first read; `defined` holds what is in scope.
void collectCaptures(const onnx::GraphProto &g, std::set<std::string> defined, std::vector<std::string> &captures,
                     std::set<std::string> &seen) {
  for (const auto &i : g.initializer())
    defined.insert(i.name());
  for (const auto &i : g.input())
    defined.insert(i.name());
  auto read = [&](const std::string &name) {
    if (!name.empty() && !defined.count(name) && seen.insert(name).second)
      captures.push_back(name);
  };
  for (const auto &n : g.node()) {
    for (const std::string &in : n.input())
      read(in);
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        collectCaptures(a.g(), defined, captures, seen);
      for (const auto &sub : a.graphs())
        collectCaptures(sub, defined, captures, seen);
    }
    for (const std::string &out : n.output())
      defined.insert(out);
  }
  for (const auto &o : g.output())
    read(o.name());
}

/// Thrown inside this file only; turned into the one-line error at the end.
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A file's bytes for the lifetime of the object: a regular file is mapped
/// read-only, anything else (a pipe, a file that cannot be mapped) is read
/// into memory. data() is null when the file cannot be opened.
class MappedFile {
public:
  explicit MappedFile(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return;
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      // Not populated: the large payloads in it are read with pread
      // (FloatData.h: copyFloats), the mapping's pages mostly never touched.
      void *p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        mapped_ = data_ = static_cast<const char *>(p);
        // Large weights are read with pread (FloatData.h: copyFloats).
        fd_ = fd;
        registerMappedFile(mapped_, size_, fd_);
      }
    }
    if (fd_ < 0)
      ::close(fd);
    if (!data_) {
      std::ifstream in(path, std::ios::binary);
      if (!in)
        return;
      std::ostringstream all;
      all << in.rdbuf();
      copy_ = std::move(all).str();
      data_ = copy_.data();
      size_ = copy_.size();
    }
  }
  ~MappedFile() {
    if (mapped_) {
      unregisterMappedFile(mapped_);
      ::munmap(const_cast<char *>(mapped_), size_);
      ::close(fd_);
    }
  }
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  const char *data() const { return data_; }
  size_t size() const { return size_; }
  /// Whether data() is a read-only mapping of the file (else a copy).
  bool isMapped() const { return mapped_ != nullptr; }

private:
  const char *data_ = nullptr, *mapped_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1; ///< open while mapped
  std::string copy_;
};

class Importer {
public:
  /// `file`: the mapped ONNX file the stripped payloads point into.
  Importer(MLIRContext &ctx, std::string path, std::shared_ptr<const MappedFile> file)
      : ctx_(ctx), b_(&ctx), path_(std::move(path)), file_(std::move(file)) {}

  /// `payloads`: per initializer, its raw_data when the parsed model holds
  /// it replaced by a placeholder (WeightPayloads.h); empty when nothing was stripped.
  OwningOpRef<ModuleOp> run(onnx::ModelProto &model, const std::vector<std::optional<std::string_view>> &payloads) {
    const onnx::GraphProto &g = model.graph();
    int64_t opset = 0;
    for (const auto &imp : model.opset_import())
      if (imp.domain().empty() || imp.domain() == "ai.onnx")
        opset = imp.version();
    opset_ = opset;

    for (const auto &vi : g.input())
      valueInfo_[vi.name()] = &vi;
    for (const auto &vi : g.value_info())
      valueInfo_[vi.name()] = &vi;
    for (const auto &vi : g.output())
      valueInfo_[vi.name()] = &vi;

    Location fileLoc = FileLineColLoc::get(&ctx_, path_, 0, 0);
    OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
    (*module)->setAttr("onnx.opset", b_.getI64IntegerAttr(opset));
    (*module)->setAttr("onnx.file", b_.getStringAttr(path_));

    // Graph inputs that are not initializers, in ONNX order.
    std::unordered_map<std::string, const onnx::TensorProto *> inits;
    for (const auto &t : g.initializer())
      inits[t.name()] = &t;
    SmallVector<const onnx::ValueInfoProto *> inputs;
    for (const auto &vi : g.input())
      if (!inits.count(vi.name()))
        inputs.push_back(&vi);

    // Inputs and outputs are bound by name (npu-run, the artifact): each
    // list must name every tensor once.
    auto checkNames = [](auto &&list, const char *kind) {
      std::set<std::string> seen;
      for (const onnx::ValueInfoProto &vi : list) {
        if (vi.name().empty())
          throw ImportError(std::string("a graph ") + kind + " has no name");
        if (!seen.insert(vi.name()).second)
          throw ImportError(std::string("graph ") + kind + " '" + vi.name() + "' is listed twice");
      }
    };
    checkNames(llvm::make_pointee_range(inputs), "input");
    checkNames(g.output(), "output");

    SmallVector<Type> argTypes, resultTypes;
    for (auto *vi : inputs)
      argTypes.push_back(graphIoType(*vi, "input"));
    for (const auto &vi : g.output())
      resultTypes.push_back(graphIoType(vi, "output"));

    b_.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(b_, fileLoc, "main", b_.getFunctionType(argTypes, resultTypes));
    for (auto [i, vi] : llvm::enumerate(inputs))
      func.setArgAttr(i, "onnx.name", b_.getStringAttr(vi->name()));
    for (auto [i, vi] : llvm::enumerate(g.output()))
      func.setResultAttr(i, "onnx.name", b_.getStringAttr(vi.name()));
    Block *entry = func.addEntryBlock();
    b_.setInsertionPointToStart(entry);
    for (auto [i, vi] : llvm::enumerate(inputs))
      values_[vi->name()] = entry->getArgument(i);

    if (!payloads.empty() && payloads.size() != static_cast<size_t>(g.initializer_size()))
      throw ImportError("internal error: " + std::to_string(payloads.size()) + " initializer payloads for " +
                        std::to_string(g.initializer_size()) + " initializers");
    for (int i = 0; i < g.initializer_size(); ++i) {
      const onnx::TensorProto &t = g.initializer(i);
      ElementsAttr value =
          tensorAttr(t, "initializer '" + t.name() + "'", payloads.empty() ? std::nullopt : payloads[i]);
      Location loc = NameLoc::get(b_.getStringAttr(t.name()), fileLoc);
      values_[t.name()] = onnx_d::ConstantOp::create(b_, loc, value.getType(), value);
      // The attribute holds its own copy: free the protobuf's bytes now, so
      // the next attribute can reuse the memory and the two copies of the
      // weights never coexist whole.
      std::string().swap(*model.mutable_graph()->mutable_initializer(i)->mutable_raw_data());
    }

    for (int i = 0; i < g.node_size(); ++i)
      importNode(g.node(i), static_cast<size_t>(i), fileLoc);

    SmallVector<Value> results;
    for (const auto &vi : g.output())
      results.push_back(lookupValue(vi.name(), "graph output"));
    func::ReturnOp::create(b_, fileLoc, results);
    return module;
  }

private:
  /// ONNX element types as MLIR types: signed integers signless (MLIR's
  /// convention), unsigned ones unsigned, bool i1.
  Type elementType(int32_t onnxType, const std::string &what) {
    switch (onnxType) {
    case onnx::TensorProto::FLOAT:
      return b_.getF32Type();
    case onnx::TensorProto::FLOAT16:
      return b_.getF16Type();
    case onnx::TensorProto::BFLOAT16:
      return b_.getBF16Type();
    case onnx::TensorProto::DOUBLE:
      return b_.getF64Type();
    case onnx::TensorProto::BOOL:
      return b_.getI1Type();
    case onnx::TensorProto::INT8:
      return b_.getIntegerType(8);
    case onnx::TensorProto::INT16:
      return b_.getIntegerType(16);
    case onnx::TensorProto::INT32:
      return b_.getIntegerType(32);
    case onnx::TensorProto::INT64:
      return b_.getIntegerType(64);
    case onnx::TensorProto::UINT8:
      return b_.getIntegerType(8, /*isSigned=*/false);
    case onnx::TensorProto::UINT16:
      return b_.getIntegerType(16, /*isSigned=*/false);
    case onnx::TensorProto::UINT32:
      return b_.getIntegerType(32, /*isSigned=*/false);
    case onnx::TensorProto::UINT64:
      return b_.getIntegerType(64, /*isSigned=*/false);
    default:
      throw ImportError(what + " has element type " +
                        onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(onnxType)) +
                        ", which softnpu does not support (float32/16/64, bfloat16, int8-64, uint8-64, bool)");
    }
  }

  static const char *kindOf(const onnx::TypeProto &t) {
    if (t.has_sequence_type())
      return "a sequence";
    if (t.has_optional_type())
      return "an optional";
    if (t.has_map_type())
      return "a map";
    if (t.has_sparse_tensor_type())
      return "a sparse tensor";
    return "not a tensor";
  }

  /// A graph input's or output's type: a tensor of static shape (what
  /// npu-run and the Session API exchange).
  Type graphIoType(const onnx::ValueInfoProto &vi, const std::string &role) {
    std::string what = role + " '" + vi.name() + "'";
    if (!vi.type().has_tensor_type())
      throw ImportError(what + " is " + kindOf(vi.type()) + "; softnpu's graph inputs and outputs are tensors");
    return valueType(vi.type(), what, /*inContainer=*/false);
  }

  /// A value's type: a tensor of static shape, or a sequence or optional
  /// (!onnx.seq, !onnx.opt), whose tensors may have dynamic dimensions or
  /// no known rank: only the host runs ops on them.
  Type valueType(const onnx::TypeProto &t, const std::string &what, bool inContainer) {
    if (t.has_sequence_type())
      return onnx_d::SeqType::get(&ctx_, valueType(t.sequence_type().elem_type(), what, true));
    if (t.has_optional_type())
      return onnx_d::OptType::get(&ctx_, valueType(t.optional_type().elem_type(), what, true));
    if (!t.has_tensor_type())
      throw ImportError(what + " is " + kindOf(t) + ", which softnpu does not import");
    const auto &tt = t.tensor_type();
    if (!tt.has_shape()) {
      if (inContainer)
        return UnrankedTensorType::get(elementType(tt.elem_type(), what));
      throw ImportError(what + " has no known shape; softnpu needs static shapes");
    }
    SmallVector<int64_t> dims;
    for (const auto &d : tt.shape().dim()) {
      if (!d.has_dim_value() && !inContainer)
        throw ImportError(what + " has a dynamic dimension" +
                          (d.has_dim_param() ? " '" + d.dim_param() + "'" : std::string()) +
                          "; softnpu needs static shapes (fix the dimension when exporting)");
      dims.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
    }
    return RankedTensorType::get(dims, elementType(tt.elem_type(), what));
  }

  /// `raw`: the tensor's raw_data when the parsed message holds a placeholder.
  ElementsAttr tensorAttr(const onnx::TensorProto &t, const std::string &what,
                          std::optional<std::string_view> raw = std::nullopt) {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      throw ImportError(what + " uses external data, which softnpu does not read");
    SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
    Type et = elementType(t.data_type(), what);
    auto type = RankedTensorType::get(dims, et);
    // ONNX's typed fields: narrow integers, bool and 16-bit floats (as bit
    // patterns) widen into int32_data; uint32 and uint64 into uint64_data.
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      return floatsOf(t, type, what, raw);
    case onnx::TensorProto::DOUBLE:
      return denseOf<double>(t, type, t.double_data(), what, raw);
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
    case onnx::TensorProto::UINT16:
      return denseOf<uint16_t>(t, type, t.int32_data(), what, raw);
    case onnx::TensorProto::INT16:
      return denseOf<int16_t>(t, type, t.int32_data(), what, raw);
    case onnx::TensorProto::INT8:
      return denseOf<int8_t>(t, type, t.int32_data(), what, raw);
    case onnx::TensorProto::UINT8:
      return denseOf<uint8_t>(t, type, t.int32_data(), what, raw);
    case onnx::TensorProto::BOOL: {
      std::vector<uint8_t> bytes(static_cast<size_t>(type.getNumElements()));
      readValues(t, MutableArrayRef<uint8_t>(bytes), t.int32_data(), what, raw);
      SmallVector<bool> bits(bytes.begin(), bytes.end());
      return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    }
    case onnx::TensorProto::INT32:
      return denseOf<int32_t>(t, type, t.int32_data(), what, raw);
    case onnx::TensorProto::UINT32:
      return denseOf<uint32_t>(t, type, t.uint64_data(), what, raw);
    case onnx::TensorProto::UINT64:
      return denseOf<uint64_t>(t, type, t.uint64_data(), what, raw);
    default:
      return denseOf<int64_t>(t, type, t.int64_data(), what, raw);
    }
  }

  /// Whether floatsOf views `payload`, `count` floats in the mapped file,
  /// instead of copying it.
  bool viewable(std::string_view payload, size_t count) const {
    return file_ && file_->isMapped() && payload.size() == count * sizeof(float);
  }

  /// A float32 tensor: dense or, when large, a blob (FloatData.h). A large
  /// payload in the mapped file is not copied: the blob views the file,
  /// which it keeps mapped (fresh memory filled with a copy costs more than
  /// anything else the compiler does with weights).
  ElementsAttr floatsOf(const onnx::TensorProto &t, RankedTensorType type, const std::string &what,
                        std::optional<std::string_view> stripped) {
    const size_t count = static_cast<size_t>(type.getNumElements());
    if (stripped && viewable(*stripped, count))
      return floatConstantView(type, ArrayRef(stripped->data(), stripped->size()), file_, t.name());
    FloatBuffer values(count);
    readValues(t, values.values(), t.float_data(), what, stripped);
    return floatConstant(type, std::move(values), t.name());
  }

  template <typename T, typename Field>
  static DenseElementsAttr denseOf(const onnx::TensorProto &t, RankedTensorType type, const Field &typed,
                                   const std::string &what, std::optional<std::string_view> stripped) {
    std::vector<T> values(static_cast<size_t>(type.getNumElements()));
    readValues(t, MutableArrayRef<T>(values), typed, what, stripped);
    // By bytes: the element type may be a float held as its bit pattern.
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T)));
  }

  /// The values of `t` from raw_data (little-endian, as MLIR stores them) or
  /// its typed field, into `out` (its element count).
  template <typename T, typename Field>
  static void readValues(const onnx::TensorProto &t, MutableArrayRef<T> out, const Field &typed,
                         const std::string &what, std::optional<std::string_view> stripped) {
    const std::string_view raw = stripped ? *stripped : std::string_view(t.raw_data());
    if (!raw.empty()) {
      if (raw.size() != out.size() * sizeof(T))
        throw ImportError(what + " raw data size does not match its shape");
      std::memcpy(out.data(), raw.data(), raw.size());
    } else if (static_cast<size_t>(typed.size()) == out.size()) {
      std::copy(typed.begin(), typed.end(), out.begin());
    } else {
      throw ImportError(what + " data size does not match its shape");
    }
  }

  /// Constant's value_float, value_floats, value_int and value_ints (opset
  /// 12+) as the tensor they stand for (a scalar or a 1-D tensor).
  DenseElementsAttr constantValue(const onnx::AttributeProto &a, const std::string &what) {
    auto vector = [&](int64_t n, Type et) { return RankedTensorType::get({n}, et); };
    if (a.name() == "value_float")
      return DenseElementsAttr::get(RankedTensorType::get({}, b_.getF32Type()), a.f());
    if (a.name() == "value_int")
      return DenseElementsAttr::get(RankedTensorType::get({}, b_.getI64Type()), a.i());
    if (a.name() == "value_floats")
      return DenseElementsAttr::get(vector(a.floats_size(), b_.getF32Type()),
                                    ArrayRef<float>(a.floats().data(), a.floats_size()));
    if (a.name() == "value_ints")
      return DenseElementsAttr::get(vector(a.ints_size(), b_.getI64Type()),
                                    ArrayRef<int64_t>(a.ints().data(), a.ints_size()));
    throw ImportError(what + ": attribute '" + a.name() + "' is not supported");
  }

  Value lookupValue(const std::string &name, const std::string &user) {
    auto it = values_.find(name);
    if (it == values_.end())
      throw ImportError(user + " uses '" + name + "', which no node produces");
    return it->second;
  }

  Attribute convertAttr(const onnx::AttributeProto &a, const std::string &what) {
    switch (a.type()) {
    case onnx::AttributeProto::INT:
      return b_.getI64IntegerAttr(a.i());
    case onnx::AttributeProto::FLOAT:
      return b_.getF32FloatAttr(a.f());
    case onnx::AttributeProto::STRING:
      return b_.getStringAttr(a.s());
    case onnx::AttributeProto::INTS:
      return b_.getDenseI64ArrayAttr(SmallVector<int64_t>(a.ints().begin(), a.ints().end()));
    case onnx::AttributeProto::FLOATS:
      return b_.getDenseF32ArrayAttr(SmallVector<float>(a.floats().begin(), a.floats().end()));
    case onnx::AttributeProto::STRINGS: {
      SmallVector<Attribute> strings;
      for (const std::string &str : a.strings())
        strings.push_back(b_.getStringAttr(str));
      return b_.getArrayAttr(strings);
    }
    case onnx::AttributeProto::TENSOR:
      return tensorAttr(a.t(), what);
    default:
      throw ImportError(what + " has a type softnpu does not import");
    }
  }

  void importNode(const onnx::NodeProto &node, size_t index, Location fileLoc) {
    std::string label = nodeLabel(node, index);
    std::string what = "node '" + label + "' (" + node.op_type() + ")";
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      throw ImportError(what + " is in domain '" + node.domain() + "', which softnpu does not import");
    std::string opName = "onnx." + node.op_type();
    auto registered = RegisteredOperationName::lookup(opName, &ctx_);
    if (!registered) // every default-domain op of opsets 7-17 has one (dialects/onnx)
      throw ImportError(what + " uses op '" + node.op_type() + "', which softnpu does not import");

    OperationState state(NameLoc::get(b_.getStringAttr(label), fileLoc), *registered);
    // Ops whose optional inputs or outputs may be omitted in the middle (e.g.
    // LSTM) mirror the schema's lists one to one with segment sizes.
    const bool inputSegments = registered->hasTrait<OpTrait::AttrSizedOperandSegments>();
    const bool outputSegments = registered->hasTrait<OpTrait::AttrSizedResultSegments>();
    const onnx::OpSchema *schema = inputSegments || outputSegments
                                       ? onnx::OpSchemaRegistry::Schema(node.op_type(), kDialectOpset, node.domain())
                                       : nullptr;
    if ((inputSegments || outputSegments) && !schema)
      throw ImportError(what + ": no ONNX schema for opset " + std::to_string(kDialectOpset));
    int last = node.input_size();
    while (last > 0 && node.input(last - 1).empty())
      --last;
    // With segment sizes, each schema input is a segment: an omitted optional
    // one is empty, and a variadic one (always the last) takes the rest.
    const int params = schema ? static_cast<int>(schema->inputs().size()) : 0;
    const bool lastVariadic =
        params > 0 && schema->inputs().back().GetOption() == onnx::OpSchema::FormalParameterOption::Variadic;
    SmallVector<int32_t> operandSegments(params, 0);
    for (int i = 0; i < last; ++i) {
      if (node.input(i).empty() && !inputSegments)
        throw ImportError(what + ": an omitted optional input before a present one is not supported");
      if (inputSegments && i >= params && !lastVariadic)
        throw ImportError(what + " has more inputs than its schema");
      if (inputSegments && node.input(i).empty() && lastVariadic && i >= params - 1)
        throw ImportError(what + ": an omitted input inside its variadic inputs (e.g. opset 8 Scan's sequence_lens) "
                                 "is not supported");
      if (node.input(i).empty())
        continue;
      if (inputSegments)
        ++operandSegments[std::min(i, params - 1)];
      state.operands.push_back(lookupValue(node.input(i), what));
    }
    // Graphs (If's branches, Loop's, Scan's and SequenceMap's bodies) stay
    // serialized ONNX; what they read from this graph becomes trailing
    // `captures` operands (onnx_d::capturesOf).
    std::vector<std::string> captures;
    std::set<std::string> seen;
    ArrayRef<StringAttr> known = registered->getAttributeNames();
    for (const auto &a : node.attribute()) {
      if (node.op_type() == "Constant" && a.name() != "value") {
        state.addAttribute("value", constantValue(a, what));
        continue;
      }
      if (node.op_type() == "Optional" && a.name() == "type")
        continue; // the result type holds it (OnnxOps.td)
      if (llvm::none_of(known, [&](StringAttr k) { return k.getValue() == a.name(); }))
        throw ImportError(what + ": attribute '" + a.name() + "' is not supported");
      if (a.type() == onnx::AttributeProto::GRAPH) {
        collectCaptures(a.g(), {}, captures, seen);
        state.addAttribute(a.name(), b_.getStringAttr(a.g().SerializeAsString()));
        continue;
      }
      state.addAttribute(a.name(), convertAttr(a, what + " attribute '" + a.name() + "'"));
    }
    if (llvm::any_of(known, [](StringAttr k) { return k.getValue() == "capture_names"; })) {
      SmallVector<Attribute> captureNames;
      for (const std::string &name : captures) {
        state.operands.push_back(lookupValue(name, what + " (in a subgraph)"));
        captureNames.push_back(b_.getStringAttr(name));
      }
      state.addAttribute("capture_names", b_.getArrayAttr(captureNames));
      if (inputSegments)
        operandSegments.push_back(static_cast<int32_t>(captures.size()));
    }
    if (inputSegments)
      state.addAttribute("operandSegmentSizes", b_.getDenseI32ArrayAttr(operandSegments));
    SmallVector<int32_t> resultSegments;
    SmallVector<std::string> resultNames;
    for (const auto &out : node.output()) {
      resultSegments.push_back(out.empty() ? 0 : 1);
      if (out.empty() && outputSegments)
        continue;
      auto it = valueInfo_.find(out);
      if (it == valueInfo_.end())
        throw ImportError(what + ": shape inference gave no type for output '" + out + "'");
      state.types.push_back(valueType(it->second->type(), "value '" + out + "'", false));
      resultNames.push_back(out);
    }
    if (outputSegments) {
      resultSegments.resize(schema->outputs().size(), 0);
      state.addAttribute("resultSegmentSizes", b_.getDenseI32ArrayAttr(resultSegments));
    }
    Operation *op = b_.create(state);
    for (auto [i, out] : llvm::enumerate(resultNames))
      values_[out] = op->getResult(i);
  }

  MLIRContext &ctx_;
  OpBuilder b_;
  std::string path_;
  std::shared_ptr<const MappedFile> file_; ///< what viewed payloads point into
  std::unordered_map<std::string, const onnx::ValueInfoProto *> valueInfo_;
  std::unordered_map<std::string, Value> values_;
  int64_t opset_ = 0;
};

/// True when a node has an attribute its op's newest schema (the one the onnx
/// dialect follows) no longer has, e.g. Add's broadcast or Squeeze's axes.
bool usesRetiredAttributes(const onnx::ModelProto &model) {
  for (const onnx::NodeProto &n : model.graph().node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      continue;
    const onnx::OpSchema *latest = onnx::OpSchemaRegistry::Schema(n.op_type(), kDialectOpset, "");
    if (!latest)
      continue;
    for (const onnx::AttributeProto &a : n.attribute())
      if (!latest->attributes().count(a.name()))
        return true;
  }
  return false;
}

/// Every graph output names a graph input, an initializer or a node's
/// output. ONNX 1.12's checker does not check it, and its version converter
/// dereferences the missing value (SIGSEGV, found by fuzz_compile).
void checkOutputsDefined(const onnx::GraphProto &g) {
  std::set<std::string> defined;
  for (const auto &vi : g.input())
    defined.insert(vi.name());
  for (const auto &t : g.initializer())
    defined.insert(t.name());
  for (const auto &n : g.node())
    defined.insert(n.output().begin(), n.output().end());
  for (const auto &vi : g.output())
    if (!defined.count(vi.name()))
      throw ImportError("graph output '" + vi.name() + "' is not a graph input, an initializer or any node's output");
}

/// True when ONNX's strict shape inference accepts the model at its own
/// opset (some exporters wrote ops their opset did not allow yet, e.g. an
/// int64 Constant at opset 6).
bool passesInference(const onnx::ModelProto &model) {
  try {
    onnx::ModelProto copy = model;
    onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*error_mode=*/1, /*data_prop=*/false);
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), opts);
    return true;
  } catch (const std::exception &) {
    return false;
  }
}

/// Models of opsets before kUpgradeOpset that use such attributes, or that
/// fail shape inference at their own opset, are
/// converted to it with ONNX's own version converter (as onnx-mlir does), so
/// the onnx dialect sees one form of each op: attributes that later became
/// inputs (Squeeze's axes, Pad's pads, Clip's bounds, Split's sizes), the
/// legacy broadcast attribute, and so on. Other old models are imported as
/// they are (the converter is not lossless: it drops PRelu's per-channel
/// slope of opset 6, which the host runs as such). A model whose conversion fails is imported as it is. Models whose
/// large weights stay in the mapped file (WeightPayloads.h) are not converted: the converter would copy the
/// placeholders.
void upgradeOpset(onnx::ModelProto &model, bool stripped) {
  int64_t opset = 0;
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset == 0 || opset >= kUpgradeOpset || stripped || (!usesRetiredAttributes(model) && passesInference(model)))
    return;
  try {
    onnx::ModelProto inferred = model; // the converter's adapters read input shapes
    onnx::shape_inference::InferShapes(inferred);
    onnx::ModelProto upgraded = onnx::version_conversion::ConvertVersion(inferred, kUpgradeOpset);
    // The converter turns attributes into initializers without listing them
    // as graph inputs, which IR version 4 and later allow.
    if (upgraded.ir_version() < 7)
      upgraded.set_ir_version(7);
    onnx::checker::check_model(upgraded);
    model = std::move(upgraded);
  } catch (const std::exception &) {
    // keep the original: the importer reports what it cannot take
  }
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(const std::string &path, MLIRContext &ctx, std::string &error,
                                     const InputShapes &shapes, std::vector<std::string> *notes) {
  ctx.loadDialect<onnx_d::OnnxDialect, func::FuncDialect>();
  try {
    onnx::ModelProto model;
    // Large initializers are read from the file, or viewed in it by their
    // constants, which keep it mapped.
    auto mapped = std::make_shared<const MappedFile>(path);
    const MappedFile &file = *mapped;
    if (!file.data())
      throw ImportError("cannot open file");
    if (file.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
      throw ImportError("larger than 2 GB, the protobuf limit of an ONNX file without external data");
    // Large initializer payloads stay in the mapped file: protobuf parses a
    // copy without them, and the constants are built from the file's bytes.
    std::optional<StrippedModel> stripped =
        stripWeightPayloads(std::string_view(file.data(), file.size()), kStripBytes);
    const bool parsed = stripped ? model.ParseFromString(stripped->bytes)
                                 : model.ParseFromArray(file.data(), static_cast<int>(file.size()));
    if (!parsed || !model.has_graph())
      throw ImportError("not a valid ONNX model (protobuf parse failed)");
    if (stripped)
      std::string().swap(stripped->bytes);
    checkDeclaredSizes(model.graph(), stripped ? stripped->payloads : std::vector<std::optional<std::string_view>>{});
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      throw ImportError(std::string("the ONNX checker rejects the model: ") + e.what());
    }
    checkOutputsDefined(model.graph());
    // Before any shape inference (the opset upgrade runs one), which trusts
    // the window attributes and, for some ops, the ranks (InferenceGuards.h).
    checkWindowAttributes(model.graph());
    guardShapeInference();
    upgradeOpset(model, stripped && std::any_of(stripped->payloads.begin(), stripped->payloads.end(),
                                                [](const auto &p) { return p.has_value(); }));
    std::vector<std::string> shapeNotes;
    fixInputShapes(model, shapes, shapeNotes);
    if (notes)
      notes->insert(notes->end(), shapeNotes.begin(), shapeNotes.end());
    // Data propagation carries shapes computed in the graph (Shape ->
    // Gather -> Concat -> Expand, as exporters write them) to static dims;
    // what it leaves is folded here (ShapeFolding.h) and inferred again.
    for (int round = 0;; ++round) {
      try {
        onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*error_mode=*/1, /*data_prop=*/true);
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
      } catch (const std::exception &e) {
        throw ImportError(std::string("ONNX shape inference failed: ") + e.what());
      }
      if (round == kShapeFoldRounds || !foldShapeArithmetic(model))
        break;
    }
    checkWindowShapes(model.graph());
    checkInferredSizes(model.graph());
    // Folded nodes became initializers, whose payloads are in the message.
    std::vector<std::optional<std::string_view>> payloads;
    if (stripped) {
      payloads = std::move(stripped->payloads);
      payloads.resize(static_cast<size_t>(model.graph().initializer_size()));
    }
    Importer importer(ctx, path, mapped);
    OwningOpRef<ModuleOp> module = importer.run(model, payloads);
    // Op verifiers (e.g. Gemm's inner dimensions) report through MLIR's
    // diagnostics; keep the first as this import's one-line error.
    std::string firstError;
    {
      ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
        if (d.getSeverity() == DiagnosticSeverity::Error && firstError.empty()) {
          std::string node = nodeNameOf(d.getLocation());
          firstError = (node.empty() ? "" : "node '" + node + "': ") + d.str();
        }
        return success();
      });
      if (failed(verify(*module)))
        throw ImportError(firstError.empty() ? "the imported model does not verify" : firstError);
    }
    return module;
  } catch (const std::exception &e) {
    std::string msg = e.what();
    // ONNX messages span lines; keep the report to one.
    for (char &c : msg)
      if (c == '\n')
        c = ' ';
    while (!msg.empty() && msg.back() == ' ')
      msg.pop_back();
    error = path + ": " + msg;
    return nullptr;
  }
}

} // namespace softnpu::import
