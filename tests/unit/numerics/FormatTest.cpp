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
  const char *bad[] = {"",           "FP32",         "fp16",           "msfp11",        "msfp17",
                       "bfp",        "bfp:m=7",      "bfp:m=7,k=",     "bfp:m=,k=8",    "bfp:m=0,k=16",
                       "bfp:m=16,k=16", "bfp:m=7,k=0", "bfp:m=7,k=257", "bfp:m=07,k=8", "bfp:m=7,k=8x",
                       "bfp:m=-1,k=8", "bfp:k=8,m=7",  " fp32",          "bfp:m=99999999999,k=8"};
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
