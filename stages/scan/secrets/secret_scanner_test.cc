#include "stages/scan/secrets/secret_scanner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/secrets/gitleaks_config.h"
#include "stages/scan/secrets/internal/secret_worker.h"

namespace dso {
namespace {

// Built at run time so this source does not itself hold a token.
const std::string kToken = std::string("tok_") + "q8vN3kLm2R";

std::string Base64(const std::string& in) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 |
                 uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[v >> s & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < in.size() ? kAlphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

class SecretScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("dso-secrets");
    ASSERT_FALSE(root_.empty());
    auto set = ParseGitleaksConfig(R"([[rules]]
id = "tok"
description = "test token"
regex = '''\b(tok_[A-Za-z0-9]{10})\b'''
keywords = ["tok_"]
[[rules]]
id = "keystore"
path = '''\.jks$'''
[allowlist]
paths = ['''(?:^|/)ignored(?:/|$)''']
)",
                                   "t.toml", "");
    ASSERT_TRUE(set.ok()) << set.status();
    auto m = SecretMatcher::Compile(*std::move(set));
    ASSERT_TRUE(m.ok());
    matcher_ = *std::move(m);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void Write(const std::string& rel, const std::string& content) {
    std::filesystem::path p = root_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  SecretScanResult Scan(SecretScanOptions options = {}) {
    SecretScanner scanner(*matcher_, std::move(options));
    auto r = scanner.ScanDirectory(root_);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : SecretScanResult{};
  }

  std::string root_;
  std::unique_ptr<SecretMatcher> matcher_;
};

TEST_F(SecretScannerTest, FindsSecretsWithLocationsAndMasksThem) {
  Write("src/app.py", "import os\n\nkey = '" + kToken + "'\n");
  Write("README", "nothing here\n");
  auto r = Scan();
  ASSERT_EQ(r.findings.size(), 1u);
  const SecretFinding& f = r.findings[0];
  EXPECT_EQ(f.file, "src/app.py");
  EXPECT_EQ(f.line, 3u);
  EXPECT_EQ(f.column, 8u);
  EXPECT_EQ(f.end_line, 3u);
  EXPECT_EQ(f.end_column, 21u);
  EXPECT_EQ(f.Fingerprint("tok"), "src/app.py:tok:3");
  EXPECT_THAT(f.secret, ::testing::StartsWith("tok_*****[14 chars, sha256:"));
  EXPECT_EQ(f.match, f.secret);
  EXPECT_EQ(f.secret.find(kToken), std::string::npos);
  EXPECT_EQ(r.stats.files, 2u);
  EXPECT_EQ(r.stats.findings, 1u);
}

TEST_F(SecretScannerTest, SkipsBinariesSymlinksAllowlistedDirsAndGit) {
  Write("blob.bin", std::string("\0\x01", 2) + kToken);
  Write("ignored/a.txt", kToken);
  Write(".git/config", kToken);
  Write("real.txt", "x");
  ASSERT_EQ(symlink((root_ + "/real.txt").c_str(), (root_ + "/link").c_str()),
            0);
  ASSERT_EQ(symlink("/nonexistent", (root_ + "/broken").c_str()), 0);
  auto r = Scan();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.stats.binary_skipped, 1u);
  EXPECT_EQ(r.stats.symlinks_skipped, 2u);
  EXPECT_EQ(r.stats.allowlisted_files, 1u);
  EXPECT_EQ(r.stats.files, 1u);
}

TEST_F(SecretScannerTest, InlineAllowIgnoreFileAndPlaceholders) {
  Write("a.txt", "k = " + kToken + " # gitleaks:allow\n");
  Write("b.txt", "k = " + kToken + "\n");
  Write("c.txt", "k = tok_EXAMPLE123\n");
  SecretScanOptions o;
  o.ignored_fingerprints = {"b.txt:tok:1"};
  auto r = Scan(o);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.stats.suppressed, 2u);
  EXPECT_EQ(r.stats.placeholders, 1u);
}

TEST_F(SecretScannerTest, EncodedSecretsAreDecodedAndReportedInPlace) {
  std::string once = Base64("key: " + kToken + "\n");
  std::string twice = Base64("inner = " + Base64("k=" + kToken) + ";");
  Write("a.yaml", "x: 1\ndata: \"" + once + "\"\ny: " + twice + "\n");
  Write("b.yaml", "data: " + once + " # gitleaks:allow\n");
  auto r = Scan();
  ASSERT_EQ(r.findings.size(), 2u);
  const SecretFinding& a = r.findings[0];
  EXPECT_EQ(a.file, "a.yaml");
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.column, 8u);  // where the encoded text starts
  EXPECT_EQ(a.end_column, 7u + once.size());
  EXPECT_THAT(a.tags,
              ::testing::ElementsAre("decoded:base64", "decode-depth:1"));
  EXPECT_EQ(a.secret.find(kToken), std::string::npos);
  EXPECT_EQ(a.secret.substr(0, 4), "tok_");
  const SecretFinding& b = r.findings[1];
  EXPECT_EQ(b.line, 3u);
  EXPECT_EQ(b.column, 4u);
  EXPECT_THAT(b.tags,
              ::testing::ElementsAre("decoded:base64", "decode-depth:2"));
  EXPECT_EQ(r.stats.suppressed, 1u);  // b.yaml's inline allow
  // One pass finds the singly encoded one only; none finds neither.
  SecretScanOptions one;
  one.max_decode_depth = 1;
  EXPECT_EQ(Scan(one).findings.size(), 1u);
  SecretScanOptions off;
  off.max_decode_depth = 0;
  EXPECT_TRUE(Scan(off).findings.empty());
}

TEST_F(SecretScannerTest, PathOnlyRulesReportTheFile) {
  Write("deploy/release.jks", "binary-ish");
  auto r = Scan();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].file, "deploy/release.jks");
  EXPECT_EQ(r.findings[0].match, "file detected: deploy/release.jks");
}

TEST_F(SecretScannerTest, ChunkBoundariesNeitherLoseNorDuplicate) {
  // Secrets placed at every offset around the chunk edges of a small chunk
  // size; each must be found exactly once, on the right line.
  std::string text;
  std::vector<uint32_t> lines;
  uint32_t line = 1;
  for (int i = 0; i < 200; ++i) {
    std::string pad(static_cast<size_t>(i * 37 % 250), 'x');
    text += pad + " " + kToken.substr(0, 4) + std::string(1, 'A' + i % 26) +
            kToken.substr(5) + "\n";
    lines.push_back(line++);
  }
  Write("big.txt", text);
  SecretScanOptions o;
  o.chunk_bytes = 4096;
  o.overlap_bytes = 512;
  auto r = Scan(o);
  ASSERT_EQ(r.findings.size(), 200u);
  for (size_t i = 0; i < 200; ++i) EXPECT_EQ(r.findings[i].line, lines[i]);
  EXPECT_EQ(r.stats.bytes, text.size());
}

TEST_F(SecretScannerTest, ColumnsCountFromTheLineNotTheChunk) {
  // Tokens far into lines much longer than a chunk: their columns are the
  // lines', however many chunks the lines span.
  std::string text = "first line\n";
  std::vector<uint32_t> columns;
  for (size_t pad : {9000, 20000}) {
    text += std::string(pad, 'x') + " ";
    columns.push_back(static_cast<uint32_t>(pad + 2));
    text += kToken + "\n";
  }
  Write("long.txt", text);
  SecretScanOptions o;
  o.chunk_bytes = 4096;
  o.overlap_bytes = 512;
  auto r = Scan(o);
  ASSERT_EQ(r.findings.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r.findings[i].line, i + 2);
    EXPECT_EQ(r.findings[i].column, columns[i]);
    EXPECT_EQ(r.findings[i].end_column, columns[i] + kToken.size() - 1);
  }
}

TEST_F(SecretScannerTest, ReadErrorsAreWarningsNotFailures) {
  // Reading /proc/self/mem at offset 0 fails with EIO, for root too.
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanDirectory("/proc/self/mem");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stats.unreadable, 1u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_THAT(r->warnings[0], ::testing::HasSubstr("mem: read failed"));
}

TEST_F(SecretScannerTest, StreamsAreScannedUnderTheirName) {
  std::string path = root_ + "/stdin.txt";
  Write("stdin.txt", "a\n" + kToken + "\n");
  int fd = open(path.c_str(), O_RDONLY);
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanFd(fd, "<stdin>");
  close(fd);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].file, "<stdin>");
  EXPECT_EQ(r.findings[0].line, 2u);
}

// A stream of `data` handing out at most `piece` bytes per read, counting
// what it gave.
SecretReadFn PieceReader(const std::string& data, size_t piece, size_t* given) {
  return [&data, piece, given](char* buf, size_t n, std::string*) {
    size_t k = std::min({n, piece, data.size() - *given});
    memcpy(buf, data.data() + *given, k);
    *given += k;
    return static_cast<ssize_t>(k);
  };
}

TEST_F(SecretScannerTest, ABinaryFileIsJudgedOnItsFirstBytesOnly) {
  SecretScanner scanner(*matcher_, {});
  SecretScanner::Sequence seq(scanner);
  std::string binary(10 << 20, 'b');
  binary[100] = '\0';
  size_t binary_read = 0;
  seq.Scan(PieceReader(binary, ~size_t{0}, &binary_read), "big.bin",
           binary.size());
  // A NUL in the first 8000 bytes counts also when they come in pieces.
  std::string late_nul(20000, 'c');
  late_nul[7000] = '\0';
  size_t late_read = 0;
  seq.Scan(PieceReader(late_nul, 100, &late_read), "pipe.bin",
           SecretScanner::Worker::kUnknownSize);
  // Text past the first read is read and scanned to its end.
  std::string text = std::string(200000, 'x') + "\nk = " + kToken + "\n";
  size_t text_read = 0;
  seq.Scan(PieceReader(text, ~size_t{0}, &text_read), "big.txt", text.size());
  auto r = seq.Finish();
  EXPECT_EQ(r.stats.binary_skipped, 2u);
  EXPECT_LE(binary_read, size_t{64 << 10});
  EXPECT_EQ(text_read, text.size());
  EXPECT_EQ(r.stats.files, 1u);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].file, "big.txt");
}

TEST_F(SecretScannerTest, MissingRootIsAnError) {
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanDirectory(root_ + "/nope");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("nope"));
}

// One finding per secret: the token's own format over the context that
// names it, a named rule over a generic one.
TEST(SecretScannerDefaultsTest, OneFindingPerSecretFromTheMostSpecificRule) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  std::string root = MakeTempDir("dups");
  const std::string npm =
      "npm_" + std::string("Zq8vN3kLm2Rt7Yw1Xc5Bd9Fg4Hj6Kp0Sa2Ue");
  std::ofstream(root + "/.npmrc")
      << "//registry.npmjs.org/:_authToken=" << npm << "\n";
  SecretScanner scanner(**m, SecretScanOptions{});
  auto r = scanner.ScanDirectory(root);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> rules;
  for (const auto& f : r->findings)
    rules.push_back((*m)->rules().rules[f.rule].id);
  EXPECT_THAT(rules, ::testing::ElementsAre("npm-access-token"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace dso
