// How `dsoctl scan` turns a command line into its request (command_testing.h).
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_join.h"
#include "dsoctl/command.h"
#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/scan_names.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

TEST_F(CommandTest, Scan) {
  ASSERT_EQ(Dsoctl({"scan", "--path", dir_, "--scanners", "secrets,deps",
                    "--fail-on", "high", "--max-decode-depth", "2",
                    "--gitignore", "--threads", "3"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "scan");
  const auto& p = r.scan();
  EXPECT_EQ(p.target().local_path(), std::filesystem::canonical(dir_).string());
  EXPECT_THAT(p.scanners(), ElementsAre("secrets", "deps"));
  EXPECT_EQ(p.fail_on(), dso::v1::HIGH);
  EXPECT_EQ(p.secrets().max_decode_depth(), 2u);
}

// The scanner names: one list (proto/dso/v1/steps.proto, Scanner), shown by
// dsoctl's help and checked by the Jenkins library's dsoScan.
TEST(ScannerNamesTest, TheHelpAndTheJenkinsLibraryNameEveryScanner) {
  EXPECT_THAT(ScannerNames(),
              ElementsAre("secrets", "deps", "image", "all", "iac"));
  EXPECT_THAT(ReportFormatNames(), ElementsAre("json", "sarif", "gitleaks"));

  CommandLine command_line;
  std::string help = command_line.app().get_subcommand("scan")->help();
  EXPECT_NE(help.find(absl::StrJoin(ScannerNames(), ", ")), std::string::npos)
      << help;

  std::ifstream groovy(std::string(DSO_SOURCE_DIR) +
                       "/jenkins-shim/vars/dsoScan.groovy");
  std::stringstream text;
  text << groovy.rdbuf();
  // List known = args.image ? ['secrets', ...] : ['secrets', ...]
  std::smatch m;
  std::string s = text.str();
  ASSERT_TRUE(std::regex_search(
      s, m,
      std::regex(R"(known = args\.image \? \[([^\]]*)\]\s*:\s*\[([^\]]*)\])")))
      << "dsoScan.groovy no longer lists the scanners as this test expects";
  auto names = [](const std::string& list) {
    std::vector<std::string> out;
    std::regex quoted("'([a-z]+)'");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted);
         it != std::sregex_iterator(); ++it) {
      out.push_back((*it)[1]);
    }
    return out;
  };
  // Image checks need an image; IaC reads a directory.
  std::vector<std::string> for_images, for_paths;
  for (const auto& n : ScannerNames()) {
    if (n != "iac") for_images.push_back(n);
    if (n != "image") for_paths.push_back(n);
  }
  EXPECT_THAT(names(m[1]), ElementsAreArray(for_images));
  EXPECT_THAT(names(m[2]), ElementsAreArray(for_paths));
}

}  // namespace
}  // namespace dso
