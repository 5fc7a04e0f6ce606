#include "stages/scan/deps/internal/osv_record.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Shaped like the Go vulnerability database's records.
constexpr char kGoJson[] = R"({
  "schema_version": "1.3.1",
  "id": "GO-2022-1059",
  "modified": "2024-05-20T16:03:47Z",
  "aliases": ["CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"],
  "summary": "Denial of service via crafted Accept-Language header",
  "affected": [{
    "package": {"name": "golang.org/x/text", "ecosystem": "Go"},
    "ranges": [{"type": "SEMVER",
                "events": [{"introduced": "0"}, {"fixed": "0.3.8"}]}],
    "ecosystem_specific": {"imports": [{"path": "golang.org/x/text/language"}]}
  }],
  "references": [{"type": "FIX", "url": "https://go.dev/cl/442235"}],
  "database_specific": {"url": "https://pkg.go.dev/vuln/GO-2022-1059"}
})";

// Shaped like the PyPA advisory database's records.
constexpr char kPypaYaml[] = R"(id: PYSEC-2021-9
modified: 2021-03-22T16:34:00Z
published: 2021-03-22T16:15:00Z
aliases:
- CVE-2021-28957
details: An XSS vulnerability was discovered in python-lxml's clean module.
affected:
- package:
    ecosystem: PyPI
    name: lxml
    purl: pkg:pypi/lxml
  ranges:
  - type: GIT
    repo: https://github.com/lxml/lxml
    events:
    - introduced: "0"
    - fixed: 2d01a1ba8984e0483ce6619b972832377f208a0d
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: 4.6.3
  versions:
  - '0.5'
  - 4.6.2
severity:
- type: CVSS_V3
  score: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N
)";

TEST(OsvRecordTest, ReadsAGoJsonRecord) {
  auto r = ParseOsvJson(kGoJson, "GO-2022-1059.json");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->id, "GO-2022-1059");
  EXPECT_EQ(r->modified, "2024-05-20T16:03:47Z");
  EXPECT_THAT(r->aliases, ElementsAre("CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"));
  ASSERT_EQ(r->affected.size(), 1u);
  const OsvAffected& a = r->affected[0];
  EXPECT_EQ(a.ecosystem, "Go");
  EXPECT_EQ(a.name, "golang.org/x/text");
  ASSERT_EQ(a.ranges.size(), 1u);
  EXPECT_EQ(a.ranges[0].type, OsvRange::kSemver);
  ASSERT_EQ(a.ranges[0].events.size(), 2u);
  EXPECT_EQ(a.ranges[0].events[1].kind, OsvEvent::kFixed);
  EXPECT_EQ(a.ranges[0].events[1].version, "0.3.8");
  EXPECT_TRUE(*IsAffected(a, "v0.3.7"));
  EXPECT_FALSE(*IsAffected(a, "v0.3.8"));
}

// Aliases that double at each level are refused, not expanded.
TEST(OsvRecordTest, AYamlAliasBombIsRefused) {
  std::string bomb = "id: PYSEC-0\na0: &a0 [x, x]\n";
  for (int i = 1; i < 40; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
  }
  auto got = ParseOsvYaml(bomb, "bomb.yaml");
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("bomb.yaml"));
  EXPECT_THAT(got.status().message(), HasSubstr("aliases expand past"));
  // A long scalar repeated by aliases is counted by its bytes.
  std::string wide = "id: PYSEC-0\ns: &s " + std::string(4000, 'x') + "\nl: [";
  for (int i = 0; i < 100; ++i) wide += "*s, ";
  wide += "*s]\n";
  got = ParseOsvYaml(wide, "wide.yaml");
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("aliases expand past"));
}

TEST(OsvRecordTest, ReadsAPypaYamlRecord) {
  auto r = ParseOsvYaml(kPypaYaml, "lxml/PYSEC-2021-9.yaml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->id, "PYSEC-2021-9");
  ASSERT_EQ(r->severity.size(), 1u);
  EXPECT_EQ(r->severity[0].type, "CVSS_V3");
  const OsvAffected& a = r->affected[0];
  EXPECT_EQ(a.ranges.size(), 2u);
  EXPECT_EQ(a.ranges[0].type, OsvRange::kGit);
  EXPECT_THAT(a.versions, ElementsAre("0.5", "4.6.2"));
  EXPECT_TRUE(*IsAffected(a, "4.6.2"));
  EXPECT_TRUE(*IsAffected(a, "4.6.3rc1"));
  EXPECT_FALSE(*IsAffected(a, "4.6.3"));
}

TEST(OsvRecordTest, ErrorsNameTheFileAndTheField) {
  struct Case {
    std::string text, want;
  };
  std::vector<Case> cases = {
      {"{", "rec.json: not JSON"},
      {"[]", "a record must be a mapping"},
      {R"({"modified": "x"})", "'id' is missing"},
      {R"({"id": 5, "modified": "x"})", "'id' must be a string"},
      {R"({"id": "A", "modified": "x", "aliases": "CVE-1"})",
       "'aliases' must be a list"},
      {R"({"id": "A", "modified": "x", "affected": [{"package": {"name": "p"}}]})",
       "affected[0].package: 'ecosystem' is missing"},
      {R"({"id": "A", "modified": "x", "affected": [{"package":
          {"name": "p", "ecosystem": "PyPI"}, "ranges": [{"type": "SEMVER",
          "events": [{"introduced": "0"}, {"fixed": 1}]}]}]})",
       "affected[0].ranges[0].events[1]: 'fixed' must be a string"},
      {R"({"id": "A", "modified": "x", "affected": [{"package":
          {"name": "p", "ecosystem": "PyPI"}, "ranges": [{"type": "DATE",
          "events": [{"introduced": "0"}]}]}]})",
       "unknown range type 'DATE'"},
      {R"({"id": "A", "modified": "x", "affected": [{"package":
          {"name": "p", "ecosystem": "PyPI"}, "ranges": [{"type": "SEMVER",
          "events": [{"removed": "1"}]}]}]})",
       "unknown event 'removed'"},
  };
  for (const Case& c : cases) {
    auto r = ParseOsvJson(c.text, "rec.json");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.want)) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr("rec.json")) << c.text;
  }
  auto y = ParseOsvYaml("id: [unclosed\n", "rec.yaml");
  EXPECT_THAT(y.status().message(), HasSubstr("rec.yaml: not YAML: line"));
}

TEST(OsvRecordTest, HostileInputIsRefused) {
  std::string deep_json(100000, '[');
  EXPECT_THAT(ParseOsvJson(deep_json, "deep.json").status().message(),
              HasSubstr("deep.json"));
  std::string nested = std::string(200, '[') + std::string(200, ']');
  EXPECT_THAT(
      ParseOsvJson("{\"id\": " + nested + "}", "n.json").status().message(),
      HasSubstr("nested deeper than 64"));
  EXPECT_THAT(ParseOsvYaml("id: " + nested, "n.yaml").status().message(),
              HasSubstr("nested deeper than 64"));
  std::string huge(kMaxOsvRecordBytes + 1, ' ');
  EXPECT_THAT(ParseOsvJson(huge, "big.json").status().message(),
              HasSubstr("bytes; a record may have"));
}

}  // namespace
}  // namespace dso
