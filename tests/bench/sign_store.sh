#!/usr/bin/env bash
# Signing, verification and store benchmarks: dso against cosign, cp and
# the AWS CLI on the same inputs, in the same run. Prints a Markdown table
# for docs/benchmarks.md. Builds first; starts docker-registry and
# versitygw on loopback (scripts/setup.sh installs them, and cosign);
# installs the AWS CLI into the tools venv when it is missing.
#   tests/bench/sign_store.sh [--mib N]   (default 1024: the artifact size)
set -euo pipefail
cd "$(dirname "$0")/../.."
MIB=1024
while (($#)); do
  case "$1" in
    --mib) MIB=$2; shift 2 ;;
    *) echo "usage: $0 [--mib N]" >&2; exit 2 ;;
  esac
done
scripts/build.sh >/dev/null
DSOCTL=$PWD/build/dsoctl/dsoctl
AGENT=$PWD/build/agent/dso-agent
COSIGN=$(command -v cosign || echo "$HOME/go/bin/cosign")
VGW=$(command -v versitygw || echo "$HOME/go/bin/versitygw")
VENV=${DSO_TOOLS_VENV:-$HOME/.cache/dso/venv}
[[ -x $VENV/bin/aws ]] || "$VENV/bin/pip" install -q "awscli==1.46.2" >&2
WORK=$(mktemp -d /var/tmp/dso-sign-bench-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return; sleep 0.05; done; }
seconds() {  # CMD...: wall seconds into $secs
  /usr/bin/time -f "%e" -o "$WORK/time" "$@" >"$WORK/out" 2>&1 || {
    echo "failed: $*" >&2; cat "$WORK/out" >&2; exit 1; }
  secs=$(tail -n 1 "$WORK/time")
}
median() {  # NAME RUNS CMD...: median wall seconds into $NAME
  local name=$1 runs=$2 all=() i; shift 2
  for ((i = 0; i < runs; i++)); do seconds "$@"; all+=("$secs"); done
  printf -v "$name" '%s' "$(printf '%s\n' "${all[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")"
}
ms() { echo "scale=0; $1 * 1000 / 1" | bc; }
pct() { echo "scale=0; 100 * $1 / $2" | bc; }

# The services.
REG_PORT=$(free_port)
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
  "$WORK/registry" "$REG_PORT" >"$WORK/registry.yml"
docker-registry serve "$WORK/registry.yml" >/dev/null 2>&1 & PIDS+=($!)
S3_PORT=$(free_port)
mkdir -p "$WORK/s3/bench"
ROOT_ACCESS_KEY_ID=AKIABENCH ROOT_SECRET_ACCESS_KEY=bench-secret-key \
  "$VGW" --port "127.0.0.1:$S3_PORT" posix "$WORK/s3" >/dev/null 2>&1 & PIDS+=($!)
# The agent reads inputs under $WORK in place, as a local agent with
# allowed roots does.
printf 'allowed_roots: ["%s"]\n' "$WORK" >"$WORK/agent.yaml"
"$AGENT" --config "$WORK/agent.yaml" --listen "unix://$WORK/agent.sock" \
  --data-dir "$WORK/agent" >/dev/null 2>&1 & PIDS+=($!)
wait_port "$REG_PORT"; wait_port "$S3_PORT"
for _ in $(seq 100); do [[ -S $WORK/agent.sock ]] && break; sleep 0.05; done
A=(--agent "unix://$WORK/agent.sock")

# 1. Signing in process (no process start, no registry I/O).
read -r -d '' inproc < <(build/tests/bench/dso_sign_bench "$WORK/inproc" 51) || true
sign_ms=$(sed -n 's/^sign image in a layout: \(.*\) ms$/\1/p' <<<"$inproc")
verify_ms=$(sed -n 's/^verify image in a layout: \(.*\) ms$/\1/p' <<<"$inproc")
attest_ms=$(sed -n 's/^attest image in a layout: \(.*\) ms$/\1/p' <<<"$inproc")
scrypt_ms=$(sed -n 's/^open cosign-encrypted key.*: \(.*\) ms$/\1/p' <<<"$inproc")

# 2. Whole commands against a loopback registry, same key, same image.
export DSO_KEY_PASSWORD=bench-pw COSIGN_PASSWORD=bench-pw
"$DSOCTL" keys generate --out "$WORK/k" >/dev/null 2>&1
mkdir -p "$WORK/ctx" && head -c 1000000 /dev/urandom >"$WORK/ctx/blob"
"$DSOCTL" build --context "$WORK/ctx" --out "$WORK/img" --tag app:1 >/dev/null 2>&1
skopeo copy -q --dest-tls-verify=false "oci:$WORK/img:app:1" \
  "docker://127.0.0.1:$REG_PORT/bench/app:1"
REF=127.0.0.1:$REG_PORT/bench/app:1
median dso_sign 5 "$DSOCTL" "${A[@]}" sign --image "$REF" --key "$WORK/k.key"
median cosign_sign 5 "$COSIGN" sign --key "$WORK/k.key" --tlog-upload=false \
  --allow-http-registry -y "$REF"
median dso_verify 5 "$DSOCTL" "${A[@]}" verify --image "$REF" --key "$WORK/k.pub"
median cosign_verify 5 "$COSIGN" verify --key "$WORK/k.pub" \
  --insecure-ignore-tlog --allow-http-registry "$REF"

# 3. Stores: a ${MIB} MiB artifact, file:// against cp (+ sha256sum, as
# the store hashes), S3 against the AWS CLI, the same file and server.
head -c $((MIB << 20)) /dev/urandom >"$WORK/artifact"
sync
median cp 3 bash -c "cp '$WORK/artifact' '$WORK/copy' && sha256sum '$WORK/copy' >/dev/null && sync && rm -f '$WORK/copy'"
median file_put 3 bash -c "rm -rf '$WORK/cas' && '$DSOCTL' ${A[*]} store put '$WORK/artifact' 'file://$WORK/cas' && sync"
DIGEST=sha256:$(sha256sum "$WORK/artifact" | cut -d' ' -f1)
median file_get 3 bash -c "rm -f '$WORK/got' && '$DSOCTL' ${A[*]} store get 'file://$WORK/cas/$DIGEST' '$WORK/got' && sync"
export AWS_ACCESS_KEY_ID=AKIABENCH AWS_SECRET_ACCESS_KEY=bench-secret-key \
  AWS_DEFAULT_REGION=us-east-1 DSO_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
AWSCLI=("$VENV/bin/aws" --endpoint-url "$DSO_S3_ENDPOINT" s3)
median aws_put 3 "${AWSCLI[@]}" cp "$WORK/artifact" s3://bench/aws/artifact
median aws_get 3 bash -c "rm -f '$WORK/aws.got' && ${AWSCLI[*]} cp s3://bench/aws/artifact '$WORK/aws.got'"
median s3_put 3 "$DSOCTL" "${A[@]}" store put "$WORK/artifact" s3://bench/dso/artifact
median s3_get 3 bash -c "rm -f '$WORK/s3.got' && '$DSOCTL' ${A[*]} store get s3://bench/dso/artifact '$WORK/s3.got'"
cmp -s "$WORK/artifact" "$WORK/s3.got" || { echo "S3 round trip differs" >&2; exit 1; }

echo "| benchmark | dso | peer | ratio / target |"
echo "|---|---|---|---|"
echo "| sign an image (file key, in process, no registry I/O; median of 51) | ${sign_ms} ms | | target ≤ 20 ms |"
echo "| attest an image (DSSE, in process) | ${attest_ms} ms | | |"
echo "| verify an image's signature (in process) | ${verify_ms} ms | | target ≤ 20 ms |"
echo "| open a cosign-encrypted key (scrypt, N = 65536), in both tools | ${scrypt_ms} ms | | the KDF's cost by design |"
echo "| \`sign\` whole command, loopback registry, encrypted key (median of 5) | $(ms "$dso_sign") ms (through the agent) | cosign v2.4.1: $(ms "$cosign_sign") ms | $(echo "scale=1; $cosign_sign / $dso_sign" | bc)× faster |"
echo "| \`verify\` whole command, loopback registry (median of 5) | $(ms "$dso_verify") ms | cosign: $(ms "$cosign_verify") ms | $(echo "scale=1; $cosign_verify / $dso_verify" | bc)× faster |"
echo "| store put, ${MIB} MiB, file:// (median of 3) | ${file_put} s | cp + sha256sum + sync: ${cp} s | $(pct "$cp" "$file_put")% of the peer's speed (target ≥ 50%) |"
echo "| store get, ${MIB} MiB, file:// | ${file_get} s | cp + sha256sum + sync: ${cp} s | $(pct "$cp" "$file_get")% (target ≥ 50%) |"
echo "| store put, ${MIB} MiB, S3 (versitygw, loopback) | ${s3_put} s | aws s3 cp (awscli 1.46.2): ${aws_put} s | $(pct "$aws_put" "$s3_put")% (target ≥ 50%) |"
echo "| store get, ${MIB} MiB, S3 | ${s3_get} s | aws s3 cp: ${aws_get} s | $(pct "$aws_get" "$s3_get")% (target ≥ 50%) |"
