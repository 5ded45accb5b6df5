//===- IoTest.cpp - Tests of the .npy and TensorProto readers -------------===//
//
// The .npy inputs below are the verbatim bytes numpy wrote (np.save, or
// numpy.lib.format.write_array for version 2.0), not output of the code under
// test. The TensorProto test uses the ONNX backend test data installed by
// Debian's libonnx-testdata.
//
//===----------------------------------------------------------------------===//
#include "softnpu/io/Npy.h"
#include "softnpu/io/TensorFile.h"
#include "softnpu/io/TensorProto.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace softnpu::io;

namespace {

// np.save(np.array([[1.5, -2, 0.25], [3e38, -0.0, 7]], dtype='<f4'))
// np.save(np.array([-3, 0, 5, 1 << 40], dtype='<i8'))
// np.save(np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))
// np.save(np.arange(2, dtype='<f8'))
// np.save(np.array(2.5, dtype='<f4'))
// write_array(np.arange(3, dtype='<f4'), version=(2, 0))
// np.save(np.arange(2, dtype='>f4'))
const std::string
    kNumpyF32("\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                       "
              "                                   "
              "\012\000\000\300\077\000\000\000\300\000\000\200>\346\261a\177\000\000\000\200\000\000\340@",
              152);
const std::string kNumpyI64("\223NUMPY\001\000v\000{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }           "
                            "                                                 "
                            "\012\375\377\377\377\377\377\377\377\000\000\000\000\000\000\000\000\005\000\000\000\000"
                            "\000\000\000\000\000\000\000\000\001\000\000",
                            160);
const std::string kNumpyFortran(
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }                                  "
    "                         \012\000\000\000\000\000\000@@\000\000\200\077\000\000\200@\000\000\000@\000\000\240@",
    152);
const std::string
    kNumpyF64("\223NUMPY\001\000v\000{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }                         "
              "                                   \012\000\000\000\000\000\000\000\000\000\000\000\000\000\000\360\077",
              144);
const std::string kNumpyScalar("\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'shape': (), }          "
                               "                                                    \012\000\000 @",
                               132);
const std::string
    kNumpyV2("\223NUMPY\002\000t\000\000\000{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }                  "
             "                                        \012\000\000\000\000\000\000\200\077\000\000\000@",
             140);
const std::string
    kNumpyBigEndian("\223NUMPY\001\000v\000{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }                   "
                    "                                         \012\000\000\000\000\077\200\000\000",
                    136);

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

std::string npyError(const std::string &bytes) {
  std::string err;
  EXPECT_FALSE(parseNpy(bytes, "test.npy", err).has_value());
  EXPECT_TRUE(contains(err, "test.npy")) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  return err;
}

std::string protoError(const onnx::TensorProto &tp) {
  std::string err;
  EXPECT_FALSE(parseTensorProto(tp.SerializeAsString(), "t.pb", err).has_value());
  EXPECT_TRUE(contains(err, "t.pb")) << err;
  return err;
}

std::string tempPath(const std::string &name) { return testing::TempDir() + "/softnpu_io_" + name; }

} // namespace

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST(Npy, ReadsNumpyFloat32) {
  std::string err;
  auto t = parseNpy(kNumpyF32, "f32.npy", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->dtype, ElemType::F32);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
  std::vector<float> expected = {1.5f, -2.0f, 0.25f, 3e38f, -0.0f, 7.0f};
  ASSERT_EQ(t->data.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(std::memcmp(&t->data[i], &expected[i], 4), 0) << i; // bit exact, -0.0 included
  EXPECT_TRUE(t->name.empty());
}

TEST(Npy, ReadsNumpyInt64AsFloat) {
  std::string err;
  auto t = parseNpy(kNumpyI64, "i64.npy", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->dtype, ElemType::I64);
  EXPECT_STREQ(elemTypeName(t->dtype), "int64");
  EXPECT_EQ(t->shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(t->data, (std::vector<float>{-3.0f, 0.0f, 5.0f, 1099511627776.0f}));
}

TEST(Npy, ReadsVersion2AndScalars) {
  std::string err;
  auto v2 = parseNpy(kNumpyV2, "v2.npy", err);
  ASSERT_TRUE(v2.has_value()) << err;
  EXPECT_EQ(v2->shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(v2->data, (std::vector<float>{0.0f, 1.0f, 2.0f}));
  auto s = parseNpy(kNumpyScalar, "scalar.npy", err);
  ASSERT_TRUE(s.has_value()) << err;
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(s->data, (std::vector<float>{2.5f}));
}

TEST(Npy, RejectsUnsupportedLayoutsAndTypes) {
  EXPECT_TRUE(contains(npyError(kNumpyFortran), "Fortran"));
  EXPECT_TRUE(contains(npyError(kNumpyF64), "'<f8'"));
  EXPECT_TRUE(contains(npyError(kNumpyBigEndian), "big-endian"));
}

TEST(Npy, RejectsMalformedFiles) {
  EXPECT_TRUE(contains(npyError("PK\003\004 not numpy at all"), "bad magic"));
  // Every truncation fails cleanly.
  for (size_t len = 0; len < kNumpyF32.size(); ++len)
    npyError(kNumpyF32.substr(0, len));
  // One byte too many.
  npyError(kNumpyF32 + '\0');
  // Header length beyond the file.
  std::string b = kNumpyF32;
  b[8] = '\377';
  b[9] = '\177';
  EXPECT_TRUE(contains(npyError(b), "truncated"));
  // Unsupported format version.
  b = kNumpyF32;
  b[6] = 9;
  EXPECT_TRUE(contains(npyError(b), "version"));
  // Shape whose element count overflows.
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }";
  std::string huge = std::string("\223NUMPY\001\000", 8) + char(h.size()) + '\0' + h + "abcd";
  npyError(huge);
  // Broken header dicts.
  for (std::string bad :
       {"{'descr': '<f4', 'shape': (2,), }", "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "not a dict",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}"}) {
    std::string f = std::string("\223NUMPY\001\000", 8) + char(bad.size()) + '\0' + bad + "abcd";
    npyError(f);
  }
}

TEST(Npy, RoundTrip) {
  const std::vector<std::vector<int64_t>> shapes = {{}, {0}, {5}, {2, 3, 4}, {1, 1, 7}};
  for (const auto &shape : shapes) {
    size_t n = 1;
    for (int64_t d : shape)
      n *= static_cast<size_t>(d);
    std::vector<float> data(n);
    for (size_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(i) * 0.37f - 3.0f;
    std::string bytes = serializeNpy(shape, data);
    ASSERT_GE(bytes.size(), 10u);
    size_t headerEnd = 10 + (static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8);
    EXPECT_EQ(headerEnd % 64, 0u) << "numpy aligns the data to 64 bytes";
    EXPECT_EQ(bytes.size(), headerEnd + 4 * n);
    std::string err;
    auto t = parseNpy(bytes, "rt.npy", err);
    ASSERT_TRUE(t.has_value()) << err;
    EXPECT_EQ(t->shape, shape);
    EXPECT_EQ(t->data, data);
    EXPECT_EQ(t->dtype, ElemType::F32);
  }
}

TEST(Npy, Files) {
  std::string path = tempPath("rt.npy");
  std::string err;
  ASSERT_TRUE(writeNpy(path, {2, 2}, {1, 2, 3, 4}, err)) << err;
  auto t = readTensorFile(path, err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->data, (std::vector<float>{1, 2, 3, 4}));
  std::remove(path.c_str());

  EXPECT_FALSE(writeNpy(path, {2, 3}, {1, 2}, err));
  EXPECT_TRUE(contains(err, path)) << err;
  std::string missing = tempPath("no/such/dir/x.npy");
  EXPECT_FALSE(readTensorFile(missing, err).has_value());
  EXPECT_TRUE(contains(err, missing)) << err;
  EXPECT_FALSE(writeNpy(missing, {1}, {1}, err));
  EXPECT_TRUE(contains(err, missing)) << err;
}

// NpyFile reads ranges of elements: through its read-ahead block for small
// ones (a block of 64 KiB, so these cross block boundaries), straight for
// large ones; every range gives the elements readNpy gives.
TEST(Npy, FileRanges) {
  std::string path = tempPath("ranges.npy");
  std::string err;
  const uint64_t n = 700000; // 2.8 MB of data
  std::vector<float> data(n);
  for (uint64_t i = 0; i < n; ++i)
    data[i] = static_cast<float>(i) * 0.5f - 7.0f;
  ASSERT_TRUE(writeNpy(path, {static_cast<int64_t>(n)}, data, err)) << err;
  std::optional<NpyFile> f = NpyFile::open(path, err);
  ASSERT_TRUE(f.has_value()) << err;
  EXPECT_EQ(f->dtype(), ElemType::F32);
  EXPECT_EQ(f->shape(), (std::vector<int64_t>{static_cast<int64_t>(n)}));
  EXPECT_EQ(f->count(), n);
  const std::vector<std::pair<uint64_t, uint64_t>> ranges = {{0, 1536}, {1536, 1536}, {262000, 1000}, {261000, 300000},
                                                             {5, 3},    {n - 10, 10}, {0, n},         {400000, 1}};
  for (const auto &[first, count] : ranges) {
    std::vector<float> got(count, -1.0f);
    ASSERT_TRUE(f->read(first, count, got.data(), err)) << err;
    EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin() + static_cast<std::ptrdiff_t>(first)))
        << first << " + " << count;
  }
  std::vector<float> one(2);
  EXPECT_FALSE(f->read(n - 1, 2, one.data(), err));
  EXPECT_TRUE(contains(err, path)) << err;
  std::remove(path.c_str());

  std::string i64 = tempPath("ranges_i64.npy");
  std::ofstream(i64, std::ios::binary) << kNumpyI64;
  std::optional<NpyFile> g = NpyFile::open(i64, err);
  ASSERT_TRUE(g.has_value()) << err;
  EXPECT_EQ(g->dtype(), ElemType::I64);
  std::vector<float> two(2);
  ASSERT_TRUE(g->read(2, 2, two.data(), err)) << err;
  EXPECT_EQ(two, (std::vector<float>{5.0f, 1099511627776.0f}));
  std::remove(i64.c_str());
}

TEST(TensorFile, PicksReaderByExtension) {
  std::string err;
  EXPECT_FALSE(readTensorFile(tempPath("data.csv"), err).has_value());
  EXPECT_TRUE(contains(err, ".npy or .pb")) << err;
  EXPECT_FALSE(readTensorFile(tempPath("dir.npy/noext"), err).has_value());
  EXPECT_TRUE(contains(err, ".npy or .pb")) << err;

  // Upper-case extensions work; a .pb holding .npy bytes is rejected by the
  // TensorProto reader.
  std::string npy = tempPath("UPPER.NPY");
  std::ofstream(npy, std::ios::binary) << kNumpyF32;
  auto t = readTensorFile(npy, err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->shape, (std::vector<int64_t>{2, 3}));
  std::string pb = tempPath("wrong.pb");
  std::ofstream(pb, std::ios::binary) << kNumpyF32;
  EXPECT_FALSE(readTensorFile(pb, err).has_value());
  EXPECT_TRUE(contains(err, pb)) << err;
  std::remove(npy.c_str());
  std::remove(pb.c_str());
}

TEST(TensorFile, OnlyRegularFilesAreRead) {
  // A directory and an endless device, named as tensor files: one line each,
  // before a byte is read (/dev/zero once grew the reader past 4 GB).
  std::string err;
  const std::string dir = tempPath("adir.npy");
  std::filesystem::create_directories(dir);
  EXPECT_FALSE(readTensorFile(dir, err).has_value());
  EXPECT_EQ(err, "cannot read '" + dir + "': it is a directory");
  for (const char *name : {"zero.npy", "zero.pb"}) {
    const std::string link = tempPath(name);
    std::filesystem::remove(link);
    std::filesystem::create_symlink("/dev/zero", link);
    EXPECT_FALSE(readTensorFile(link, err).has_value());
    EXPECT_EQ(err, "cannot read '" + link + "': not a regular file");
    std::filesystem::remove(link);
  }
  std::filesystem::remove(dir);
}

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

TEST(TensorProto, OnnxReluTestData) {
  const std::string dir = std::string(SOFTNPU_ONNX_TESTDATA) + "/node/test_relu/test_data_set_0/";
  if (!std::ifstream(dir + "input_0.pb"))
    GTEST_SKIP() << "ONNX test data not installed at " << dir;
  std::string err;
  auto in = readTensorFile(dir + "input_0.pb", err);
  ASSERT_TRUE(in.has_value()) << err;
  auto out = readTensorFile(dir + "output_0.pb", err);
  ASSERT_TRUE(out.has_value()) << err;
  EXPECT_EQ(in->dtype, ElemType::F32);
  EXPECT_EQ(in->shape, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(out->shape, in->shape);
  EXPECT_FALSE(in->name.empty());
  ASSERT_EQ(in->data.size(), 60u);
  ASSERT_EQ(out->data.size(), 60u);
  size_t negatives = 0, positives = 0;
  for (size_t i = 0; i < in->data.size(); ++i) {
    EXPECT_EQ(out->data[i], std::max(in->data[i], 0.0f)) << i;
    negatives += in->data[i] < 0;
    positives += in->data[i] > 0;
  }
  // Otherwise max(x, 0) would not distinguish anything.
  EXPECT_GT(negatives, 0u);
  EXPECT_GT(positives, 0u);
}

TEST(TensorProto, FieldVariants) {
  std::string err;
  onnx::TensorProto f;
  f.set_name("f");
  f.set_data_type(onnx::TensorProto_DataType_FLOAT);
  f.add_dims(2);
  f.add_float_data(1.25f);
  f.add_float_data(-4.0f);
  auto t = parseTensorProto(f.SerializeAsString(), "f.pb", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->name, "f");
  EXPECT_EQ(t->data, (std::vector<float>{1.25f, -4.0f}));

  onnx::TensorProto i;
  i.set_data_type(onnx::TensorProto_DataType_INT64);
  i.add_dims(1);
  i.add_dims(3);
  i.add_int64_data(-7);
  i.add_int64_data(0);
  i.add_int64_data(123456);
  t = parseTensorProto(i.SerializeAsString(), "i.pb", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->dtype, ElemType::I64);
  EXPECT_EQ(t->shape, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(t->data, (std::vector<float>{-7.0f, 0.0f, 123456.0f}));

  // raw_data, little endian.
  onnx::TensorProto r;
  r.set_data_type(onnx::TensorProto_DataType_FLOAT);
  r.add_dims(2);
  const unsigned char rawF[] = {0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x20, 0xc1}; // 1.5f, -10.0f
  r.set_raw_data(std::string(reinterpret_cast<const char *>(rawF), sizeof rawF));
  t = parseTensorProto(r.SerializeAsString(), "r.pb", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_EQ(t->data, (std::vector<float>{1.5f, -10.0f}));

  onnx::TensorProto ri;
  ri.set_data_type(onnx::TensorProto_DataType_INT64);
  const unsigned char rawI[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; // -2
  ri.set_raw_data(std::string(reinterpret_cast<const char *>(rawI), sizeof rawI));
  t = parseTensorProto(ri.SerializeAsString(), "ri.pb", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_TRUE(t->shape.empty());
  EXPECT_EQ(t->data, (std::vector<float>{-2.0f}));

  // An empty tensor.
  onnx::TensorProto e;
  e.set_data_type(onnx::TensorProto_DataType_FLOAT);
  e.add_dims(3);
  e.add_dims(0);
  t = parseTensorProto(e.SerializeAsString(), "e.pb", err);
  ASSERT_TRUE(t.has_value()) << err;
  EXPECT_TRUE(t->data.empty());
}

TEST(TensorProto, Rejections) {
  onnx::TensorProto d;
  d.set_name("dbl");
  d.set_data_type(onnx::TensorProto_DataType_DOUBLE);
  d.add_dims(1);
  d.add_double_data(1.0);
  EXPECT_TRUE(contains(protoError(d), "DOUBLE")) << protoError(d);

  onnx::TensorProto u; // no data type at all
  EXPECT_TRUE(contains(protoError(u), "UNDEFINED")) << protoError(u);

  onnx::TensorProto c;
  c.set_data_type(onnx::TensorProto_DataType_FLOAT);
  c.add_dims(3);
  c.add_float_data(1);
  protoError(c); // 1 value for 3 elements

  onnx::TensorProto r;
  r.set_data_type(onnx::TensorProto_DataType_FLOAT);
  r.add_dims(2);
  r.set_raw_data(std::string(7, '\0'));
  EXPECT_TRUE(contains(protoError(r), "raw_data")) << protoError(r);

  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto_DataType_FLOAT);
  h.add_dims(int64_t(1) << 40);
  h.add_dims(int64_t(1) << 40);
  protoError(h);

  onnx::TensorProto n;
  n.set_data_type(onnx::TensorProto_DataType_FLOAT);
  n.add_dims(-1);
  protoError(n);

  onnx::TensorProto x;
  x.set_data_type(onnx::TensorProto_DataType_FLOAT);
  x.set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  EXPECT_TRUE(contains(protoError(x), "external")) << protoError(x);

  std::string err;
  EXPECT_FALSE(parseTensorProto(std::string("\377\377\377\377garbage", 11), "g.pb", err).has_value());
  EXPECT_TRUE(contains(err, "g.pb")) << err;
}
