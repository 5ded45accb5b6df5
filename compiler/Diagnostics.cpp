//===- Diagnostics.cpp - Naming ONNX nodes in compiler messages -----------===//
#include "compiler/Diagnostics.h"

#include "mlir/IR/Operation.h"

using namespace mlir;

namespace softnpu {

std::string nodeNameOf(Location loc) {
  std::string names;
  loc->walk([&](Location l) {
    if (auto n = llvm::dyn_cast<NameLoc>(l)) {
      names += (names.empty() ? "" : "+") + n.getName().str();
      return WalkResult::skip();
    }
    return WalkResult::advance();
  });
  return names;
}

std::string describeOp(Operation *op) {
  std::string name = nodeNameOf(op->getLoc());
  std::string type = op->getName().getStringRef().str();
  if (StringRef(type).starts_with("onnx."))
    type = type.substr(5);
  return name.empty() ? "op " + type : "node '" + name + "' (" + type + ")";
}

std::string blobName(Location loc, llvm::StringRef what) {
  std::string name = nodeNameOf(loc);
  return name.empty() ? what.str() : name + "." + what.str();
}

} // namespace softnpu
