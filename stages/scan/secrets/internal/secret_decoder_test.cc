#include "stages/scan/secrets/internal/secret_decoder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "kind:start-end=decoded" for each segment.
std::vector<std::string> Segments(absl::string_view text) {
  std::vector<std::string> out;
  for (const EncodedSegment& s : FindEncodedSegments(text, 0, text.size())) {
    out.push_back(EncodingNames(s.kind)[0] + ":" + std::to_string(s.start) +
                  "-" + std::to_string(s.end) + "=" + s.decoded);
  }
  return out;
}

TEST(SecretDecoderTest, Base64StandardAndUrlSafe) {
  // "longer-encoded-secret-test"
  EXPECT_THAT(Segments("token: bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q="),
              ElementsAre("base64:7-43=longer-encoded-secret-test"));
  // "some?data>with~chars" in the URL-safe alphabet, no padding.
  EXPECT_THAT(Segments("x=c29tZT9kYXRhPndpdGh-Y2hhcnM"),
              ElementsAre("base64:2-29=some?data>with~chars"));
  // An '=' inside ends the run: only the value is decoded.
  EXPECT_THAT(Segments("some-encoded-secret=dGVzdC1zZWNyZXQtdmFsdWU="),
              ElementsAre("base64:20-44=test-secret-value"));
}

TEST(SecretDecoderTest, WhatIsNotDecoded) {
  // Letters only: a word, not base64 (decodes, but is left alone).
  EXPECT_THAT(Segments("ThisIsAVeryLongIdentifierName"), IsEmpty());
  // Decodes to bytes that are not printable ASCII.
  EXPECT_THAT(Segments("iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"), IsEmpty());
  // Too short, wrong padding, or not base64 at all.
  EXPECT_THAT(Segments("dGVzdA== c2VjcmV0"), IsEmpty());
  EXPECT_THAT(Segments("/usr/include/x86_64-linux-gnu/sys"), IsEmpty());
  EXPECT_THAT(Segments(""), IsEmpty());
}

TEST(SecretDecoderTest, HexAndPercent) {
  // "AKIA-test-key-1234" as hex: 36 digits.
  EXPECT_THAT(Segments("k=414b49412d746573742d6b65792d31323334;"),
              ElementsAre("hex:2-38=AKIA-test-key-1234"));
  // A SHA-1 is hex but not printable once decoded.
  EXPECT_THAT(Segments("da39a3ee5e6b4b0d3255bfef95601890afd80709"), IsEmpty());
  EXPECT_THAT(Segments("pw=%73%65%63%72%65%74&x=%zz"),
              ElementsAre("percent:3-21=secret"));
  // %00 is not printable: the whole run is left alone.
  EXPECT_THAT(Segments("%41%00%42"), IsEmpty());
}

TEST(SecretDecoderTest, LowerPrecedenceNeighboursWaitForTheNextPass) {
  // A percent run touching a base64 run: the base64 one waits.
  EXPECT_THAT(Segments("%41%42dGVzdC1zZWNyZXQtdmFsdWU="),
              ElementsAre("percent:0-6=AB"));
}

TEST(SecretDecoderTest, LongTextFindsTheSameAsShortPieces) {
  // Segments far apart, across the 64-byte blocks the scan uses, and a run
  // of base64 characters crossing block boundaries.
  std::string filler(100, ' ');
  std::string text =
      filler + "a=bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q=" + std::string(61, 'x') +
      " " + "dGVzdC1zZWNyZXQtdmFsdWU=" + filler + "%41%42";
  auto all = FindEncodedSegments(text, 0, text.size());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].decoded, "longer-encoded-secret-test");
  EXPECT_EQ(all[1].decoded, "test-secret-value");
  EXPECT_EQ(all[2].decoded, "AB");
  // Starting inside the text still finds what starts after `from`.
  auto tail = FindEncodedSegments(text, all[1].start, text.size());
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].start, all[1].start);
}

}  // namespace
}  // namespace dso
