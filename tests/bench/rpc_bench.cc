// dso_rpc_bench: measures the agent's RPC path and event streaming over a
// real channel.
//
//   dso_rpc_bench --agent unix:///tmp/dso.sock latency  [N]   noop round trips
//   dso_rpc_bench --agent unix:///tmp/dso.sock stream   [MiB] events per second
//   dso_rpc_bench --agent unix:///tmp/dso.sock info     [N]   GetInfo calls
//   dso_rpc_bench --agent unix:///tmp/dso.sock attach   [N]   re-reads of a
//                                                             finished run
//
// Prints one JSON object per run so tests/bench/run.sh can tabulate it.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "dso/v1/agent.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

// Times n calls of `call` after 20 warm-up calls and prints p50, p90 and
// p99.
int TimeCalls(const char* bench, int n, const std::function<bool()>& call) {
  std::vector<double> us;
  for (int i = 0; i < n + 20; ++i) {
    auto start = Clock::now();
    if (!call()) return 3;
    double t =
        std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    if (i >= 20) us.push_back(t);  // the first calls warm up
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us[static_cast<size_t>(p * (us.size() - 1))];
  };
  printf(
      "{\"bench\":\"%s\",\"calls\":%d,\"p50_us\":%.0f,\"p90_us\":%.0f,"
      "\"p99_us\":%.0f}\n",
      bench, n, pct(0.5), pct(0.9), pct(0.99));
  return 0;
}

int Latency(dso::v1::Agent::Stub& stub, int n) {
  dso::v1::RunStepRequest req;
  req.set_step("noop");
  req.mutable_noop();
  return TimeCalls("noop_round_trip", n, [&] {
    grpc::ClientContext ctx;
    auto reader = stub.RunStep(&ctx, req);
    dso::v1::Event e;
    bool got_result = false;
    while (reader->Read(&e)) got_result |= e.has_result();
    grpc::Status st = reader->Finish();
    if (!st.ok() || !got_result) {
      fprintf(stderr, "run failed: %s\n", st.error_message().c_str());
      return false;
    }
    return true;
  });
}

// A finished run's two events read back: the streaming path without a run.
int AttachLatency(dso::v1::Agent::Stub& stub, int n) {
  dso::v1::RunStepRequest req;
  req.set_step("noop");
  req.mutable_noop();
  dso::v1::AttachRequest attach;
  {
    grpc::ClientContext ctx;
    auto reader = stub.RunStep(&ctx, req);
    dso::v1::Event e;
    while (reader->Read(&e)) attach.set_run_id(e.run_id());
    if (!reader->Finish().ok()) return 3;
  }
  attach.set_from_seq(1);
  return TimeCalls("attach_round_trip", n, [&] {
    grpc::ClientContext ctx;
    auto reader = stub.Attach(&ctx, attach);
    dso::v1::Event e;
    int events = 0;
    while (reader->Read(&e)) ++events;
    return reader->Finish().ok() && events == 2;
  });
}

// The floor: a unary call that does no work.
int InfoLatency(dso::v1::Agent::Stub& stub, int n) {
  return TimeCalls("getinfo_round_trip", n, [&] {
    grpc::ClientContext ctx;
    dso::v1::AgentInfo info;
    return stub.GetInfo(&ctx, dso::v1::GetInfoRequest(), &info).ok();
  });
}

int Stream(dso::v1::Agent::Stub& stub, int mib) {
  dso::v1::RunStepRequest req;
  req.set_step("noop");
  const uint32_t line = 128;
  req.mutable_noop()->set_line_bytes(line);
  req.mutable_noop()->set_log_lines(
      static_cast<uint32_t>((static_cast<uint64_t>(mib) << 20) / line));
  grpc::ClientContext ctx;
  auto start = Clock::now();
  auto reader = stub.RunStep(&ctx, req);
  dso::v1::Event e;
  uint64_t bytes = 0, events = 0;
  while (reader->Read(&e)) {
    bytes += e.log().text().size();
    ++events;
  }
  grpc::Status st = reader->Finish();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (!st.ok()) {
    fprintf(stderr, "stream failed: %s\n", st.error_message().c_str());
    return 3;
  }
  printf(
      "{\"bench\":\"event_stream\",\"log_bytes\":%llu,\"events\":%llu,"
      "\"seconds\":%.3f,\"mb_per_s\":%.1f}\n",
      static_cast<unsigned long long>(bytes),
      static_cast<unsigned long long>(events), secs, bytes / secs / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::string(argv[1]) != "--agent") {
    fprintf(stderr, "usage: %s --agent ADDR latency [N] | stream [MiB]\n",
            argv[0]);
    return 2;
  }
  std::string target = argv[2];
  if (target.rfind("unix://", 0) == 0) target = "unix:" + target.substr(7);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args);
  auto stub = dso::v1::Agent::NewStub(channel);
  std::string mode = argv[3];
  int arg = argc > 4 ? atoi(argv[4]) : 0;
  if (mode == "latency") return Latency(*stub, arg ? arg : 2000);
  if (mode == "info") return InfoLatency(*stub, arg ? arg : 2000);
  if (mode == "attach") return AttachLatency(*stub, arg ? arg : 2000);
  if (mode == "stream") return Stream(*stub, arg ? arg : 1024);
  fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
  return 2;
}
