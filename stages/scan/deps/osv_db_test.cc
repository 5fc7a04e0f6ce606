#include "stages/scan/deps/osv_db.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string GoRecord(const std::string& id, const std::string& modified,
                     const std::string& fixed, bool withdrawn = false) {
  return absl::StrCat(
      R"({"id": ")", id, R"(", "modified": ")", modified, R"(",)",
      withdrawn ? R"("withdrawn": "2024-01-01T00:00:00Z",)" : "",
      R"("aliases": ["CVE-2022-1"], "affected": [{"package": {"ecosystem":
      "Go", "name": "golang.org/x/text"}, "ranges": [{"type": "SEMVER",
      "events": [{"introduced": "0"}, {"fixed": ")",
      fixed, R"("}]}]}]})");
}

constexpr char kPypa[] = R"(id: PYSEC-2021-9
modified: 2021-03-22T16:34:00.123456Z
affected:
- package:
    ecosystem: PyPI
    name: Django_REST.framework
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: 3.11.2
)";

class OsvDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("dso-osvdb");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p(dir_ + "/" + rel);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  // A zip of (member, text) pairs.
  std::string Zip(const std::string& rel,
                  const std::vector<std::pair<std::string, std::string>>& m) {
    std::string path = dir_ + "/" + rel;
    std::filesystem::create_directories(
        std::filesystem::path(path).parent_path());
    archive* a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_open_filename(a, path.c_str());
    for (const auto& [name, text] : m) {
      archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, name.c_str());
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(text.size()));
      archive_write_header(a, e);
      archive_write_data(a, text.data(), text.size());
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
  }

  std::string dir_;
};

TEST_F(OsvDbTest, ImportsDirectoriesFilesAndZipsAndLooksUp) {
  Write("pypa/django-rest/PYSEC-2021-9.yaml", kPypa);
  Write("pypa/README.md", "not a record");
  std::string zip =
      Zip("go/all.zip",
          {{"GO-2022-1059.json",
            GoRecord("GO-2022-1059", "2024-05-20T16:03:47Z", "0.3.8")},
           {"notes.txt", "ignored"}});
  auto db = OsvDatabase::Open(dir_ + "/db");
  ASSERT_TRUE(db.ok()) << db.status();
  auto stats = db->Import({dir_ + "/pypa", zip}, 1700000000);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->read, 2u);
  EXPECT_EQ(stats->added, 2u);
  EXPECT_THAT(db->CountsByEcosystem(),
              ElementsAre(Pair("Go", 1u), Pair("PyPI", 1u)));
  // PEP 503: any spelling of the name finds it.
  auto hits = db->Lookup("PyPI", "django-rest-framework");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].advisory->id(), "PYSEC-2021-9");
  EXPECT_TRUE(*IsAffected(ToOsvAffected(*hits[0].affected), "3.11.1"));
  EXPECT_FALSE(*IsAffected(ToOsvAffected(*hits[0].affected), "3.11.2"));
  EXPECT_EQ(db->Lookup("PyPI", "Django_Rest__Framework").size(), 1u);
  EXPECT_EQ(db->Lookup("Go", "golang.org/x/text").size(), 1u);
  EXPECT_TRUE(db->Lookup("Go", "golang.org/x/net").empty());

  // Saved and opened again: the same.
  ASSERT_TRUE(db->Save(dir_ + "/db").ok());
  auto again = OsvDatabase::Open(dir_ + "/db");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->data().advisories_size(), 2);
  ASSERT_EQ(again->data().sources_size(), 2);
  EXPECT_EQ(again->data().sources(1).path(), zip);
  EXPECT_EQ(again->data().sources(1).imported_unix(), 1700000000);
  EXPECT_EQ(again->Lookup("Go", "golang.org/x/text").size(), 1u);
}

TEST_F(OsvDbTest, ImportsAreIncrementalByModifiedAndDropWithdrawn) {
  std::string a =
      Write("a/GO-1.json", GoRecord("GO-1", "2024-01-01T00:00:00Z", "0.3.8"));
  Write("a/GO-2.json", GoRecord("GO-2", "2024-01-01T00:00:00Z", "0.1.0"));
  auto db = OsvDatabase::Open(dir_ + "/db");
  ASSERT_TRUE(db->Import({dir_ + "/a"}, 1).ok());
  // Same and older records change nothing; a newer one replaces; a
  // withdrawn one is removed.
  Write("b/GO-1.json", GoRecord("GO-1", "2023-12-31T00:00:00Z", "9.9.9"));
  Write("c/GO-1.json", GoRecord("GO-1", "2024-02-01T00:00:00.5Z", "0.4.0"));
  Write("c/GO-2.json",
        GoRecord("GO-2", "2024-02-01T00:00:00Z", "0.1.0", /*withdrawn=*/true));
  auto older = db->Import({dir_ + "/b"}, 2);
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->unchanged, 1u);
  auto newer = db->Import({dir_ + "/c"}, 3);
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->updated, 1u);
  EXPECT_EQ(newer->withdrawn, 1u);
  ASSERT_EQ(db->data().advisories_size(), 1);
  EXPECT_EQ(db->data().advisories(0).affected(0).ranges(0).events(1).version(),
            "0.4.0");
  EXPECT_EQ(db->data().updated_unix(), 3);
}

TEST_F(OsvDbTest, BadRecordsAreWarningsBadArchivesChangeNothing) {
  Write("a/GO-1.json", GoRecord("GO-1", "2024-01-01T00:00:00Z", "0.3.8"));
  Write("a/broken.json", "{\"id\": ");
  Write("a/typed.yaml", "id: X\nmodified: 1\naffected: 5\n");
  auto db = OsvDatabase::Open(dir_ + "/db");
  auto stats = db->Import({dir_ + "/a"}, 1);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->added, 1u);
  EXPECT_EQ(stats->invalid, 2u);
  ASSERT_EQ(stats->warnings.size(), 2u);
  EXPECT_THAT(stats->warnings[0], HasSubstr("broken.json: not JSON"));
  EXPECT_THAT(stats->warnings[1],
              HasSubstr("typed.yaml: 'affected' must be a list"));
  ASSERT_TRUE(db->Save(dir_ + "/db").ok());

  // A damaged zip fails the whole import and keeps the database.
  Write("bad/all.zip", "PK\x03\x04 this is not really a zip archive");
  Write("more/GO-9.json", GoRecord("GO-9", "2024-01-01T00:00:00Z", "1.0.0"));
  auto bad = db->Import({dir_ + "/more", dir_ + "/bad/all.zip"}, 2);
  EXPECT_THAT(bad.status().message(), HasSubstr("all.zip"));
  EXPECT_EQ(db->data().advisories_size(), 1);
  EXPECT_TRUE(db->Lookup("Go", "golang.org/x/text").size() == 1);
  auto missing = db->Import({dir_ + "/nope"}, 2);
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot be read"));

  // A damaged database file is an error, not an empty database.
  Write("db/osv.db", "garbage");
  EXPECT_THAT(OsvDatabase::Open(dir_ + "/db").status().message(),
              HasSubstr("osv.db is damaged"));
}

TEST(PackageNameTest, Pep503ForPyPICaseForNuGetAndPackagist) {
  EXPECT_EQ(NormalizePackageName("PyPI", "Friendly-Bard"), "friendly-bard");
  EXPECT_EQ(NormalizePackageName("PyPI", "FRIENDLY-BARD"), "friendly-bard");
  EXPECT_EQ(NormalizePackageName("PyPI", "friendly.bard"), "friendly-bard");
  EXPECT_EQ(NormalizePackageName("PyPI", "friendly_bard"), "friendly-bard");
  EXPECT_EQ(NormalizePackageName("PyPI", "friendly--bard"), "friendly-bard");
  EXPECT_EQ(NormalizePackageName("PyPI", "FrIeNdLy-._.-bArD"), "friendly-bard");
  EXPECT_EQ(NormalizePackageName("Go", "github.com/Foo/Bar"),
            "github.com/Foo/Bar");
  EXPECT_EQ(NormalizePackageName("NuGet", "Newtonsoft.Json"),
            "newtonsoft.json");
  EXPECT_EQ(NormalizePackageName("Packagist", "Laravel/Framework"),
            "laravel/framework");
  EXPECT_EQ(NormalizePackageName("Maven", "org.Foo:Bar"), "org.Foo:Bar");
}

}  // namespace
}  // namespace dso
