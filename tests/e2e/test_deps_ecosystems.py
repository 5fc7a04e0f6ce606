"""dsoctl scan --scanners deps beyond PyPI, Go and npm: Maven (pom.xml,
gradle.lockfile), RubyGems, Packagist, NuGet, and the OS packages of root
file systems (Debian's dpkg, Alpine's apk) — each ordered by its own rules,
the same findings through the agent and embedded."""
import json
from pathlib import Path

from conftest import dsoctl
from test_deps import validate_cyclonedx

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.0.0</version>
  <properties>
    <log4j.version>2.14.1</log4j.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
  </dependencies>
</project>
"""

GRADLE = """# This is a Gradle generated file for dependency locking.
org.apache.logging.log4j:log4j-core:2.17.1=runtimeClasspath
empty=annotationProcessor
"""

GEMFILE_LOCK = """GEM
  remote: https://rubygems.org/
  specs:
    rack (2.2.6)
    rack-test (2.0.2)
      rack (>= 1.3)

PLATFORMS
  ruby

DEPENDENCIES
  rack-test

BUNDLED WITH
   2.4.10
"""

COMPOSER_LOCK = {"packages": [{"name": "guzzlehttp/guzzle",
                               "version": "7.4.4"}],
                 "packages-dev": []}

NUGET_LOCK = {"version": 1, "dependencies": {"net6.0": {
    "Newtonsoft.Json": {"type": "Direct", "requested": "[12.0.3, )",
                        "resolved": "12.0.3"}}}}

DPKG_STATUS = """Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u1

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
"""

APK_INSTALLED = """P:libcrypto3
V:3.1.4-r5
o:openssl

P:musl
V:1.2.4_git20230717-r4
o:musl
"""


def record(id_, ecosystem, name, events, aliases=()):
    return {"id": id_, "modified": "2024-01-01T00:00:00Z",
            "aliases": list(aliases),
            "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                          "ranges": [{"type": "ECOSYSTEM",
                                      "events": events}]}]}


RECORDS = [
    # Log4Shell, with its two real ranges.
    {"id": "GHSA-jfh8-c2jp-5v3q", "modified": "2024-01-01T00:00:00Z",
     "aliases": ["CVE-2021-44228"],
     "affected": [{"package": {"ecosystem": "Maven",
                               "name": "org.apache.logging.log4j:log4j-core"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [
                       {"introduced": "2.13.0"}, {"fixed": "2.15.0"}]},
                       {"type": "ECOSYSTEM", "events": [
                           {"introduced": "2.0-beta9"}, {"fixed": "2.12.2"}]}
                   ]}],
     "database_specific": {"severity": "CRITICAL"}},
    # Written for this test.
    record("DSO-TEST-GEM-1", "RubyGems", "rack",
           [{"introduced": "2.2.0"}, {"fixed": "2.2.6.2"}]),
    record("DSO-TEST-PHP-1", "Packagist", "guzzlehttp/guzzle",
           [{"introduced": "7.0.0-beta.1"}, {"fixed": "7.4.5"}]),
    record("GHSA-5crp-9r3c-p9vr", "NuGet", "newtonsoft.json",
           [{"introduced": "0"}, {"fixed": "13.0.1"}], ["CVE-2024-21907"]),
    record("DSO-TEST-DEB-1", "Debian:12", "openssl",
           [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]),
    record("DSO-TEST-DEB-2", "Debian:12", "zlib",
           [{"introduced": "0"}, {"fixed": "1:1.2.13.dfsg-1"}]),
    record("DSO-TEST-APK-1", "Alpine:v3.19", "openssl",
           [{"introduced": "0"}, {"fixed": "3.1.4-r6"}]),
    record("DSO-TEST-APK-2", "Alpine:v3.19", "musl",
           [{"introduced": "0"}, {"fixed": "1.2.4-r0"}]),
]

EXPECTED = {
    ("GHSA-jfh8-c2jp-5v3q", "java/pom.xml"),       # 2.14.1 in [2.13.0, 2.15.0)
    ("DSO-TEST-GEM-1", "ruby/Gemfile.lock"),       # 2.2.6 < 2.2.6.2
    ("DSO-TEST-PHP-1", "php/composer.lock"),       # 7.4.4 < 7.4.5
    ("GHSA-5crp-9r3c-p9vr", "dotnet/packages.lock.json"),  # case-insensitive
    ("DSO-TEST-DEB-1", "image/var/lib/dpkg/status"),  # ~deb12u1 < ~deb12u2
    ("DSO-TEST-APK-1", "alpine/lib/apk/db/installed"),  # -r5 < -r6
}
# Not expected: log4j-core 2.17.1 (gradle) is fixed; zlib is at the fixed
# version (epoch 1); musl 1.2.4_git... is after 1.2.4-r0 (a post suffix).


def make_tree(root: Path) -> Path:
    proj = root / "proj"
    files = {
        "java/pom.xml": POM,
        "java/gradle.lockfile": GRADLE,
        "ruby/Gemfile.lock": GEMFILE_LOCK,
        "php/composer.lock": json.dumps(COMPOSER_LOCK, indent=2),
        "dotnet/packages.lock.json": json.dumps(NUGET_LOCK, indent=2),
        "image/etc/os-release": 'ID=debian\nVERSION_ID="12"\n',
        "image/var/lib/dpkg/status": DPKG_STATUS,
        "alpine/etc/os-release": "ID=alpine\nVERSION_ID=3.19.1\n",
        "alpine/lib/apk/db/installed": APK_INSTALLED,
    }
    for rel, text in files.items():
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text(text)
    rec = root / "records"
    rec.mkdir()
    for r in RECORDS:
        (rec / f"{r['id']}.json").write_text(json.dumps(r))
    return proj


def findings(out: Path):
    results = json.loads((out / "secrets.sarif").read_text())["runs"][0][
        "results"]
    return {(r["ruleId"],
             r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in results}


def test_every_ecosystem_agent_and_embedded_agree(agent, tmp_path):
    proj = make_tree(tmp_path)
    db, data = tmp_path / "db", ("--data-dir", str(tmp_path / "data"))
    assert dsoctl("db", "import", "--db", str(db), str(tmp_path / "records"),
                  extra_global=data).returncode == 0
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), "--sbom", str(tmp_path / "sbom.json"), "--fail-on",
               "CRITICAL", extra_global=data, json_file=tmp_path / "emb" / "s.json")
    assert p.returncode == 1, p.stderr  # Log4Shell is CRITICAL
    assert "deps: 7 lockfiles, 10 packages, 6 vulnerable" in p.stderr, p.stderr
    assert findings(tmp_path / "emb") == EXPECTED

    assert dsoctl("db", "import", str(tmp_path / "records"),
                  agent=agent).returncode == 0
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps",
               "--fail-on", "CRITICAL", agent=agent, json_file=tmp_path / "agent" / "s.json")
    assert p.returncode == 1, p.stderr
    assert findings(tmp_path / "agent") == EXPECTED

    validate_cyclonedx(tmp_path / "sbom.json")
    purls = {c["purl"] for c in json.loads(
        (tmp_path / "sbom.json").read_text())["components"] if "purl" in c}
    for want in [
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
            "pkg:gem/rack@2.2.6", "pkg:composer/guzzlehttp/guzzle@7.4.4",
            "pkg:nuget/Newtonsoft.Json@12.0.3",
            "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=source&"
            "distro=debian-12",
            "pkg:apk/alpine/openssl@3.1.4-r5?distro=3.19"]:
        assert want in purls, (want, sorted(purls))
