// dpkg and apk databases, os-release, and finding them in a root file
// system through the inventory walk.
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/deps/internal/lockfiles_testing.h"
#include "stages/scan/deps/inventory.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kDpkgStatus[] = R"(Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6165
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols.

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - cryptographic utility

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Description: GCC support library

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
)";

TEST(DpkgStatusTest, SourcePackagesInstalledOnly) {
  Inventory inv;
  ASSERT_TRUE(
      ParseDpkgStatus(kDpkgStatus, "var/lib/dpkg/status", "Debian:12", &inv)
          .ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre("Debian:12 openssl@3.0.11-1~deb12u2 var/lib/dpkg/status:1",
                  "Debian:12 gcc-12@12.2.0-14 var/lib/dpkg/status:22",
                  "Debian:12 zlib@1:1.2.13.dfsg-1 var/lib/dpkg/status:34"));
  // A broken stanza is a warning; the others are kept.
  Inventory partial;
  ASSERT_TRUE(ParseDpkgStatus("Package: x\nStatus: install ok installed\n\n"
                              "Package: y\nVersion: 1.0\n",
                              "status", "Debian:12", &partial)
                  .ok());
  EXPECT_THAT(Described(partial), ElementsAre("Debian:12 y@1.0 status:4"));
  EXPECT_THAT(
      partial.warnings,
      ElementsAre(HasSubstr("status:1: a package without Package or Version")));
}

TEST(ApkInstalledTest, OriginsAndVersions) {
  constexpr char kText[] = R"(C:Q1pXYqsnHwQS9dHGmrKRnUmU2bIBo=
P:libcrypto3
V:3.1.4-r5
A:x86_64
o:openssl
t:1706118385

C:Q1ZyQ8UOHN6UqgMHzRQ3ZzJ8d0dLw=
P:libssl3
V:3.1.4-r5
o:openssl

P:busybox
V:1.36.1-r15
o:busybox
)";
  Inventory inv;
  ASSERT_TRUE(
      ParseApkInstalled(kText, "lib/apk/db/installed", "Alpine:v3.19", &inv)
          .ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre("Alpine:v3.19 openssl@3.1.4-r5 lib/apk/db/installed:1",
                  "Alpine:v3.19 busybox@1.36.1-r15 lib/apk/db/installed:13"));
  Inventory partial;
  ASSERT_TRUE(ParseApkInstalled("P:x\n\nP:y\nV:1.0-r0\n", "installed",
                                "Alpine:v3.19", &partial)
                  .ok());
  EXPECT_THAT(Described(partial),
              ElementsAre("Alpine:v3.19 y@1.0-r0 installed:3"));
  EXPECT_THAT(
      partial.warnings,
      ElementsAre(HasSubstr("installed:1: a package without P: or V:")));
}

TEST(OsReleaseTest, Ecosystems) {
  EXPECT_EQ(OsEcosystem("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                        "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
                        "ID=debian\n"),
            "Debian:12");
  EXPECT_EQ(OsEcosystem("NAME=\"Ubuntu\"\nVERSION=\"22.04.3 LTS (Jammy "
                        "Jellyfish)\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n"),
            "Ubuntu:22.04:LTS");
  EXPECT_EQ(OsEcosystem("NAME=\"Ubuntu\"\nVERSION=\"23.10 (Mantic)\"\n"
                        "ID=ubuntu\nVERSION_ID=\"23.10\"\n"),
            "Ubuntu:23.10");
  EXPECT_EQ(OsEcosystem("NAME=\"Alpine Linux\"\nID=alpine\n"
                        "VERSION_ID=3.19.1\n"),
            "Alpine:v3.19");
  EXPECT_EQ(OsEcosystem("ID=wolfi\n"), "Wolfi");
  EXPECT_EQ(OsEcosystem("ID=fedora\nVERSION_ID=39\n"), "");
}

TEST(OsInventoryTest, RootFileSystemsInTheTree) {
  namespace fs = std::filesystem;
  std::string dir = MakeTempDir("dso-osinv");
  auto put = [&](const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir + "/" + rel).parent_path());
    ASSERT_TRUE(WriteFileAtomically(dir + "/" + rel, text).ok());
  };
  // A Debian root (os-release in usr/lib, etc/os-release a symlink to it),
  // an Alpine root, a distroless root, and a root dso knows no advisories
  // for.
  put("debian/usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  fs::create_directories(dir + "/debian/etc");
  fs::create_symlink("../usr/lib/os-release", dir + "/debian/etc/os-release");
  put("debian/var/lib/dpkg/status", kDpkgStatus);
  put("alpine/etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n");
  put("alpine/lib/apk/db/installed",
      "P:musl\nV:1.2.4_git20230717-r4\no:musl\n");
  put("distroless/etc/os-release", "ID=debian\nVERSION_ID=\"11\"\n");
  put("distroless/var/lib/dpkg/status.d/libssl1.1",
      "Package: libssl1.1\nVersion: 1.1.1n-0+deb11u5\nSource: openssl\n");
  put("distroless/var/lib/dpkg/status.d/libssl1.1.md5sums", "x  y\n");
  put("fedora/etc/os-release", "ID=fedora\n");
  // A root whose usr links out of the tree: the host's os-release is not
  // read.
  put("linked/var/lib/dpkg/status", kDpkgStatus);
  fs::create_directory_symlink("/usr", dir + "/linked/usr");
  put("fedora/var/lib/dpkg/status", kDpkgStatus);
  // A file merely named "status" elsewhere is not a database.
  put("app/status", "Package: nope\nVersion: 1\n");

  auto got = CollectInventory(dir);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(
      Described(got->inventory),
      ElementsAre(
          "Alpine:v3.19 musl@1.2.4_git20230717-r4 "
          "alpine/lib/apk/db/installed:1",
          "Debian:12 openssl@3.0.11-1~deb12u2 "
          "debian/var/lib/dpkg/status:1",
          "Debian:12 gcc-12@12.2.0-14 debian/var/lib/dpkg/status:22",
          "Debian:12 zlib@1:1.2.13.dfsg-1 debian/var/lib/dpkg/status:34",
          "Debian:11 openssl@1.1.1n-0+deb11u5 "
          "distroless/var/lib/dpkg/status.d/libssl1.1:1"));
  ASSERT_EQ(got->warnings.size(), 2u);
  EXPECT_THAT(got->warnings[0],
              HasSubstr("fedora/var/lib/dpkg/status: no os-release"));
  EXPECT_THAT(got->warnings[1],
              HasSubstr("linked/var/lib/dpkg/status: no os-release"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dso
