// Parsers for Gemfile.lock, composer.lock, packages.lock.json,
// gradle.lockfile and pom.xml, on realistic files written for the tests.
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/deps/internal/lockfiles_testing.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(GemfileLockTest, GemSpecsWithPlatformsGitIsNoted) {
  constexpr char kText[] = R"(GIT
  remote: https://github.com/example/engine.git
  revision: 0123456789abcdef0123456789abcdef01234567
  specs:
    engine (0.4.0)
      rack (>= 2.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.0.4)
      rack (~> 2.0, >= 2.2.0)
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)
    rack (2.2.6.2)
    rails-html-sanitizer (1.4.3)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  engine!
  rails (~> 7.0)

BUNDLED WITH
   2.3.26
)";
  Inventory inv;
  ASSERT_TRUE(ParseGemfileLock(kText, "Gemfile.lock", &inv).ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre("RubyGems actionpack@7.0.4 Gemfile.lock:11",
                  "RubyGems nokogiri@1.13.10 Gemfile.lock:13",
                  "RubyGems rack@2.2.6.2 Gemfile.lock:15",
                  "RubyGems rails-html-sanitizer@1.4.3 Gemfile.lock:16"));
  ASSERT_EQ(inv.notes.size(), 1u);
  EXPECT_THAT(inv.notes[0], HasSubstr("Gemfile.lock:5: 'engine' comes from a "
                                      "GIT source"));
  // A bad spec is a warning; the specs after it are kept.
  Inventory partial;
  ASSERT_TRUE(
      ParseGemfileLock("GEM\n  specs:\n    broken 1.0\n    rack (2.0.1)\n",
                       "Gemfile.lock", &partial)
          .ok());
  EXPECT_THAT(Described(partial),
              ElementsAre("RubyGems rack@2.0.1 Gemfile.lock:4"));
  EXPECT_THAT(partial.warnings,
              ElementsAre(HasSubstr("Gemfile.lock:3: 'broken 1.0' is not")));
  EXPECT_FALSE(ParseGemfileLock("  nothing here\n", "Gemfile.lock", &inv).ok());
}

TEST(ComposerLockTest, PackagesAndDevPackagesBranchesNoted) {
  constexpr char kText[] = R"({
    "content-hash": "3f1e6c1a",
    "packages": [
        {
            "name": "guzzlehttp/guzzle",
            "version": "7.4.4",
            "source": {"type": "git", "url": "https://github.com/guzzle/guzzle.git"}
        },
        {
            "name": "laravel/framework",
            "version": "v9.52.15"
        },
        {
            "name": "acme/internal",
            "version": "dev-main"
        }
    ],
    "packages-dev": [
        {
            "name": "phpunit/phpunit",
            "version": "9.5.27"
        }
    ]
})";
  Inventory inv;
  ASSERT_TRUE(ParseComposerLock(kText, "composer.lock", &inv).ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre("Packagist guzzlehttp/guzzle@7.4.4 composer.lock:5",
                  "Packagist laravel/framework@v9.52.15 composer.lock:10",
                  "Packagist phpunit/phpunit@9.5.27 composer.lock:20"));
  ASSERT_EQ(inv.notes.size(), 1u);
  EXPECT_THAT(inv.notes[0], HasSubstr("'acme/internal' is at branch dev-main"));
  EXPECT_THAT(
      ParseComposerLock(R"({"packages": {}})", "composer.lock", &inv).message(),
      HasSubstr("'packages' is not an array"));
  EXPECT_THAT(
      ParseComposerLock(R"({"packages": [{"name": 1}]})", "composer.lock", &inv)
          .message(),
      HasSubstr("lacks a string name or version"));
}

TEST(NuGetLockTest, FrameworksDeduplicatedProjectsSkipped) {
  constexpr char kText[] = R"lock({
  "version": 1,
  "dependencies": {
    "net6.0": {
      "Newtonsoft.Json": {
        "type": "Direct",
        "requested": "[12.0.3, )",
        "resolved": "12.0.3",
        "contentHash": "6mgjfnRB4jKMlzHSl+VD+oUc1IebOZabkbyWj2RiTgWwYPPuaK1H97G1sHqGwPlS5npiF5Q0OrxN1wni2n5QWg=="
      },
      "System.Text.Encodings.Web": {
        "type": "Transitive",
        "resolved": "4.7.1"
      },
      "Acme.Core": {
        "type": "Project"
      }
    },
    "net7.0": {
      "Newtonsoft.Json": {
        "type": "Direct",
        "requested": "[12.0.3, )",
        "resolved": "12.0.3"
      }
    }
  }
})lock";
  Inventory inv;
  ASSERT_TRUE(ParseNuGetLock(kText, "packages.lock.json", &inv).ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre(
          "NuGet Newtonsoft.Json@12.0.3 packages.lock.json:5",
          "NuGet System.Text.Encodings.Web@4.7.1 packages.lock.json:11"));
  EXPECT_THAT(
      ParseNuGetLock(R"({"version": 1})", "packages.lock.json", &inv).message(),
      HasSubstr("no 'dependencies' object"));
  EXPECT_THAT(ParseNuGetLock(R"({"dependencies": {"net6.0": {"X": {}}}})",
                             "packages.lock.json", &inv)
                  .message(),
              HasSubstr("'X' (net6.0) has no resolved version"));
}

TEST(GradleLockfileTest, ModulesEmptyAndComments) {
  constexpr char kText[] =
      R"(# This is a Gradle generated file for dependency locking.
# Manual edits can break the build and are not advised.
# This file is expected to be part of source control.
com.fasterxml.jackson.core:jackson-databind:2.13.2=compileClasspath,runtimeClasspath
com.google.guava:guava:31.1-jre=runtimeClasspath
org.apache.logging.log4j:log4j-core:2.14.1=runtimeClasspath
empty=annotationProcessor
)";
  Inventory inv;
  ASSERT_TRUE(ParseGradleLockfile(kText, "gradle.lockfile", &inv).ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre("Maven com.fasterxml.jackson.core:jackson-databind@2.13.2 "
                  "gradle.lockfile:4",
                  "Maven com.google.guava:guava@31.1-jre gradle.lockfile:5",
                  "Maven org.apache.logging.log4j:log4j-core@2.14.1 "
                  "gradle.lockfile:6"));
  // A bad line is a warning; the lines after it are kept.
  Inventory partial;
  ASSERT_TRUE(ParseGradleLockfile("org.x:y=compileClasspath\n"
                                  "org.x:z:1.0=compileClasspath\n",
                                  "gradle.lockfile", &partial)
                  .ok());
  EXPECT_THAT(Described(partial),
              ElementsAre("Maven org.x:z@1.0 gradle.lockfile:2"));
  EXPECT_THAT(partial.warnings,
              ElementsAre(HasSubstr(
                  "gradle.lockfile:1: 'org.x:y' is not group:name:version")));
}

TEST(PomXmlTest, PropertiesManagedVersionsAndWhatCannotBeKnown) {
  constexpr char kText[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>2.6.5</version>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.4.0</version>
  <properties>
    <log4j.version>2.14.1</log4j.version>
    <jackson.major>2.13</jackson.major>
    <jackson.version>${jackson.major}.2</jackson.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.yaml</groupId>
        <artifactId>snakeyaml</artifactId>
        <version>1.29</version>
      </dependency>
      <dependency>
        <groupId>org.junit</groupId>
        <artifactId>junit-bom</artifactId>
        <version>5.8.2</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
      <exclusions>
        <exclusion>
          <groupId>org.example</groupId>
          <artifactId>unwanted</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
    </dependency>
    <dependency>
      <groupId>org.yaml</groupId>
      <artifactId>snakeyaml</artifactId>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>shop-api</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>org.springframework</groupId>
      <artifactId>spring-web</artifactId>
    </dependency>
    <dependency>
      <groupId>commons-io</groupId>
      <artifactId>commons-io</artifactId>
      <version>${commons.io.version}</version>
    </dependency>
    <dependency>
      <groupId>org.example</groupId>
      <artifactId>ranged</artifactId>
      <version>[1.0,2.0)</version>
    </dependency>
  </dependencies>
  <profiles>
    <profile>
      <dependencies>
        <dependency>
          <groupId>org.example</groupId>
          <artifactId>only-in-profile</artifactId>
          <version>1.0</version>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
</project>
)";
  Inventory inv;
  ASSERT_TRUE(ParsePomXml(kText, "pom.xml", &inv).ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre("Maven org.yaml:snakeyaml@1.29 pom.xml:19",
                  "Maven org.apache.logging.log4j:log4j-core@2.14.1 pom.xml:34",
                  "Maven com.fasterxml.jackson.core:jackson-databind@2.13.2 "
                  "pom.xml:45",
                  "Maven com.example:shop-api@1.4.0 pom.xml:54",
                  "Maven org.example:only-in-profile@1.0 pom.xml:77"));
  ASSERT_EQ(inv.notes.size(), 4u);
  EXPECT_THAT(inv.notes[0], HasSubstr("pom.xml:59: 'org.springframework:"
                                      "spring-web' has no version here"));
  EXPECT_THAT(inv.notes[1],
              HasSubstr("'commons-io:commons-io' version "
                        "'${commons.io.version}' is not defined"));
  EXPECT_THAT(inv.notes[2], HasSubstr("'org.example:ranged' is a range"));
  EXPECT_THAT(inv.notes[3], HasSubstr("'org.example:only-in-profile' is "
                                      "declared in a profile"));
}

// Dependencies of a profile count (noted), its properties only where the
// project has none of its own.
TEST(PomXmlTest, ProfilesDeclareDependenciesToo) {
  constexpr char kText[] = R"(<project>
  <properties><a.version>1.0</a.version></properties>
  <profiles>
    <profile>
      <id>extra</id>
      <properties><a.version>9.9</a.version><b.version>2.0</b.version></properties>
      <dependencies>
        <dependency>
          <groupId>g</groupId><artifactId>b</artifactId>
          <version>${b.version}</version>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
  <dependencies>
    <dependency>
      <groupId>g</groupId><artifactId>a</artifactId>
      <version>${a.version}</version>
    </dependency>
  </dependencies>
</project>
)";
  Inventory inv;
  ASSERT_TRUE(ParsePomXml(kText, "pom.xml", &inv).ok());
  EXPECT_THAT(Described(inv), ElementsAre("Maven g:b@2.0 pom.xml:8",
                                          "Maven g:a@1.0 pom.xml:16"));
  EXPECT_THAT(inv.notes, ElementsAre(HasSubstr("'g:b' is declared in a "
                                               "profile")));
}

// Properties that double at each level (a 985-byte pom once grew dso to
// 24 GB): refused past the budget, the file and line named.
// Parents in the scanned tree lend their properties and managed versions,
// the nearest first; one outside the tree, a wrong one, and a cycle end
// the chain with a note or warning.
TEST(PomXmlTest, ParentsInTheTreeAreInherited) {
  const std::map<std::string, std::string> tree = {
      {"pom.xml", R"(<project>
  <groupId>org.example</groupId><artifactId>root</artifactId>
  <version>1.0.0</version>
  <properties><jackson.version>2.9.8</jackson.version>
    <netty.version>4.1.40.Final</netty.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId><version>30.0-jre</version></dependency>
  </dependencies></dependencyManagement>
</project>)"},
      {"services/pom.xml", R"(<project>
  <parent><groupId>org.example</groupId><artifactId>root</artifactId>
    <version>1.0.0</version></parent>
  <artifactId>services</artifactId>
  <properties><jackson.version>2.9.10</jackson.version></properties>
</project>)"},
      {"wrong/pom.xml", "<project><artifactId>other</artifactId></project>"},
      {"loop/a/pom.xml", R"(<project><artifactId>a</artifactId>
  <parent><artifactId>b</artifactId><relativePath>../b</relativePath></parent>
</project>)"},
      {"loop/b/pom.xml", R"(<project><artifactId>b</artifactId>
  <parent><artifactId>a</artifactId><relativePath>../a</relativePath></parent>
</project>)"}};
  PomFileReader read =
      [&tree](const std::string& rel) -> absl::StatusOr<std::string> {
    auto it = tree.find(rel);
    if (it == tree.end()) return absl::NotFoundError(rel);
    return it->second;
  };
  constexpr char kChild[] = R"(<project>
  <parent><groupId>org.example</groupId><artifactId>services</artifactId>
    <version>1.0.0</version></parent>
  <artifactId>api</artifactId>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version></dependency>
    <dependency><groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId></dependency>
    <dependency><groupId>${project.groupId}</groupId>
      <artifactId>model</artifactId><version>${project.version}</version>
    </dependency>
    <dependency><groupId>io.netty</groupId><artifactId>netty-all</artifactId>
      <version>${netty.version}</version></dependency>
  </dependencies>
</project>)";
  Inventory inv;
  ASSERT_TRUE(
      ParsePomXmlInTree(kChild, "services/api/pom.xml", read, &inv).ok());
  EXPECT_THAT(
      Described(inv),
      ElementsAre(
          "Maven com.fasterxml.jackson.core:jackson-databind@2.9.10 "
          "services/api/pom.xml:6",
          "Maven com.google.guava:guava@30.0-jre services/api/pom.xml:9",
          "Maven org.example:model@1.0.0 services/api/pom.xml:11",
          "Maven io.netty:netty-all@4.1.40.Final services/api/pom.xml:14"));
  EXPECT_TRUE(inv.notes.empty()) << inv.notes[0];

  // Alone, the same pom knows only its parent's version.
  Inventory alone;
  ASSERT_TRUE(ParsePomXml(kChild, "services/api/pom.xml", &alone).ok());
  EXPECT_THAT(Described(alone), ElementsAre("Maven org.example:model@1.0.0 "
                                            "services/api/pom.xml:11"));

  constexpr char kWrongParent[] = R"(<project>
  <parent><artifactId>root</artifactId><relativePath>../wrong</relativePath>
  </parent><artifactId>x</artifactId></project>)";
  Inventory wrong;
  ASSERT_TRUE(ParsePomXmlInTree(kWrongParent, "x/pom.xml", read, &wrong).ok());
  EXPECT_THAT(wrong.notes, ElementsAre(HasSubstr(
                               "x/pom.xml: parent 'root' is not in the "
                               "scanned tree (wrong/pom.xml is 'other')")));
  Inventory outside;
  ASSERT_TRUE(ParsePomXmlInTree(kWrongParent, "pom.xml", read, &outside).ok());
  EXPECT_THAT(outside.notes,
              ElementsAre(HasSubstr("lies outside the scanned tree")));
  Inventory loop;
  ASSERT_TRUE(ParsePomXmlInTree(tree.at("loop/a/pom.xml"), "loop/a/pom.xml",
                                read, &loop)
                  .ok());
  EXPECT_THAT(loop.warnings,
              ElementsAre(HasSubstr("loop/a/pom.xml is a parent of itself")));
}

TEST(PomXmlTest, NestedPropertiesAreBudgetedNotExpanded) {
  std::string pom = "<project><properties>\n<p0>0123456789</p0>\n";
  for (int i = 1; i <= 40; ++i) {
    pom += "<p" + std::to_string(i) + ">${p" + std::to_string(i - 1) + "}${p" +
           std::to_string(i - 1) + "}</p" + std::to_string(i) + ">\n";
  }
  pom +=
      "</properties><dependencies><dependency><groupId>g</groupId>\n"
      "<artifactId>a</artifactId><version>${p40}</version></dependency>\n"
      "</dependencies></project>\n";
  Inventory inv;
  absl::Status s = ParsePomXml(pom, "pom.xml", &inv);
  EXPECT_THAT(s.message(), HasSubstr("pom.xml:"));
  EXPECT_THAT(s.message(), HasSubstr("expands past 4096 bytes"));
  EXPECT_TRUE(inv.packages.empty());
  // Within the budget, nesting still resolves.
  Inventory ok;
  ASSERT_TRUE(ParsePomXml("<project><properties><a>1</a><b>${a}.${a}</b>"
                          "<c>${b}.0</c></properties><dependencies><dependency>"
                          "<groupId>g</groupId><artifactId>a</artifactId>"
                          "<version>${c}</version></dependency></dependencies>"
                          "</project>",
                          "pom.xml", &ok)
                  .ok());
  ASSERT_EQ(ok.packages.size(), 1u);
  EXPECT_EQ(ok.packages[0].version, "1.1.0");
}

TEST(PomXmlTest, BrokenAndHostileXml) {
  Inventory inv;
  EXPECT_THAT(
      ParsePomXml("<project>\n<dependencies>\n</project>", "pom.xml", &inv)
          .message(),
      HasSubstr("pom.xml:3: not XML: mismatched tag"));
  // An entity expansion bomb is refused by expat, not expanded.
  std::string bomb =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\">";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY " + std::string(1, 'a' + i) + " \"";
    for (int j = 0; j < 10; ++j)
      bomb += "&" + std::string(1, 'a' + i - 1) + ";";
    bomb += "\">";
  }
  bomb += "]>\n<project><version>&j;</version></project>";
  EXPECT_THAT(ParsePomXml(bomb, "pom.xml", &inv).message(),
              HasSubstr("not XML"));
  // An external entity is not fetched: its reference stays unresolved.
  Inventory ext;
  constexpr char kExternal[] = R"(<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<project><dependencies><dependency><groupId>g</groupId>
<artifactId>a</artifactId><version>&secret;</version></dependency>
</dependencies></project>)";
  ParsePomXml(kExternal, "pom.xml", &ext).IgnoreError();
  for (const Package& p : ext.packages) {
    EXPECT_THAT(p.version, ::testing::Not(HasSubstr("root:")));
  }
  EXPECT_TRUE(ext.packages.empty());
}

}  // namespace
}  // namespace dso
