//===- FormatTest.cpp - Number format and rounding-mode names ------------===//
#include "softnpu/numerics/Format.h"

#include <gtest/gtest.h>

namespace softnpu::numerics {
namespace {

TEST(FormatTest, Fp32Name) {
  EXPECT_EQ(NumberFormat::fp32().name(), "fp32");
  std::optional<NumberFormat> f = NumberFormat::parse("fp32");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->isFp32());
}

TEST(FormatTest, MsfpNamesMapToMantissaBits) {
  // MSFP<n>: 1 sign bit + 8 shared exponent bits + m mantissa bits = n, blocks of 16.
  const struct {
    const char *name;
    unsigned bits;
  } cases[] = {{"msfp12", 3}, {"msfp13", 4}, {"msfp14", 5}, {"msfp15", 6}, {"msfp16", 7}};
  for (const auto &c : cases) {
    std::optional<NumberFormat> f = NumberFormat::parse(c.name);
    ASSERT_TRUE(f) << c.name;
    EXPECT_EQ(*f, NumberFormat::bfp(c.bits, 16)) << c.name;
    EXPECT_EQ(NumberFormat::bfp(c.bits, 16).name(), c.name);
  }
}

TEST(FormatTest, GenericBfpNames) {
  EXPECT_EQ(NumberFormat::bfp(7, 8).name(), "bfp:m=7,k=8");
  EXPECT_EQ(NumberFormat::bfp(8, 16).name(), "bfp:m=8,k=16");
  EXPECT_EQ(NumberFormat::bfp(2, 16).name(), "bfp:m=2,k=16");
  // A generic spelling of an MSFP format parses to the same format.
  EXPECT_EQ(NumberFormat::parse("bfp:m=6,k=16"), NumberFormat::bfp(6, 16));
  EXPECT_EQ(NumberFormat::parse("bfp:m=15,k=256"), NumberFormat::bfp(15, 256));
  EXPECT_EQ(NumberFormat::parse("bfp:m=1,k=1"), NumberFormat::bfp(1, 1));
}

TEST(FormatTest, EveryValidBfpNameRoundTrips) {
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k = 1; k <= 256; ++k) {
      NumberFormat f = NumberFormat::bfp(m, k);
      std::string error;
      std::optional<NumberFormat> back = NumberFormat::parse(f.name(), &error);
      ASSERT_TRUE(back) << f.name() << ": " << error;
      EXPECT_EQ(*back, f);
    }
}

TEST(FormatTest, RejectsMalformedAndOutOfRange) {
  const char *bad[] = {"",
                       "FP32",
                       "fp8",
                       "msfp11",
                       "msfp17",
                       "mxfp8",
                       "mxfp4,k=0",
                       "mxfp4,k=257",
                       "mxint8,k=",
                       "mxint8,m=3",
                       "mxfp4x",
                       "mxfp6",
                       "bf16,k=16",
                       "MXFP4",
                       "mxint8,k=016",
                       "bfp",
                       "bfp:m=7",
                       "bfp:m=7,k=",
                       "bfp:m=,k=8",
                       "bfp:m=0,k=16",
                       "bfp:m=16,k=16",
                       "bfp:m=7,k=0",
                       "bfp:m=7,k=257",
                       "bfp:m=07,k=8",
                       "bfp:m=7,k=8x",
                       "bfp:m=-1,k=8",
                       "bfp:k=8,m=7",
                       " fp32",
                       "bfp:m=99999999999,k=8"};
  for (const char *text : bad) {
    std::string error;
    EXPECT_FALSE(NumberFormat::parse(text, &error)) << text;
    EXPECT_NE(error.find(std::string("'") + text + "'"), std::string::npos) << error;
  }
  EXPECT_FALSE(NumberFormat::parse("bfp:m=3,k=3000")); // no error pointer: must not crash
}

TEST(FormatTest, OutOfRangeErrorsNameTheParameter) {
  std::string error;
  EXPECT_FALSE(NumberFormat::parse("bfp:m=16,k=16", &error));
  EXPECT_NE(error.find("mantissa bits"), std::string::npos) << error;
  EXPECT_FALSE(NumberFormat::parse("bfp:m=4,k=300", &error));
  EXPECT_NE(error.find("block size"), std::string::npos) << error;
}

TEST(FormatTest, ScalarAndMxNames) {
  const struct {
    const char *name;
    NumberFormat format;
    unsigned elementBits;
  } cases[] = {
      {"bf16", NumberFormat::bf16(), 16},
      {"fp16", NumberFormat::fp16(), 16},
      {"mxfp8_e4m3", NumberFormat::mx(Element::E4M3), 8},
      {"mxfp8_e5m2", NumberFormat::mx(Element::E5M2), 8},
      {"mxfp6_e3m2", NumberFormat::mx(Element::E3M2), 6},
      {"mxfp6_e2m3", NumberFormat::mx(Element::E2M3), 6},
      {"mxfp4", NumberFormat::mx(Element::E2M1), 4},
      {"mxint8", NumberFormat::mx(Element::Int8), 8},
      {"mxint8,k=16", NumberFormat::mx(Element::Int8, 16), 8},
      {"mxfp4,k=1", NumberFormat::mx(Element::E2M1, 1), 4},
      {"mxfp8_e4m3,k=256", NumberFormat::mx(Element::E4M3, 256), 8},
  };
  for (const auto &c : cases) {
    std::string error;
    std::optional<NumberFormat> f = NumberFormat::parse(c.name, &error);
    ASSERT_TRUE(f) << c.name << ": " << error;
    EXPECT_EQ(*f, c.format) << c.name;
    EXPECT_EQ(c.format.name(), c.name);
    EXPECT_TRUE(f->isValid()) << c.name;
    EXPECT_EQ(f->elementBits(), c.elementBits) << c.name;
  }
  EXPECT_TRUE(NumberFormat::parse("bf16")->isScalar());
  EXPECT_TRUE(NumberFormat::parse("mxfp4")->isBlock());
  EXPECT_EQ(NumberFormat::parse("mxfp4")->blockSize, 32u);
  // ",k=32" is accepted and prints canonically without it.
  EXPECT_EQ(NumberFormat::parse("mxfp4,k=32")->name(), "mxfp4");
}

TEST(FormatTest, BitsPerElementIncludeTheSharedScale) {
  EXPECT_DOUBLE_EQ(NumberFormat::fp32().bitsPerElement(), 32.0);
  EXPECT_DOUBLE_EQ(NumberFormat::bf16().bitsPerElement(), 16.0);
  EXPECT_DOUBLE_EQ(NumberFormat::bfp(6, 16).bitsPerElement(), 7.0 + 8.0 / 16); // msfp15: 7.5
  EXPECT_DOUBLE_EQ(NumberFormat::mx(Element::E2M1).bitsPerElement(), 4.25);
  EXPECT_DOUBLE_EQ(NumberFormat::mx(Element::E4M3).bitsPerElement(), 8.25);
  EXPECT_EQ(NumberFormat::bfp(3, 16).elementBits(), 4u);
}

TEST(FormatTest, ValidityAndMatrixPairs) {
  EXPECT_FALSE(NumberFormat::bfp(0, 16).isValid());
  EXPECT_FALSE(NumberFormat::bfp(3, 0).isValid());
  EXPECT_FALSE(NumberFormat::mx(Element::E2M1, 300).isValid());
  NumberFormat mxWithM = NumberFormat::mx(Element::E2M1);
  mxWithM.mantissaBits = 3;
  EXPECT_FALSE(mxWithM.isValid());
  EXPECT_FALSE(checkMatrixFormats(NumberFormat::fp32(), NumberFormat::fp32()));
  EXPECT_FALSE(checkMatrixFormats(NumberFormat::mx(Element::E2M1), NumberFormat::mx(Element::E4M3)));
  EXPECT_FALSE(checkMatrixFormats(NumberFormat::bfp(3, 32), NumberFormat::mx(Element::Int8)));
  EXPECT_TRUE(checkMatrixFormats(NumberFormat::fp32(), NumberFormat::bfp(6, 16)));
  EXPECT_TRUE(checkMatrixFormats(NumberFormat::bfp(6, 16), NumberFormat::mx(Element::E4M3)));
  EXPECT_TRUE(checkMatrixFormats(NumberFormat::bf16(), NumberFormat::bf16()));
  std::optional<std::string> why = checkMatrixFormats(NumberFormat::bfp(6, 16), NumberFormat::bfp(6, 8));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("block size"), std::string::npos) << *why;
}

TEST(FormatTest, RoundingNames) {
  EXPECT_STREQ(roundingName(Rounding::NearestEven), "nearest-even");
  EXPECT_STREQ(roundingName(Rounding::NearestAway), "nearest-away");
  EXPECT_STREQ(roundingName(Rounding::TowardZero), "toward-zero");
  EXPECT_EQ(parseRounding("nearest-even"), Rounding::NearestEven);
  EXPECT_EQ(parseRounding("nearest-away"), Rounding::NearestAway);
  EXPECT_EQ(parseRounding("toward-zero"), Rounding::TowardZero);
  EXPECT_FALSE(parseRounding("nearest"));
  EXPECT_FALSE(parseRounding("Nearest-Even"));
  EXPECT_FALSE(parseRounding(""));
}

} // namespace
} // namespace softnpu::numerics
