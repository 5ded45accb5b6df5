//===- TensorArgs.cpp - npu-run's tensor arguments and batch slicing ------===//
#include "TensorArgs.h"

#include "softnpu/Bytes.h"
#include "softnpu/host/ElementTypes.h"
#include "softnpu/host/HostGraph.h"
#include "softnpu/io/TensorFile.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <optional>

namespace softnpu::tools {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string namesText(const std::vector<artifact::TensorSig> &sigs) {
  std::string s;
  for (size_t i = 0; i < sigs.size(); ++i)
    s += (i ? ", '" : "'") + sigs[i].name + "'";
  return s.empty() ? "none" : s;
}

bool bindArgs(const std::vector<std::string> &args, const std::vector<artifact::TensorSig> &sigs, const char *option,
              const char *kind, std::map<std::string, std::string> &bound, std::string &error) {
  for (const std::string &arg : args) {
    std::string name, file;
    const size_t eq = arg.find('=');
    bool named = false;
    if (eq != std::string::npos) {
      name = arg.substr(0, eq);
      for (const artifact::TensorSig &s : sigs)
        named = named || s.name == name;
    }
    if (named) {
      file = arg.substr(eq + 1);
    } else if (sigs.size() == 1 && args.size() == 1 && (eq == std::string::npos || std::filesystem::exists(arg))) {
      name = sigs[0].name;
      file = arg;
    } else if (eq != std::string::npos) {
      error = "unknown " + std::string(kind) + " '" + name + "' in " + option + " " + arg + " (the model's " + kind +
              "s are " + namesText(sigs) + ")";
      return false;
    } else {
      error = std::string(option) + " " + arg + ": expected NAME=FILE (the model's " + kind + "s are " +
              namesText(sigs) + ")";
      return false;
    }
    if (file.empty()) {
      error = std::string(option) + " " + arg + ": missing file name";
      return false;
    }
    if (!bound.emplace(name, file).second) {
      error = std::string(kind) + " '" + name + "' is given twice";
      return false;
    }
  }
  return true;
}

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  if (s.size() < suffix.size())
    return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}

/// A .pb file of any element type host segments take.
bool readTypedProto(const std::string &file, api::Tensor &out, std::string &error) {
  std::string bytes;
  if (!io::readFileBytes(file, bytes, error))
    return false;
  std::optional<host::HostTensor> t = host::parseHostTensor(bytes, error);
  if (!t) {
    error = "'" + file + "': " + error;
    return false;
  }
  out = api::Tensor{};
  out.shape = t->shape;
  out.dtype = t->dtype;
  if (t->dtype == artifact::DType::F32) {
    out.data.resize(t->bytes.size() / 4);
    copyBytes(out.data.data(), t->bytes.data(), t->bytes.size());
  } else {
    out.bytes = std::move(t->bytes);
  }
  return true;
}

} // namespace

bool readTensors(const std::map<std::string, std::string> &files, TensorMap &tensors, std::string &error) {
  for (const auto &[name, file] : files) {
    if (endsWith(file, ".pb")) {
      if (!readTypedProto(file, tensors[name], error))
        return false;
      continue;
    }
    std::optional<io::TensorData> t = io::readTensorFile(file, error);
    if (!t)
      return false;
    tensors[name] = api::Tensor{t->shape, std::move(t->data)};
  }
  return true;
}

bool openBatchInputs(std::map<std::string, std::string> &files, const std::vector<artifact::TensorSig> &sigs,
                     TensorMap &tensors, NpyFiles &opened, std::string &error) {
  for (const artifact::TensorSig &sig : sigs) {
    auto it = files.find(sig.name);
    if (it == files.end() || sig.dtype != artifact::DType::F32 || !endsWith(it->second, ".npy"))
      continue;
    std::optional<io::NpyFile> f = io::NpyFile::open(it->second, error);
    if (!f)
      return false;
    if (f->dtype() != io::ElemType::F32)
      continue; // read whole, as before
    tensors[sig.name] = api::Tensor{f->shape(), {}};
    opened.emplace(sig.name, std::move(*f));
    files.erase(it);
  }
  return true;
}

const char *npyDescr(artifact::DType t) {
  switch (t) {
  case artifact::DType::F32:
    return "<f4";
  case artifact::DType::F64:
    return "<f8";
  case artifact::DType::F16:
    return "<f2";
  case artifact::DType::I8:
    return "|i1";
  case artifact::DType::I16:
    return "<i2";
  case artifact::DType::I32:
    return "<i4";
  case artifact::DType::I64:
    return "<i8";
  case artifact::DType::U8:
    return "|u1";
  case artifact::DType::U16:
    return "<u2";
  case artifact::DType::U32:
    return "<u4";
  case artifact::DType::U64:
    return "<u8";
  case artifact::DType::Bool:
    return "|b1";
  case artifact::DType::BF16:
    return nullptr;
  }
  return nullptr;
}

api::Tensor convertTensor(const api::Tensor &t, artifact::DType to) {
  if (t.dtype == to)
    return t;
  const int64_t n = static_cast<int64_t>(t.count());
  host::HostTensor in(t.dtype, t.shape), out(to, t.shape);
  if (n == 0) { // nothing to convert (and the storage may be null)
    api::Tensor r;
    r.shape = t.shape;
    r.dtype = to;
    return r;
  }
  std::memcpy(in.bytes.data(),
              t.dtype == artifact::DType::F32 ? static_cast<const void *>(t.data.data()) : t.bytes.data(),
              in.bytes.size());
  host::dispatch(t.dtype, [&](auto a) {
    using A = decltype(a);
    host::dispatch(to, [&](auto b) {
      using B = decltype(b);
      for (int64_t i = 0; i < n; ++i)
        out.data<B>()[i] = B(static_cast<host::ComputeOf<B>>(static_cast<host::ComputeOf<A>>(in.data<A>()[i])));
    });
  });
  api::Tensor r;
  r.shape = t.shape;
  r.dtype = to;
  if (to == artifact::DType::F32) {
    r.data.resize(static_cast<size_t>(n));
    std::memcpy(r.data.data(), out.bytes.data(), out.bytes.size());
  } else {
    r.bytes = std::move(out.bytes);
  }
  return r;
}

void conformToSignature(const std::vector<artifact::TensorSig> &sigs, TensorMap &tensors) {
  for (const artifact::TensorSig &sig : sigs) {
    auto it = tensors.find(sig.name);
    if (it != tensors.end() && it->second.dtype == artifact::DType::F32 && sig.dtype != artifact::DType::F32)
      it->second = convertTensor(it->second, sig.dtype);
  }
}

bool batchFactor(const std::vector<artifact::TensorSig> &sigs, const TensorMap &inputs, int64_t &k,
                 std::string &error) {
  k = 1;
  std::optional<int64_t> common;
  for (const artifact::TensorSig &sig : sigs) {
    auto it = inputs.find(sig.name);
    if (it == inputs.end())
      continue; // reported by Session::run
    const std::vector<int64_t> &shape = it->second.shape;
    int64_t factor = 0;
    if (shape == sig.shape) {
      factor = 1;
    } else if (!sig.shape.empty() && sig.shape[0] > 0 && shape.size() == sig.shape.size() &&
               std::equal(shape.begin() + 1, shape.end(), sig.shape.begin() + 1) && shape[0] > 0 &&
               shape[0] % sig.shape[0] == 0) {
      factor = shape[0] / sig.shape[0];
    } else {
      error = "--batch: input '" + sig.name + "' has shape " + shapeText(shape) + ", expected a multiple of " +
              shapeText(sig.shape) + " along dimension 0";
      return false;
    }
    if (common && *common != factor) {
      error = "--batch: inputs hold different numbers of batches (" + std::to_string(*common) + " and " +
              std::to_string(factor) + " for '" + sig.name + "')";
      return false;
    }
    common = factor;
  }
  k = common.value_or(1);
  return true;
}

BatchSlicer::BatchSlicer(const std::vector<artifact::TensorSig> &sigs, const TensorMap &inputs, const NpyFiles &files,
                         int64_t k)
    : sigs_(sigs), inputs_(inputs), files_(files) {
  bool complete = true;
  for (const artifact::TensorSig &sig : sigs)
    complete = complete && inputs.count(sig.name);
  passThrough_ = (k == 1 && files.empty()) || !complete;
}

const TensorMap *BatchSlicer::slice(int64_t b, Slice &into, std::string &error) const {
  if (passThrough_)
    return &inputs_;
  for (const artifact::TensorSig &sig : sigs_) {
    auto [it, fresh] = into.tensors.try_emplace(sig.name);
    api::Tensor &t = it->second;
    if (fresh) // the buffer of one run's input, reused by this caller's next runs
      t = api::Tensor{sig.shape, std::vector<float>(sig.numElements())};
    const size_t n = t.data.size();
    if (auto f = files_.find(sig.name); f != files_.end()) {
      if (!f->second.read(static_cast<uint64_t>(b) * n, n, t.data.data(), into.ahead[sig.name], error))
        return nullptr;
      continue;
    }
    const std::vector<float> &all = inputs_.at(sig.name).data;
    std::copy(all.begin() + b * n, all.begin() + (b + 1) * n, t.data.begin());
  }
  return &into.tensors;
}

namespace {
bool sameSigs(const std::vector<artifact::TensorSig> &a, const std::vector<artifact::TensorSig> &b, const char *kind,
              std::string &error) {
  if (a.size() != b.size()) {
    error = std::string("the model has ") + kind + "s " + namesText(a) + ", the reference " + namesText(b);
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name) {
      error = std::string(kind) + " " + std::to_string(i) + " is '" + a[i].name + "' in the model, '" + b[i].name +
              "' in the reference";
      return false;
    }
    if (a[i].shape != b[i].shape) {
      error = std::string(kind) + " '" + a[i].name + "' has shape " + shapeText(a[i].shape) + " in the model, " +
              shapeText(b[i].shape) + " in the reference";
      return false;
    }
  }
  return true;
}
} // namespace

bool sameSignature(const artifact::Artifact &model, const artifact::Artifact &reference, std::string &error) {
  return sameSigs(model.inputs, reference.inputs, "input", error) &&
         sameSigs(model.outputs, reference.outputs, "output", error);
}

bool appendOutputs(const std::vector<artifact::TensorSig> &sigs, int64_t k, const TensorMap &part, TensorMap &all,
                   std::string &error) {
  if (k == 1) {
    all = part;
    return true;
  }
  for (const artifact::TensorSig &sig : sigs) {
    if (sig.shape.empty()) {
      error = "--batch: output '" + sig.name + "' is a scalar and cannot be concatenated";
      return false;
    }
    auto src = part.find(sig.name);
    if (src == part.end()) {
      error = "output '" + sig.name + "' is missing from a run";
      return false;
    }
    if (k == 1) { // one run: the tensor as it is, any dtype
      all[sig.name] = src->second;
      continue;
    }
    api::Tensor &t = all[sig.name];
    if (t.shape.empty()) {
      t.shape = sig.shape;
      t.shape[0] *= k;
      t.data.reserve(sig.numElements() * static_cast<size_t>(k));
    }
    t.data.insert(t.data.end(), src->second.data.begin(), src->second.data.end());
  }
  return true;
}

} // namespace softnpu::tools
