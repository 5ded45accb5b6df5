//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// Format: "\x93NUMPY", major and minor version bytes, header length (u16 for
// version 1, u32 for versions 2 and 3), then a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with
// spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//
#include "softnpu/io/Npy.h"

#include "softnpu/Bytes.h"
#include "softnpu/HugePages.h"
#include "softnpu/io/TensorFile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace softnpu::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

/// A cursor over the header's dict literal.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : s_(text) {}

  bool parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    ws();
    if (!eat('{'))
      return fail("header is not a dict", error);
    for (;;) {
      ws();
      if (eat('}'))
        break;
      std::string key;
      if (!quoted(key))
        return fail("bad header key", error);
      ws();
      if (!eat(':'))
        return fail("missing ':' after '" + key + "'", error);
      ws();
      if (key == "descr") {
        if (!quoted(descr))
          return fail("'descr' is not a string", error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (word("True"))
          fortran = true;
        else if (word("False"))
          fortran = false;
        else
          return fail("'fortran_order' is not True or False", error);
        haveOrder = true;
      } else if (key == "shape") {
        if (!tuple(shape))
          return fail("'shape' is not a tuple of non-negative integers", error);
        haveShape = true;
      } else {
        return fail("unexpected header key '" + key + "'", error);
      }
      ws();
      if (eat(','))
        continue;
      if (eat('}'))
        break;
      return fail("expected ',' or '}' in the header", error);
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("header lacks 'descr', 'fortran_order' or 'shape'", error);
    return true;
  }

private:
  bool fail(const std::string &msg, std::string &error) {
    error = msg;
    return false;
  }
  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r'))
      ++p_;
  }
  bool eat(char c) {
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool word(const char *w) {
    size_t n = std::strlen(w);
    if (s_.compare(p_, n, w) != 0)
      return false;
    p_ += n;
    return true;
  }
  bool quoted(std::string &out) {
    if (p_ >= s_.size() || (s_[p_] != '\'' && s_[p_] != '"'))
      return false;
    char q = s_[p_++];
    size_t end = s_.find(q, p_);
    if (end == std::string::npos)
      return false;
    out = s_.substr(p_, end - p_);
    p_ = end + 1;
    return true;
  }
  bool tuple(std::vector<int64_t> &dims) {
    dims.clear();
    if (!eat('('))
      return false;
    for (;;) {
      ws();
      if (eat(')'))
        return true;
      if (p_ >= s_.size() || s_[p_] < '0' || s_[p_] > '9')
        return false;
      int64_t v = 0;
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') {
        if (v > (INT64_MAX - 9) / 10)
          return false;
        v = v * 10 + (s_[p_++] - '0');
      }
      eat('L'); // Python 2 long suffix
      dims.push_back(v);
      ws();
      if (eat(','))
        continue;
      ws();
      if (eat(')'))
        return true;
      return false;
    }
  }

  const std::string &s_;
  size_t p_ = 0;
};

uint64_t loadLE(const unsigned char *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

/// Bytes of the header-length field for format version `major` (0: unsupported).
size_t lengthFieldBytes(unsigned char major) { return major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0; }

/// Magic, version, header length and header: the bytes before the data,
/// read from the first bytes of a file; 0 when they are too few or not a
/// supported .npy (parsePreamble says why).
size_t preambleBytes(const std::string &head) {
  const auto *p = reinterpret_cast<const unsigned char *>(head.data());
  if (head.size() < kMagicLen + 2 || std::memcmp(p, kMagic, kMagicLen) != 0)
    return 0;
  const size_t lenBytes = lengthFieldBytes(p[6]);
  if (!lenBytes || head.size() < kMagicLen + 2 + lenBytes)
    return 0;
  return kMagicLen + 2 + lenBytes + loadLE(p + kMagicLen + 2, static_cast<unsigned>(lenBytes));
}

/// What a .npy preamble says about the data after it.
struct Preamble {
  size_t dataStart = 0; ///< offset of the first data byte
  ElemType dtype = ElemType::F32;
  std::vector<int64_t> shape;
  uint64_t count = 0; ///< elements
};

/// Parses the preamble at the start of `head` (the whole file, or at least
/// its preamble) of a file of `fileSize` bytes. On failure sets `msg`.
bool parsePreamble(const std::string &head, uint64_t fileSize, Preamble &out, std::string &msg) {
  auto fail = [&](const std::string &m) {
    msg = m;
    return false;
  };
  const auto *p = reinterpret_cast<const unsigned char *>(head.data());
  if (head.size() < kMagicLen + 2 || std::memcmp(p, kMagic, kMagicLen) != 0)
    return fail("not a NumPy .npy file (bad magic)");
  unsigned major = p[6];
  size_t lenBytes = lengthFieldBytes(p[6]);
  if (!lenBytes)
    return fail(".npy format version " + std::to_string(major) + "." + std::to_string(p[7]) +
                " is not supported (expected 1.x, 2.x or 3.x)");
  size_t start = kMagicLen + 2 + lenBytes;
  if (head.size() < start)
    return fail("truncated .npy header");
  uint64_t headerLen = loadLE(p + kMagicLen + 2, static_cast<unsigned>(lenBytes));
  if (headerLen > head.size() - start)
    return fail("truncated .npy header (" + std::to_string(headerLen) + " header bytes announced)");
  std::string header = head.substr(start, headerLen);

  std::string descr, herr;
  bool fortran = false;
  if (!HeaderParser(header).parse(descr, fortran, out.shape, herr))
    return fail("bad .npy header: " + herr);
  if (fortran)
    return fail("Fortran-order (column-major) arrays are not supported; save a C-order array "
                "(numpy.ascontiguousarray)");
  size_t itemSize;
  if (descr == "<f4") {
    out.dtype = ElemType::F32;
    itemSize = 4;
  } else if (descr == "<i8") {
    out.dtype = ElemType::I64;
    itemSize = 8;
  } else if (!descr.empty() && descr[0] == '>') {
    return fail("big-endian data ('" + descr + "') is not supported");
  } else {
    return fail("dtype '" + descr + "' is not supported (expected '<f4' float32 or '<i8' int64)");
  }

  out.dataStart = start + headerLen;
  const uint64_t dataBytes = fileSize - out.dataStart;
  uint64_t count = 1;
  bool overflow = false;
  for (int64_t d : out.shape)
    overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(d), &count);
  if (overflow || count > dataBytes)
    return fail("shape " + shapeText(out.shape) + " needs more data than the file's " + std::to_string(dataBytes) +
                " bytes");
  if (count * itemSize != dataBytes)
    return fail("shape " + shapeText(out.shape) + " of " + descr + " needs " + std::to_string(count * itemSize) +
                " data bytes but the file has " + std::to_string(dataBytes));
  out.count = count;
  return true;
}

/// Sizes `v` to `count` floats for a bulk copy, on huge pages (HugePages.h).
/// (npu-run --batch reads its inputs a run at a time, through NpyFile.)
void resizeForBulkCopy(std::vector<float> &v, size_t count) {
  reserveOnHugePages(v, count);
  v.resize(count);
}

/// Elements of `dtype` from the data bytes `d` (little endian) as floats.
void decodeElements(const unsigned char *d, ElemType dtype, uint64_t count, float *out) {
  if (dtype == ElemType::F32) {
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "'<f4' is the host's float layout");
    copyBytes(out, d, count * 4);
    return;
  }
  for (uint64_t i = 0; i < count; ++i)
    out[i] = static_cast<float>(static_cast<int64_t>(loadLE(d + 8 * i, 8)));
}

} // namespace

std::optional<TensorData> parseNpy(const std::string &bytes, const std::string &origin, std::string &error) {
  Preamble pre;
  std::string msg;
  if (!parsePreamble(bytes, bytes.size(), pre, msg)) {
    error = origin + ": " + msg;
    return std::nullopt;
  }
  TensorData t;
  t.dtype = pre.dtype;
  t.shape = std::move(pre.shape);
  resizeForBulkCopy(t.data, pre.count);
  decodeElements(reinterpret_cast<const unsigned char *>(bytes.data()) + pre.dataStart, t.dtype, pre.count,
                 t.data.data());
  return t;
}

std::optional<NpyFile> NpyFile::open(const std::string &path, std::string &error) {
  std::optional<uint64_t> size = checkedFileSize(path, error);
  if (!size)
    return std::nullopt;
  NpyFile f;
  f.path_ = path;
  f.fd_ = OwnedFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd_.get() < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  const uint64_t fileSize = *size;
  // The preamble only: magic, version and length field, then the header.
  constexpr uint64_t kFixed = kMagicLen + 2 + 4; // the longest length field
  std::string head(static_cast<size_t>(std::min(kFixed, fileSize)), '\0');
  bool ok = f.readAt(0, head.data(), head.size());
  const size_t want = std::min<uint64_t>(preambleBytes(head), fileSize);
  if (ok && want > head.size()) {
    const size_t have = head.size();
    head.resize(want);
    ok = f.readAt(have, head.data() + have, want - have);
  }
  if (!ok) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  Preamble pre;
  std::string msg;
  if (!parsePreamble(head, fileSize, pre, msg)) {
    error = "'" + path + "': " + msg;
    return std::nullopt;
  }
  f.dtype_ = pre.dtype;
  f.shape_ = std::move(pre.shape);
  f.count_ = pre.count;
  f.dataStart_ = pre.dataStart;
  return f;
}

NpyFile::OwnedFd &NpyFile::OwnedFd::operator=(OwnedFd &&o) noexcept {
  if (this != &o) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

NpyFile::OwnedFd::~OwnedFd() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool NpyFile::readAt(uint64_t offset, char *dest, uint64_t bytes) const {
  while (bytes > 0) {
    const ssize_t got = ::pread(fd_.get(), dest, static_cast<size_t>(bytes), static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) // an error, or the file shrank since it was opened
      return false;
    dest += got;
    offset += static_cast<uint64_t>(got);
    bytes -= static_cast<uint64_t>(got);
  }
  return true;
}

bool NpyFile::read(uint64_t first, uint64_t n, float *out, ReadAhead &ahead, std::string &error) const {
  if (first > count_ || n > count_ - first) {
    error = "'" + path_ + "': elements [" + std::to_string(first) + ", " + std::to_string(first + n) +
            ") are past its " + std::to_string(count_);
    return false;
  }
  const uint64_t item = dtype_ == ElemType::F32 ? 4 : 8, begin = dataStart_ + first * item, bytes = n * item;
  // Small reads (a run's slice) come from a block read ahead: two system
  // calls per run cost more than copying a run's input. 64 KiB: a block of
  // a megabyte, copied in at once, pushed the simulator's data out of L2.
  constexpr uint64_t kReadAhead = uint64_t{1} << 16;
  if (bytes < kReadAhead) {
    if (begin < ahead.at || begin + bytes > ahead.at + ahead.bytes.size()) {
      ahead.bytes.resize(std::min(kReadAhead, dataStart_ + count_ * item - begin));
      ahead.at = begin;
      if (!readAt(begin, ahead.bytes.data(), ahead.bytes.size())) {
        ahead.bytes.clear();
        error = "cannot read '" + path_ + "'";
        return false;
      }
    }
    decodeElements(reinterpret_cast<const unsigned char *>(ahead.bytes.data()) + (begin - ahead.at), dtype_, n, out);
    return true;
  }
  bool ok;
  if (dtype_ == ElemType::F32) { // straight into place
    ok = readAt(begin, reinterpret_cast<char *>(out), bytes);
  } else {
    std::vector<char> raw(bytes);
    ok = readAt(begin, raw.data(), bytes);
    decodeElements(reinterpret_cast<const unsigned char *>(raw.data()), dtype_, n, out);
  }
  if (!ok)
    error = "cannot read '" + path_ + "'";
  return ok;
}

std::optional<TensorData> readNpy(const std::string &path, std::string &error) {
  std::optional<NpyFile> f = NpyFile::open(path, error);
  if (!f)
    return std::nullopt;
  TensorData t;
  t.dtype = f->dtype();
  t.shape = f->shape();
  resizeForBulkCopy(t.data, f->count());
  if (!f->read(0, f->count(), t.data.data(), error))
    return std::nullopt;
  return t;
}

/// The header and preamble of a .npy file of `descr` elements.
static std::string npyPreamble(const std::vector<int64_t> &shape, const char *descr) {
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
  // Pad with spaces so that magic + version + length + header + '\n' is a
  // multiple of 64 bytes, as numpy does.
  const size_t prefix = kMagicLen + 2 + 2;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  return out;
}

std::string serializeNpy(const std::vector<int64_t> &shape, const std::vector<float> &data) {
  std::string out = npyPreamble(shape, "<f4");
  out.reserve(out.size() + 4 * data.size());
  for (float f : data) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    for (unsigned i = 0; i < 4; ++i)
      out += static_cast<char>((bits >> (8 * i)) & 0xFF);
  }
  return out;
}

static bool writeBytes(const std::string &path, const std::string &bytes, std::string &error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = "cannot open '" + path + "' for writing";
    return false;
  }
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

bool writeNpyRaw(const std::string &path, const std::vector<int64_t> &shape, const char *descr,
                 const std::vector<uint8_t> &elements, std::string &error) {
  std::string bytes = npyPreamble(shape, descr);
  bytes.append(reinterpret_cast<const char *>(elements.data()), elements.size());
  return writeBytes(path, bytes, error);
}

bool writeNpy(const std::string &path, const std::vector<int64_t> &shape, const std::vector<float> &data,
              std::string &error) {
  uint64_t count = 1;
  for (int64_t d : shape)
    count *= d < 0 ? 0 : static_cast<uint64_t>(d);
  if (count != data.size()) {
    error = "cannot write '" + path + "': shape " + shapeText(shape) + " has " + std::to_string(count) +
            " elements but " + std::to_string(data.size()) + " values were given";
    return false;
  }
  return writeBytes(path, serializeNpy(shape, data), error);
}

} // namespace softnpu::io
