// How dsoctl's commands turn a command line into a RunStepRequest: each
// command line goes through the real flags and the real command, to a
// client that records the request and answers SUCCEEDED.
#include "dsoctl/command.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/scan_names.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

class RecordingClient final : public AgentClient {
 public:
  explicit RecordingClient(std::vector<dso::v1::RunStepRequest>* sent)
      : sent_(sent) {}
  StreamEnd RunStep(const dso::v1::RunStepRequest& request,
                    const EventSink& sink) override {
    sent_->push_back(request);
    dso::v1::Event e;
    e.set_run_id("test-run");
    e.set_seq(1);
    e.mutable_result()->set_outcome(dso::v1::SUCCEEDED);
    sink(e);
    return {};
  }
  StreamEnd Attach(const dso::v1::AttachRequest&, const EventSink&) override {
    return {absl::UnimplementedError("attach")};
  }
  void StopStream() override {}
  absl::StatusOr<dso::v1::Run> Cancel(const dso::v1::CancelRequest&) override {
    return absl::UnimplementedError("cancel");
  }
  absl::StatusOr<dso::v1::Run> GetRun(const dso::v1::GetRunRequest&) override {
    return absl::UnimplementedError("get run");
  }
  absl::StatusOr<dso::v1::ListRunsResponse> ListRuns(
      const dso::v1::ListRunsRequest&) override {
    return absl::UnimplementedError("list runs");
  }
  absl::StatusOr<dso::v1::AgentInfo> GetInfo() override {
    dso::v1::AgentInfo info;
    info.add_allowed_roots("/");  // inputs go by path
    return info;
  }
  absl::StatusOr<dso::v1::BlobInfo> Put(const PutSource&) override {
    return absl::UnimplementedError("put");
  }
  absl::Status Get(const dso::v1::GetRequest&, const ChunkSink&) override {
    return absl::UnimplementedError("get");
  }
  absl::StatusOr<dso::v1::BlobInfo> Stat(const dso::v1::StatRequest&) override {
    return absl::NotFoundError("stat");
  }

 private:
  std::vector<dso::v1::RunStepRequest>* sent_;
};

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("dsoctl-command");
    ASSERT_FALSE(dir_.empty());
    std::ofstream(dir_ + "/report.sarif") << "{}";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `dsoctl ARGS...`; the exit code. The requests are in sent_.
  int Dsoctl(std::vector<std::string> args) {
    CommandLine command_line;
    args.insert(args.begin(), "dsoctl");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
      command_line.app().parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      ADD_FAILURE() << "usage error: " << e.what();
      return -1;
    }
    command_line.global().connection.make_client = [this] {
      return std::make_unique<RecordingClient>(&sent_);
    };
    return command_line.RunChosen();
  }
  const dso::v1::RunStepRequest& Sent() {
    EXPECT_EQ(sent_.size(), 1u);
    return sent_.back();
  }

  std::string dir_;
  std::vector<dso::v1::RunStepRequest> sent_;
};

TEST_F(CommandTest, Exec) {
  ASSERT_EQ(Dsoctl({"exec", "--env", "A=1", "--collect", "out/x.txt",
                    "--kill-grace", "3", "--deadline", "9", "--idempotency-key",
                    "k1", "--cwd", dir_, "--", "echo", "hi"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "exec");
  EXPECT_EQ(r.deadline_seconds(), 9u);
  EXPECT_EQ(r.idempotency_key(), "k1");
  EXPECT_THAT(r.exec().argv(), ElementsAre("echo", "hi"));
  EXPECT_EQ(r.exec().env().at("A"), "1");
  EXPECT_THAT(r.exec().collect(), ElementsAre("out/x.txt"));
  EXPECT_EQ(r.exec().kill_grace_seconds(), 3u);
  EXPECT_EQ(r.exec().workdir().local_path(),
            std::filesystem::canonical(dir_).string());
}

TEST_F(CommandTest, ExecRefusesACollectPathOutside) {
  EXPECT_NE(Dsoctl({"exec", "--collect", "../x", "--", "true"}), 0);
  EXPECT_TRUE(sent_.empty());
}

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

TEST_F(CommandTest, Gate) {
  ASSERT_EQ(Dsoctl({"gate", "--level", "3", "--report", dir_ + "/report.sarif",
                    "--stage", "container", "--mode", "warn", "--date",
                    "2026-12-01"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "gate");
  EXPECT_EQ(r.gate().level(), 3u);
  EXPECT_EQ(r.gate().stage(), "container");
  EXPECT_THAT(r.gate().report_names(), ElementsAre(dir_ + "/report.sarif"));
}

TEST_F(CommandTest, Build) {
  ASSERT_EQ(Dsoctl({"build", "--context", dir_, "--out", dir_ + "/image",
                    "--env", "A=1", "--label", "k=v", "--file",
                    "report.sarif:/etc/r.json:0640", "--user", "65532", "--cmd",
                    "[\"serve\", \"--port\", \"8080\"]"}),
            0);
  const auto& p = Sent().build();
  EXPECT_THAT(p.env(), ElementsAre("A=1"));
  EXPECT_EQ(p.labels().at("k"), "v");
  ASSERT_EQ(p.files_size(), 1);
  EXPECT_EQ(p.files(0).dest(), "/etc/r.json");
  EXPECT_EQ(p.files(0).mode(), 0640);
  EXPECT_EQ(p.user(), "65532");
  EXPECT_THAT(p.cmd(), ElementsAre("serve", "--port", "8080"));
}

TEST_F(CommandTest, BuildRefusesAFileWithoutADestination) {
  EXPECT_NE(Dsoctl({"build", "--context", dir_, "--out", dir_ + "/image",
                    "--file", "report.sarif"}),
            0);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(CommandTest, Deploy) {
  ASSERT_EQ(Dsoctl({"deploy", "--image", dir_, "--target", "host://" + dir_,
                    "--require", "sbom", "--require-gate", "final:2", "--port",
                    "8080", "--strategy", "blue-green"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "deploy");
  EXPECT_EQ(r.deploy().target(), "host://" + dir_);
  EXPECT_THAT(r.deploy().require(), ElementsAre("sbom"));
  EXPECT_THAT(r.deploy().require_gate(), ElementsAre("final:2"));
  EXPECT_EQ(r.deploy().port(), 8080u);
}

TEST_F(CommandTest, StorePutToAnUrl) {
  ASSERT_EQ(Dsoctl({"store", "put", dir_ + "/report.sarif",
                    "file://" + dir_ + "/out"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "store");
}

TEST_F(CommandTest, DbImport) {
  ASSERT_EQ(Dsoctl({"db", "import", "--db", dir_ + "/osv", dir_}), 0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "db");
  EXPECT_EQ(r.db().db(), dir_ + "/osv");
  ASSERT_EQ(r.db().sources_size(), 1);
  EXPECT_EQ(r.db().sources(0).local_path(),
            std::filesystem::canonical(dir_).string());
  EXPECT_THAT(r.db().source_names(), ElementsAre(dir_));
}

TEST_F(CommandTest, VerifyABlobWithAKeyMadeByKeysGenerate) {
  setenv("DSO_KEY_PASSWORD", "test-password", 1);
  ASSERT_EQ(Dsoctl({"keys", "generate", "--out", dir_ + "/k"}), 0);
  EXPECT_TRUE(sent_.empty());  // made here, not by a run
  ASSERT_EQ(Dsoctl({"verify", "--blob", dir_ + "/report.sarif", "--signature",
                    "c2lnbmF0dXJl", "--key", dir_ + "/k.pub", "--require-gate",
                    "final:2"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "verify");
  EXPECT_EQ(r.verify().blob_signature(), "c2lnbmF0dXJl");
  EXPECT_NE(r.verify().public_key_pem().find("BEGIN PUBLIC KEY"),
            std::string::npos);
  EXPECT_THAT(r.verify().require_gate(), ElementsAre("final:2"));
}

TEST_F(CommandTest, VerifyNeedsAnImageOrABlob) {
  setenv("DSO_KEY_PASSWORD", "test-password", 1);
  ASSERT_EQ(Dsoctl({"keys", "generate", "--out", dir_ + "/k"}), 0);
  EXPECT_NE(Dsoctl({"verify", "--key", dir_ + "/k.pub"}), 0);
  EXPECT_TRUE(sent_.empty());
}

// The scanner names: one list (proto/dso/v1/steps.proto, Scanner), shown by
// dsoctl's help and checked by the Jenkins library's dsoScan.
TEST(ScannerNamesTest, TheHelpAndTheJenkinsLibraryNameEveryScanner) {
  EXPECT_THAT(ScannerNames(), ElementsAre("secrets", "deps", "image", "all"));
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
  EXPECT_THAT(names(m[1]), ElementsAreArray(ScannerNames()));
  std::vector<std::string> for_paths;
  for (const auto& n : ScannerNames()) {
    if (n != "image") for_paths.push_back(n);  // image checks need an image
  }
  EXPECT_THAT(names(m[2]), ElementsAreArray(for_paths));
}

}  // namespace
}  // namespace dso
