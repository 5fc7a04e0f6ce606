#include "stages/store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("blobs");
    ASSERT_FALSE(root_.empty());
    store_ = std::move(BlobStore::Open(root_).value());
  }
  void TearDown() override { fs::remove_all(root_); }
  size_t TempFiles() {
    return std::distance(fs::directory_iterator(root_ + "/tmp"),
                         fs::directory_iterator());
  }
  std::string root_;
  std::unique_ptr<BlobStore> store_;
};

TEST_F(BlobStoreTest, PutVerifiesAndMakesBlobVisible) {
  auto w = store_->NewWriter().value();
  ASSERT_TRUE(w->Append("hello ").ok());
  ASSERT_TRUE(w->Append("world").ok());
  std::string digest = Sha256Digest("hello world");
  EXPECT_FALSE(store_->Stat(digest).ok());  // not visible before commit
  auto info = w->Commit(digest, 11);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->digest, digest);
  EXPECT_EQ(store_->Stat(digest)->size, 11u);
  EXPECT_EQ(ReadFile(store_->PathOf(digest).value()).value(), "hello world");
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(BlobStoreTest, DigestMismatchStoresNothing) {
  std::string wrong = Sha256Digest("something else");
  {
    auto w = store_->NewWriter().value();
    ASSERT_TRUE(w->Append("hello").ok());
    auto info = w->Commit(wrong, std::nullopt);
    EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(info.status().message()),
                HasSubstr("digest mismatch"));
  }
  EXPECT_EQ(store_->Stat(wrong).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Stat(Sha256Digest("hello")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(BlobStoreTest, SizeMismatchAndOversizeAreRejected) {
  auto w = store_->NewWriter().value();
  ASSERT_TRUE(w->Append("abc").ok());
  EXPECT_THAT(std::string(w->Commit("", 4).status().message()),
              HasSubstr("size mismatch"));
  auto bounded = store_->NewWriter(2).value();
  EXPECT_FALSE(bounded->Append("abc").ok());
  EXPECT_FALSE(bounded->Commit("", std::nullopt).ok());
}

TEST_F(BlobStoreTest, AbandonedWriterLeavesNoTrace) {
  {
    auto w = store_->NewWriter().value();
    ASSERT_TRUE(w->Append("x").ok());
  }
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(BlobStoreTest, MalformedDigestIsInvalidArgument) {
  EXPECT_EQ(store_->Stat("sha256:../../etc/passwd").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(BlobStoreTest, ConcurrentPutsOfTheSameBlobAreSafe) {
  std::string content(1 << 20, 'z');
  std::string digest = Sha256Digest(content);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto w = store_->NewWriter().value();
      for (size_t off = 0; off < content.size(); off += 4096) {
        if (!w->Append(absl::string_view(content).substr(off, 4096)).ok())
          return;
      }
      if (w->Commit(digest, content.size()).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(ReadFile(store_->PathOf(digest).value()).value(), content);
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(BlobStoreTest, PutFileCopiesRegularFilesOnly) {
  std::string f = root_ + "/input.txt";
  ASSERT_TRUE(WriteFileAtomically(f, "data").ok());
  auto info = store_->PutFile(f);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->digest, Sha256Digest("data"));
  EXPECT_FALSE(store_->PutFile(root_).ok());
  EXPECT_EQ(store_->PutFile(root_ + "/nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(BlobStoreTest, OpenRemovesLeftoverTempFiles) {
  std::ofstream(root_ + "/tmp/put-999-1") << "partial";
  auto reopened = BlobStore::Open(root_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(TempFiles(), 0u);
}

}  // namespace
}  // namespace dso

namespace dso {
namespace {

class BlobCollectTest : public BlobStoreTest {
 protected:
  std::string Put(const std::string& content, absl::Time used) {
    auto w = store_->NewWriter().value();
    EXPECT_TRUE(w->Append(content).ok());
    std::string digest = w->Commit("", std::nullopt).value().digest;
    std::string path = root_ + "/blobs/sha256/" + digest.substr(7);
    timespec times[2] = {absl::ToTimespec(used), absl::ToTimespec(used)};
    EXPECT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    EXPECT_TRUE(store_->AddOwner(digest, "unix:ci").ok());
    return digest;
  }
  bool Has(const std::string& digest) {  // without marking it used
    return fs::exists(root_ + "/blobs/sha256/" + digest.substr(7));
  }
};

TEST_F(BlobCollectTest, OldBlobsGoThenLeastRecentlyUsedAboveTheCap) {
  absl::Time now = absl::Now();
  std::string old = Put("old", now - absl::Hours(200));
  std::string a = Put("aaaa", now - absl::Hours(3));
  std::string b = Put("bbbb", now - absl::Hours(2));
  std::string fresh = Put("ffff", now - absl::Minutes(1));
  auto c = store_->Collect(absl::Hours(168), 8, absl::Minutes(10), now);
  EXPECT_EQ(c.removed, 2);  // "old" by age, then "aaaa" for the cap
  EXPECT_EQ(c.freed_bytes, 7u);
  EXPECT_EQ(c.kept_bytes, 8u);
  EXPECT_FALSE(Has(old));
  EXPECT_FALSE(Has(a));
  EXPECT_TRUE(Has(b));
  EXPECT_TRUE(Has(fresh));
  EXPECT_FALSE(fs::exists(root_ + "/owners/" + old.substr(7)));
  EXPECT_TRUE(store_->IsOwner(b, "unix:ci"));
  // Within the grace a blob stays even over the cap.
  c = store_->Collect(absl::Hours(168), 0, absl::Minutes(10), now);
  EXPECT_TRUE(Has(fresh));
  EXPECT_FALSE(Has(b));
}

TEST_F(BlobCollectTest, ReadingABlobMarksItUsed) {
  absl::Time now = absl::Now();
  std::string blob = Put("data", now - absl::Hours(200));
  ASSERT_TRUE(store_->PathOf(blob).ok());
  store_->Collect(absl::Hours(168), UINT64_MAX, absl::Minutes(10), absl::Now());
  EXPECT_TRUE(Has(blob));
}

}  // namespace
}  // namespace dso

namespace dso {
namespace {

TEST_F(BlobCollectTest, AnUsedUpUploadIsDroppedUnlessServingAnother) {
  absl::Time now = absl::Now();
  std::string mine = Put("workspace", now - absl::Minutes(1));
  EXPECT_TRUE(store_->DropIfUnusedSince(mine, now, "unix:ci"));
  EXPECT_FALSE(Has(mine));
  EXPECT_FALSE(fs::exists(root_ + "/owners/" + mine.substr(7)));
  // Used since (a Stat, another run): kept.
  std::string used = Put("used", now - absl::Minutes(1));
  ASSERT_TRUE(store_->PathOf(used).ok());
  EXPECT_FALSE(store_->DropIfUnusedSince(used, now, "unix:ci"));
  EXPECT_TRUE(Has(used));
  // Another identity's too: kept.
  std::string shared = Put("shared", now - absl::Minutes(1));
  ASSERT_TRUE(store_->AddOwner(shared, "unix:other").ok());
  EXPECT_FALSE(store_->DropIfUnusedSince(shared, now, "unix:ci"));
  EXPECT_TRUE(Has(shared));
}

}  // namespace
}  // namespace dso
