# Helpers the benchmark scripts share; sourced, not run.

# FIELD of a JSON object: field '{"p50_us": 9}' p50_us -> 9
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# gitleaks, the peer of the secrets benchmarks: on PATH, in Go's bin, or
# installed with the Go toolchain (GITLEAKS_VERSION). Sets GITLEAKS.
find_gitleaks() {
  GITLEAKS=$(command -v gitleaks || echo "$(go env GOPATH 2>/dev/null)/bin/gitleaks")
  if [[ ! -x $GITLEAKS ]]; then
    go install "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION" >&2
  fi
}

# The median of the numbers given (the middle one of an odd count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

# Wall seconds a command takes, to DIGITS decimals, its output and status
# discarded: elapsed DIGITS CMD... The clock is bash's own ($EPOCHREALTIME):
# reading it through `date` added the start of two processes, a
# millisecond or two, to every command timed.
elapsed() {
  local digits=$1 s e
  shift
  s=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  e=$EPOCHREALTIME
  printf "%.${digits}f" "$(echo "$e - $s" | bc)"
}

# The same to two decimals.
seconds() { elapsed 2 "$@"; }

# osv-scanner, the peer of the dependency benchmarks: on PATH, in Go's bin,
# or installed with the Go toolchain (v2.6.0 needs Go 1.27, which the go
# command fetches itself). Sets OSVS and OSV_SCANNER_VERSION.
OSV_SCANNER_VERSION=v2.6.0
find_osv_scanner() {
  OSVS=$(command -v osv-scanner || echo "$(go env GOPATH 2>/dev/null)/bin/osv-scanner")
  if [[ ! -x $OSVS ]]; then
    GOTOOLCHAIN=go1.27.3 go install \
      "github.com/google/osv-scanner/v2/cmd/osv-scanner@$OSV_SCANNER_VERSION" >&2
    OSVS=$(go env GOPATH)/bin/osv-scanner
  fi
}
