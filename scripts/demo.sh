#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds dso and runs the demo pipeline:
# an agent on a private socket, the demo application's stages through it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh >/dev/null
ROOT=$PWD
BIN=$ROOT/build
WORK=$(mktemp -d /tmp/dso-demo-XXXXXX)
trap 'kill $AGENT_PID 2>/dev/null || true; wait $AGENT_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "start dso-agent on unix://$WORK/agent.sock"
# file:// stores of the agent lie beneath its store_roots.
printf 'store_roots: ["%s"]\n' "$WORK" >"$WORK/agent.yaml"
"$BIN/agent/dso-agent" --listen "unix://$WORK/agent.sock" \
  --config "$WORK/agent.yaml" \
  --data-dir "$WORK/data" --log-format text >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 100); do [[ -S $WORK/agent.sock ]] && break; sleep 0.05; done
export DSO_AGENT="unix://$WORK/agent.sock"
DSOCTL=$BIN/dsoctl/dsoctl
"$DSOCTL" agent info

cp -r pipelines/demo/app "$WORK/app"
cd "$WORK/app"

step "stage: unit tests (dsoctl exec, inputs sent as a tar, report collected)"
"$DSOCTL" --json "$WORK/test.json" exec --collect test-report.txt -- \
  sh -c 'python3 -m unittest -v 2>&1 | tee test-report.txt'
echo "summary:"; cat "$WORK/test.json"
echo "collected report: $(wc -l <test-report.txt) lines"

step "stage: secret scan of the source (clean: passes)"
"$DSOCTL" --json "$WORK/scan.json" scan --path . --scanners secrets --fail-on high
echo "reports: $(ls "$WORK"/secrets.* | tr "\n" " ")"

step "stage: secret scan after a developer pastes a token into the code"
# Planted here, at run time, so the repository itself holds no token.
printf 'GITHUB_TOKEN = "ghp_%s"\n' "$(head -c 64 /dev/urandom | base64 | tr -dc A-Za-z0-9 | head -c 36)" \
  >>greeter.py
set +e
"$DSOCTL" scan --path . --scanners secrets --fail-on high
echo "dsoctl exit code: $? (1: the gate of this stage stops the pipeline)"
set -e
sed -i '$d' greeter.py  # the developer removes it again

step "stage: the agent's vulnerability database, from OSV records kept with the pipeline"
"$DSOCTL" db import "$ROOT/pipelines/demo/osv"

step "stage: dependency scan (requirements.txt pins PyYAML 5.3.1)"
set +e
"$DSOCTL" scan --path . --scanners deps --fail-on critical
echo "dsoctl exit code: $? (1: a CRITICAL advisory stops the pipeline)"
set -e
sed -i 's/^PyYAML==5.3.1$/PyYAML==5.4.1/' requirements.txt
step "stage: dependency scan after the upgrade to PyYAML 5.4.1 (passes)"
"$DSOCTL" scan --path . --scanners deps --fail-on critical

step "stage: quality gate, level 3 system, source stage (dsoctl gate)"
"$DSOCTL" --json "$WORK/gate-in/scan.json" scan --path . >/dev/null
"$DSOCTL" --json "$WORK/gate/summary.json" gate --level 3 \
  --report "$WORK/gate-in/findings.json" --policy "$ROOT/pipelines/policy/policy.yaml"
echo "decision: $WORK/gate/gate.json; JUnit for Jenkins: $WORK/gate/gate-junit.xml"

step "stage: build the image (dsoctl build: no Docker daemon, reproducible)"
# A real Debian 12 base (debootstrap, cached under build/); scratch if the
# mirror cannot be reached.
BASE=$("$ROOT/tests/images/debian_base.sh" "$BIN/test-images" 2>/dev/null) || BASE=scratch
export SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
for out in image image-again; do
  "$DSOCTL" --json "$WORK/$out.json" build --context . --base "$BASE" \
    --out "$WORK/$out" --tag demo:1 --user 65532 \
    --entrypoint "python3 /app/greeter.py serve" 2>&1 | tail -n 1
done
python3 - "$WORK/image.json" "$WORK/image-again.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["outputs"]["image.digest"] for p in sys.argv[1:])
print("same inputs, same image:", a == b, a)
PY

step "stage: container testing (dsoctl scan --image: layers, packages, config)"
"$DSOCTL" --json "$WORK/image-scan/summary.json" scan --image "$WORK/image:demo:1" \
  --scanners secrets,deps,image --fail-on high --sbom "$WORK/image.cdx.json" \
  2>&1 | grep -v -e ' INFO ' -e '\] artifact ' -e '\] report '
echo "SBOM of the image: $WORK/image.cdx.json"

step "stage: sign the image and attest the gate's decision (cosign-compatible)"
export DSO_KEY_PASSWORD=demo-only-password
"$DSOCTL" keys generate --out "$WORK/release"
"$DSOCTL" --json "$WORK/sign.json" sign --image "$WORK/image:demo:1" \
  --key "$WORK/release.key" --attest "$WORK/gate/gate.intoto.json" --type gate \
  --provenance
"$DSOCTL" sign --image "$WORK/image:demo:1" --key "$WORK/release.key" \
  --no-signature --attest "$WORK/image.cdx.json" --type sbom

step "stage: store the signed image in a registry and the SBOM in a content-addressed store"
REGISTRY_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
  "$WORK/registry" "$REGISTRY_PORT" >"$WORK/registry.yml"
docker-registry serve "$WORK/registry.yml" >/dev/null 2>&1 &
REGISTRY_PID=$!
trap 'kill $AGENT_PID $REGISTRY_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$REGISTRY_PORT) 2>/dev/null && break; sleep 0.05; done
REF=127.0.0.1:$REGISTRY_PORT/demo/greeter:1
"$DSOCTL" store put "$WORK/image:demo:1" "oci://$REF"
"$DSOCTL" store put "$WORK/image.cdx.json" "file://$WORK/cas"

step "stage: final checks — verify signature and attestations (and cosign agrees)"
DIGEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outputs"]["image.digest"])' "$WORK/sign.json")
"$DSOCTL" --json "$WORK/verify/summary.json" verify --image "$REF" \
  --key "$WORK/release.pub" --require gate --require sbom --digest "$DIGEST"
if command -v cosign >/dev/null; then
  cosign verify --key "$WORK/release.pub" --insecure-ignore-tlog \
    --allow-http-registry "$REF" >/dev/null 2>&1 && echo "cosign verify: signature accepted"
fi
step "verified with a key that did not sign: refused (exit 1)"
"$DSOCTL" keys generate --out "$WORK/attacker" >/dev/null 2>&1
set +e
"$DSOCTL" verify --image "$REF" --key "$WORK/attacker.pub" 2>&1 | tail -n 2
echo "dsoctl exit code: ${PIPESTATUS[0]} (1: not signed by the release key)"
set -e

step "stage: final quality gate — security and compliance, on verified evidence"
"$DSOCTL" verify --image "$REF" --key "$WORK/release.pub" --require sbom \
  --require provenance --digest "$DIGEST" \
  --output-signatures "$WORK/final/verified.json" \
  --output-attestations "$WORK/final/attested.jsonl" >/dev/null
"$DSOCTL" --json "$WORK/final/summary.json" gate --level 3 --stage final \
  --policy "$ROOT/pipelines/policy/policy.yaml" --report "$WORK/image.cdx.json" \
  --waivers "$ROOT/pipelines/demo/waivers.yaml" \
  $(for r in "$WORK"/image-scan/*.json; do [[ $r == */summary.json ]] || printf -- '--report %s ' "$r"; done) \
  --subject "$DIGEST" --evidence "$WORK/final/verified.json" \
  --evidence "$WORK/final/attested.jsonl" | tail -n 3
"$DSOCTL" sign --image "$REF" --key "$WORK/release.key" --no-signature \
  --attest "$WORK/final/gate.intoto.json" --type gate

step "stage: deploy — admission, release, health check, runtime self-protection"
chmod 755 "$WORK"  # the service runs as the image's user, 65532
PORT=$(free_port)
TARGET="host://$WORK/srv/greeter"
trap '"$DSOCTL" deploy stop --target "$TARGET" >/dev/null 2>&1 || true; kill $AGENT_PID $REGISTRY_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$DSOCTL" --json "$WORK/deploy.json" deploy --image "$REF" --target "$TARGET" \
  --verify-key "$WORK/release.pub" --require-gate final:3 --digest "$DIGEST" \
  --include /app --port "$PORT" --health "http://127.0.0.1:{port}/healthz" \
  --rasp "$ROOT/pipelines/demo/rasp.yaml" --env DSO_DEMO_VULNERABLE=1
echo "current -> $(readlink "$WORK/srv/greeter/current")"
echo "GET /hello?name=DevSecOps: $(curl -s "http://127.0.0.1:$PORT/hello?name=DevSecOps")"

step "an attacker uses the service's debug hole: a shell, then a connection out"
echo "GET /debug/run?cmd=cat+/etc/passwd -> $(curl -s "http://127.0.0.1:$PORT/debug/run?cmd=cat+/etc/passwd")"
echo "GET /debug/fetch?port=22           -> $(curl -s "http://127.0.0.1:$PORT/debug/fetch?port=22")"
"$DSOCTL" deploy events --target "$TARGET" --limit 4

step "an image signed by someone else is not deployed (exit 1, nothing changes)"
set +e
"$DSOCTL" deploy --image "$REF" --target "$TARGET" --verify-key "$WORK/attacker.pub" \
  2>&1 | tail -n 2
echo "dsoctl exit code: ${PIPESTATUS[0]}; current still -> $(readlink "$WORK/srv/greeter/current")"
set -e

step "stage: run the application"
"$DSOCTL" exec -- python3 greeter.py DevSecOps

step "a failing command: dsoctl exits 1 and says why"
set +e
"$DSOCTL" exec -- sh -c 'echo "policy says no" >&2; exit 4'
echo "dsoctl exit code: $?"
set -e

step "run history (kept across agent restarts)"
"$DSOCTL" runs list

step "agent log (ECS JSON in production; text here)"
tail -n 4 "$WORK/agent.log"
echo
echo "demo finished"
