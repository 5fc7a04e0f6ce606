#include "stages/scan/deps/sbom.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dso {
namespace {

std::string Purl(const char* ecosystem, const char* name, const char* version) {
  return PackageUrl({ecosystem, name, version, "f", 1});
}

TEST(PackageUrlTest, PerEcosystem) {
  EXPECT_EQ(Purl("PyPI", "PyYAML", "5.3.1"), "pkg:pypi/pyyaml@5.3.1");
  EXPECT_EQ(Purl("npm", "@babel/core", "7.0.0"), "pkg:npm/%40babel/core@7.0.0");
  EXPECT_EQ(Purl("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  EXPECT_EQ(Purl("RubyGems", "nokogiri", "1.13.10"),
            "pkg:gem/nokogiri@1.13.10");
  EXPECT_EQ(Purl("NuGet", "Newtonsoft.Json", "12.0.3"),
            "pkg:nuget/Newtonsoft.Json@12.0.3");
  EXPECT_EQ(Purl("Packagist", "Laravel/Framework", "v9.52.15"),
            "pkg:composer/laravel/framework@v9.52.15");
  EXPECT_EQ(
      Purl("Debian:12", "zlib", "1:1.2.13.dfsg-1"),
      "pkg:deb/debian/zlib@1%3A1.2.13.dfsg-1?arch=source&distro=debian-12");
  EXPECT_EQ(Purl("Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.10"),
            "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=source&distro="
            "ubuntu-22.04");
  EXPECT_EQ(Purl("Alpine:v3.19", "openssl", "3.1.4-r5"),
            "pkg:apk/alpine/openssl@3.1.4-r5?distro=3.19");
  EXPECT_EQ(Purl("Hackage", "aeson", "2.0"), "pkg:hackage/aeson@2.0");
  EXPECT_EQ(Purl("SwiftURL", "github.com/apple/swift-nio", "2.40.0"),
            "pkg:swift/github.com/apple/swift-nio@2.40.0");
  EXPECT_EQ(Purl("Pub", "async", "2.11.0"), "pkg:pub/async@2.11.0");
  EXPECT_EQ(Purl("Hex", "plug", "1.14.0"), "pkg:hex/plug@1.14.0");
  EXPECT_EQ(Purl("CRAN", "jsonlite", "1.8-7"), "pkg:cran/jsonlite@1.8-7");
  EXPECT_EQ(Purl("ConanCenter", "zlib", "1.2.13"), "pkg:conan/zlib@1.2.13");
  EXPECT_EQ(Purl("Julia", "HTTP", "1.0"), "");
}

// A dependency from git is a component with its source and no version or
// purl; one from the registry keeps its purl.
TEST(CycloneDxTest, SourcedPackagesListedWithTheirSource) {
  Inventory inv;
  inv.packages.push_back({"npm", "lodash", "4.17.20", "package-lock.json", 3});
  inv.FromSource("npm", "forked", "git+https://github.com/o/forked.git#abc",
                 "package-lock.json", 9);
  auto bom = nlohmann::json::parse(CycloneDxJson(
      inv, "app", "00000000-0000-4000-8000-000000000000", absl::Now()));
  ASSERT_EQ(bom["components"].size(), 2u);
  const auto& c = bom["components"][1];
  EXPECT_EQ(c["name"], "forked");
  EXPECT_FALSE(c.contains("purl"));
  EXPECT_FALSE(c.contains("version"));
  EXPECT_EQ(c["externalReferences"][0]["type"], "vcs");
  EXPECT_EQ(c["externalReferences"][0]["url"],  // the URL within
            "https://github.com/o/forked.git#abc");
  EXPECT_EQ(c["properties"][1]["value"],
            "git+https://github.com/o/forked.git#abc");
  EXPECT_EQ(inv.notes.size(), 1u);  // and noted
}

}  // namespace
}  // namespace dso
