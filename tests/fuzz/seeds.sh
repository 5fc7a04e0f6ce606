#!/usr/bin/env bash
# Gathers the seed corpus of every fuzz target into OUT/<target>/: the files
# under tests/fuzz/seeds/<target>/ (small examples of each format and the
# inputs of crashes fixed, kept as regressions), the repository's own test
# data, and real files of each format found on this machine (lockfiles of
# installed packages, Go binaries, the shared OSV data beside the checkout),
# capped in number and size.
#   tests/fuzz/seeds.sh OUT
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$1
MAX_BYTES=262144
rm -rf "$OUT"
mkdir -p "$OUT"/{git_pack,git_objects,added_lines,go_buildinfo,lockfile_dpkg_status,tar}
for dir in tests/fuzz/seeds/*/; do
  t=$(basename "$dir")
  mkdir -p "$OUT/$t"
  cp "$dir"* "$OUT/$t/" 2>/dev/null || true
done
# add TARGET FILE...: copies up to 20 files of at most MAX_BYTES.
add() {
  local t=$1 n=0
  shift
  mkdir -p "$OUT/$t"
  for f in "$@"; do
    [[ -f $f && $(stat -c %s "$f") -le $MAX_BYTES ]] || continue
    cp "$f" "$OUT/$t/$(printf '%s' "$f" | sha1sum | cut -c1-16)"
    ((++n >= 20)) && break
  done
  return 0
}
found() {  # NAME: files of that name on this machine
  find / -xdev -name "$1" -type f \( -path '/usr/*' -o -path '/root/*' \
    -o -path '/opt/*' -o -path '/var/lib/*' \) 2>/dev/null | head -40 || true
}
add gitleaks_config tests/fixtures/gitleaks/gitleaks.toml
add gate pipelines/policy/policy.yaml pipelines/demo/waivers.yaml
add configs pipelines/demo/rasp.yaml
add signatures stages/attest/keys/testdata/*
add cosign_key stages/attest/keys/testdata/cosign_pw.key
add secret_decoder tests/fixtures/secrets/*.py
mapfile -t f < <(found requirements.txt); add lockfile_requirements_txt "${f[@]}"
mapfile -t f < <(found Pipfile.lock); add lockfile_pipfile_lock "${f[@]}"
mapfile -t f < <(found Cargo.lock); add lockfile_cargo_lock "${f[@]}"
mapfile -t f < <(found go.mod); add lockfile_go_mod "${f[@]}"
mapfile -t f < <(found package-lock.json); add lockfile_package_lock_json "${f[@]}"
mapfile -t f < <(found Gemfile.lock); add lockfile_gemfile_lock "${f[@]}"
mapfile -t f < <(found pom.xml); add lockfile_pom_xml "${f[@]}"
mapfile -t f < <(found package.json); add lockfile_package_json "${f[@]}"
mapfile -t f < <(found METADATA); add lockfile_python_metadata "${f[@]}"
head -c $MAX_BYTES /var/lib/dpkg/status >"$OUT/lockfile_dpkg_status/machine" || true
SHARED=$(realpath -m ../shared/data/osv)
if [[ -d $SHARED ]]; then
  mapfile -t f < <(find "$SHARED" -name '*.json' | head -10; find "$SHARED" -name '*.yaml' | head -10)
  add osv "${f[@]}"
fi
# Go build information: 64 KiB from the marker of each Go binary here.
python3 - "$OUT/go_buildinfo" /usr/local/bin/* "$HOME"/go/bin/* <<'PY'
import os, sys
out, n = sys.argv[1], 0
for path in sys.argv[2:]:
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    at = data.find(b"\xff Go buildinf:")
    if at >= 0 and n < 5:
        open(os.path.join(out, os.path.basename(path)), "wb").write(data[at:at + 65536])
        n += 1
PY
# Archives: ordinary entries, and the ones an unpacker must refuse.
python3 - "$OUT/tar" <<'PY'
import io, os, sys, tarfile
out = sys.argv[1]
def write(name, entries, mode="w"):
    with tarfile.open(os.path.join(out, name), mode) as t:
        for e, data in entries:
            t.addfile(e, io.BytesIO(data) if data is not None else None)
def file(name, data=b"x = 1\n"):
    e = tarfile.TarInfo(name); e.size = len(data); return e, data
def link(name, target, kind=tarfile.SYMTYPE):
    e = tarfile.TarInfo(name); e.type = kind; e.linkname = target; return e, None
def folder(name):
    e = tarfile.TarInfo(name); e.type = tarfile.DIRTYPE; return e, None
write("plain", [folder("src"), file("src/a.py"), file("README", b"hi\n")])
write("gzip", [file("a.txt")], "w:gz")
write("xz", [file("a.txt")], "w:xz")
write("dotdot", [file("../escape")])
write("absolute", [file("/tmp/escape")])
write("symlink-out", [link("l", "/tmp"), file("l/escape")])
write("symlink-up", [link("l", "../.."), file("l/escape")])
write("hardlink-out", [link("h", "/etc/passwd", tarfile.LNKTYPE)])
device = tarfile.TarInfo("dev")
device.type = tarfile.CHRTYPE
write("device", [(device, None)])
PY
# Git objects, packs and versions of files, from a small repository made here.
python3 - "$OUT" <<'PY'
import os, subprocess, sys, tempfile
out = sys.argv[1]
with tempfile.TemporaryDirectory() as repo:
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b",
               GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b",
               GIT_AUTHOR_DATE="1700000000 +0000",
               GIT_COMMITTER_DATE="1700000000 +0000")
    git = lambda *a: subprocess.run(["git", "-C", repo, *a], check=True,
                                    env=env, capture_output=True).stdout
    git("init", "-q")
    os.makedirs(os.path.join(repo, "d"))
    text = "".join(f"line {i}\n" for i in range(60))
    versions = []
    for c in range(8):
        text = text.replace(f"line {c * 7}\n", f"edit {c}\ntoken = 'x{c}'\n")
        versions.append(text)
        open(os.path.join(repo, "a.txt"), "w").write(text)
        open(os.path.join(repo, "d", "b.txt"), "w").write(text[::-1])
        git("add", "-A")
        git("commit", "-q", "-m", f"c{c}")
    git("repack", "-adfq")
    pack_dir = os.path.join(repo, ".git", "objects", "pack")
    name = [f for f in os.listdir(pack_dir) if f.endswith(".idx")][0][:-4]
    idx = open(os.path.join(pack_dir, name + ".idx"), "rb").read()
    pack = open(os.path.join(pack_dir, name + ".pack"), "rb").read()
    open(os.path.join(out, "git_pack", "repo"), "wb").write(
        len(idx).to_bytes(4, "little") + idx + pack)
    for i, rev in enumerate(["HEAD", "HEAD~3"]):
        for kind, spec in (("commit", rev), ("tree", rev + "^{tree}"),
                           ("tree", rev + ":d")):
            data = git("cat-file", kind, spec)
            open(os.path.join(out, "git_objects", f"{kind}-{i}-{len(data)}"),
                 "wb").write(data)
    for i in range(len(versions) - 1):
        open(os.path.join(out, "added_lines", f"v{i}"), "wb").write(
            versions[i].encode() + b"\0" + versions[i + 1].encode())
PY
