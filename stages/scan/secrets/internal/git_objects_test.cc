#include "stages/scan/secrets/internal/git_objects.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/secrets/internal/git_handles.h"
#include "stages/scan/secrets/internal/git_test_repo.h"

namespace dso {
namespace {

class GitObjectsTest : public GitRepoTest {
 protected:
  void SetUp() override {
    GitRepoTest::SetUp();
    if (HasFatalFailure()) return;
    // Versions of files that packing stores as deltas of one another.
    std::string text;
    for (int i = 0; i < 300; ++i) text += "line " + std::to_string(i) + "\n";
    for (int c = 0; c < 30; ++c) {
      text.insert(text.size() / 2, "edit " + std::to_string(c) + "\n");
      std::ofstream(dir_ + "/a.txt") << text;
      std::ofstream(dir_ + "/b.txt") << text << c;
      Git("add -A");
      Git("commit -q -m c" + std::to_string(c));
    }
  }
  void Open() {
    ASSERT_EQ(git_repository_open(&repo_, dir_.c_str()), 0) << GitError();
  }
  std::vector<git_oid> AllObjects() {
    std::vector<git_oid> out;
    std::string cmd = "git -C '" + dir_ + "' rev-list --objects --all";
    FILE* p = popen(cmd.c_str(), "r");
    char line[256];
    while (p && fgets(line, sizeof line, p)) {
      git_oid id;
      if (git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0) out.push_back(id);
    }
    if (p) pclose(p);
    return out;
  }
  // Every object read by the reader as libgit2 reads it.
  void ExpectSameAsLibgit2(GitObjectReader& reader) {
    git_odb* odb = nullptr;
    ASSERT_EQ(git_repository_odb(&odb, repo_), 0);
    std::vector<git_oid> ids = AllObjects();
    ASSERT_GT(ids.size(), 90u);
    for (const git_oid& id : ids) {
      git_odb_object* o = nullptr;
      ASSERT_EQ(git_odb_read(&o, odb, &id), 0);
      auto got = reader.Read(id);
      ASSERT_TRUE(got.ok()) << OidHex(id) << ": " << got.status();
      EXPECT_EQ(static_cast<int>((*got)->type),
                static_cast<int>(git_odb_object_type(o)));
      EXPECT_EQ((*got)->data,
                std::string(static_cast<const char*>(git_odb_object_data(o)),
                            git_odb_object_size(o)))
          << OidHex(id);
      git_odb_object_free(o);
    }
    git_odb_free(odb);
  }
  std::string PackFile(const std::string& ext) {
    for (const auto& e :
         std::filesystem::directory_iterator(dir_ + "/.git/objects/pack")) {
      if (e.path().extension() == ext) return e.path();
    }
    return "";
  }
};

TEST_F(GitObjectsTest, ReadsPackedDeltasAsLibgit2Does) {
  Git("repack -adf -q --depth=50 --window=50");
  Open();
  for (uint64_t resident : {uint64_t{0}, kMaxResidentPackBytes}) {
    GitPacks packs = OpenGitPacks(repo_, resident);
    ASSERT_EQ(packs.packs.size(), 1u);
    EXPECT_TRUE(packs.warnings.empty());
    EXPECT_EQ(packs.packs[0]->resident().empty(), resident == 0);
    // A small cache: bases are evicted and made again.
    GitObjectReader reader(packs, repo_, 16 << 10);
    ExpectSameAsLibgit2(reader);
    GitObjectReader cached(packs, repo_);
    ExpectSameAsLibgit2(cached);
    ExpectSameAsLibgit2(cached);  // from the cache
  }
}

TEST_F(GitObjectsTest, LooseObjectsComeFromLibgit2) {
  Open();
  GitPacks packs = OpenGitPacks(repo_);
  EXPECT_TRUE(packs.packs.empty());
  GitObjectReader reader(packs, repo_);
  ExpectSameAsLibgit2(reader);
  git_oid missing;
  git_oid_fromstr(&missing, "0123456789012345678901234567890123456789");
  EXPECT_EQ(reader.Read(missing).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(GitObjectsTest, DamagedPacksNeverCrashAndAreNamed) {
  Git("repack -adf -q");
  std::string pack = PackFile(".pack");
  std::string idx = PackFile(".idx");
  ASSERT_FALSE(pack.empty());
  // Every byte of the pack's body in turn overwritten: each read either
  // gives libgit2's bytes (the damage was in an object libgit2 also rejects
  // or one not read) or an error; never a crash or a read outside the file.
  std::string original;
  {
    std::ifstream in(pack, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  Open();
  std::vector<git_oid> ids = AllObjects();
  for (size_t at = 12; at + 20 < original.size(); at += 97) {
    std::string damaged = original;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    std::ofstream(pack, std::ios::binary | std::ios::trunc) << damaged;
    for (uint64_t resident : {uint64_t{0}, kMaxResidentPackBytes}) {
      GitPacks packs = OpenGitPacks(repo_, resident);
      GitObjectReader reader(packs, repo_);
      for (const git_oid& id : ids) (void)reader.Read(id);
    }
  }
  // Cut short: the pack no longer matches its index. (A new handle: this
  // one's libgit2 has the old pack mapped.)
  std::filesystem::resize_file(pack, original.size() / 2);
  git_repository_free(repo_);
  repo_ = nullptr;
  Open();
  GitPacks cut = OpenGitPacks(repo_);
  EXPECT_TRUE(cut.packs.empty());
  EXPECT_THAT(cut.warnings[0], ::testing::HasSubstr("outside the pack"));
  GitObjectReader reader(cut, repo_);
  for (const git_oid& id : ids) (void)reader.Read(id);
  // An index that is not one is refused by name.
  std::ofstream(idx, std::ios::binary | std::ios::trunc) << "not an index";
  GitPacks bad = OpenGitPacks(repo_);
  EXPECT_TRUE(bad.packs.empty());
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_THAT(bad.warnings[0], ::testing::HasSubstr("its index is too short"));
}

TEST_F(GitObjectsTest, PacksAreNotFollowedOutOfTheRepository) {
  Git("repack -adf -q");
  std::string pack = PackFile(".pack");
  std::string outside = dir_ + "/outside.pack";
  std::filesystem::rename(pack, outside);
  std::filesystem::create_symlink("../../../outside.pack", pack);
  Open();
  GitPacks packs = OpenGitPacks(repo_);
  EXPECT_TRUE(packs.packs.empty());
  EXPECT_EQ(packs.warnings.size(), 1u);
}

}  // namespace
}  // namespace dso
