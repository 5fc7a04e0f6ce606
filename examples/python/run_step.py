#!/usr/bin/python3
"""Runs a command as a step on a dso agent and streams its events.

Generates the Python stubs from proto/ with protoc and Debian's
grpc_python_plugin on first use (packages python3-grpcio, python3-protobuf,
protobuf-compiler-grpc), then calls Agent.RunStep.

    examples/python/run_step.py --agent unix:///run/dso/agent.sock -- make test

Exit status: the command's (0 when it succeeded), 3 when the agent failed.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

PROTO_DIR = Path(__file__).resolve().parents[2] / "proto"


def load_stubs(out_dir: Path):
    if not (out_dir / "dso" / "v1" / "agent_pb2_grpc.py").exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        protos = [str(p.relative_to(PROTO_DIR))
                  for p in sorted((PROTO_DIR / "dso" / "v1").glob("*.proto"))]
        subprocess.run(["protoc", f"-I{PROTO_DIR}", f"--python_out={out_dir}",
                        f"--grpc_python_out={out_dir}",
                        "--plugin=protoc-gen-grpc_python="
                        "/usr/bin/grpc_python_plugin", *protos],
                       check=True, cwd=PROTO_DIR)
    sys.path.insert(0, str(out_dir))
    from dso.v1 import agent_pb2, agent_pb2_grpc
    return agent_pb2, agent_pb2_grpc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default=os.environ.get(
        "DSO_AGENT", "unix:///run/dso/agent.sock"))
    parser.add_argument("--stubs", default=os.path.join(
        tempfile.gettempdir(), f"dso-py-stubs-{os.getuid()}"))
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    import grpc
    agent_pb2, agent_pb2_grpc = load_stubs(Path(args.stubs))
    target = args.agent
    if target.startswith("unix://"):
        target = "unix:" + target[len("unix://"):]
    channel = grpc.insecure_channel(target)
    stub = agent_pb2_grpc.AgentStub(channel)

    request = agent_pb2.RunStepRequest(
        step="exec", idempotency_key=str(uuid.uuid4()), deadline_seconds=600)
    request.exec.argv.extend(args.command)
    result = None
    try:
        for event in stub.RunStep(request):
            kind = event.WhichOneof("kind")
            if kind == "started":
                print(f"[run {event.run_id}] started", file=sys.stderr)
            elif kind == "log":
                stream = sys.stdout if event.log.stream == \
                    agent_pb2.LogLine.STDOUT else sys.stderr
                stream.write(event.log.text)
                stream.flush()
            elif kind == "result":
                result = event.result
                print(f"[run {event.run_id}] "
                      f"{agent_pb2.Outcome.Name(result.outcome)}: "
                      f"{result.message}", file=sys.stderr)
    except grpc.RpcError as e:
        print(f"agent error: {e.code().name}: {e.details()}", file=sys.stderr)
        return 3
    if result is None:
        return 3
    if result.outcome == agent_pb2.ERROR:
        return 3
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
