"""dsoctl scan --scanners deps over the lockfiles of the smaller ecosystems
(Pub, Hex, SwiftURL, CRAN, Hackage, ConanCenter) and the newer formats of
the larger ones (bun.lock, pdm.lock, pylock.toml, *.csproj, packages.config,
Gradle's verification metadata): each found by its name, its packages
matched by their ecosystem's order and listed in the SBOM."""
import json
from pathlib import Path

from conftest import dsoctl
from test_deps import validate_cyclonedx
from test_deps_ecosystems import record

FILES = {
    "dart/pubspec.lock": """packages:
  async:
    dependency: transitive
    description:
      name: async
      url: "https://pub.dev"
    source: hosted
    version: "2.11.0"
sdks:
  dart: ">=3.0.0 <4.0.0"
""",
    "elixir/mix.lock": """%{
  "plug": {:hex, :plug, "1.14.0", "abc", [:mix], [], "hexpm", "def"},
}
""",
    "swift/Package.resolved": json.dumps({"pins": [{
        "identity": "swift-nio", "kind": "remoteSourceControl",
        "location": "https://github.com/apple/swift-nio.git",
        "state": {"revision": "abc", "version": "2.40.0"}}], "version": 2},
        indent=2),
    "r/renv.lock": json.dumps({"R": {"Version": "4.3.1"}, "Packages": {
        "jsonlite": {"Package": "jsonlite", "Version": "1.8-7",
                     "Source": "Repository", "Repository": "CRAN"}}},
        indent=2),
    "haskell/cabal.project.freeze":
        "constraints: any.aeson ==2.1.2.1,\n             any.text ==2.0.2\n",
    "cpp/conan.lock": json.dumps({"version": "0.5",
                                  "requires": ["zlib/1.2.13#abc%1"]}),
    "js/bun.lock": """{
  "lockfileVersion": 1,
  "packages": {
    "lodash": ["lodash@4.17.20", "", {}, "sha512-x"],
    "forked": ["forked@github:o/forked#abc123", {}, "o-forked-abc123"],
  }
}
""",
    "py/pdm.lock": '[[package]]\nname = "django"\nversion = "3.2.0"\n',
    "dotnet/App.csproj": """<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="12.0.3" />
  </ItemGroup>
</Project>
""",
    "java/gradle/verification-metadata.xml": """<verification-metadata>
  <components>
    <component group="org.yaml" name="snakeyaml" version="1.33"/>
  </components>
</verification-metadata>
""",
}

# Written for this test: one advisory per ecosystem, each affecting the
# version above by that ecosystem's order (CRAN: 1.8-7 < 1.8-8 as numbers;
# Hackage: 2.1.2.1 < 2.2).
RECORDS = [
    record("DSO-TEST-PUB-1", "Pub", "async",
           [{"introduced": "0"}, {"fixed": "2.12.0"}]),
    record("DSO-TEST-HEX-1", "Hex", "plug",
           [{"introduced": "1.14.0"}, {"fixed": "1.14.1"}]),
    record("DSO-TEST-SWIFT-1", "SwiftURL", "github.com/apple/swift-nio",
           [{"introduced": "0"}, {"fixed": "2.41.0"}]),
    record("DSO-TEST-CRAN-1", "CRAN", "jsonlite",
           [{"introduced": "0"}, {"fixed": "1.8-8"}]),
    record("DSO-TEST-HACKAGE-1", "Hackage", "aeson",
           [{"introduced": "0"}, {"fixed": "2.2"}]),
    record("DSO-TEST-HACKAGE-2", "Hackage", "text",
           [{"introduced": "0"}, {"fixed": "2.0.1"}]),  # 2.0.2 is fixed
    record("DSO-TEST-NPM-1", "npm", "lodash",
           [{"introduced": "0"}, {"fixed": "4.17.21"}]),
    record("DSO-TEST-PYPI-1", "PyPI", "django",
           [{"introduced": "3.2"}, {"fixed": "3.2.1"}]),
    record("DSO-TEST-NUGET-1", "NuGet", "Newtonsoft.Json",
           [{"introduced": "0"}, {"fixed": "13.0.1"}]),
    record("DSO-TEST-MAVEN-1", "Maven", "org.yaml:snakeyaml",
           [{"introduced": "0"}, {"fixed": "2.0"}]),
]

EXPECTED = {
    ("DSO-TEST-PUB-1", "dart/pubspec.lock"),
    ("DSO-TEST-HEX-1", "elixir/mix.lock"),
    ("DSO-TEST-SWIFT-1", "swift/Package.resolved"),
    ("DSO-TEST-CRAN-1", "r/renv.lock"),
    ("DSO-TEST-HACKAGE-1", "haskell/cabal.project.freeze"),
    ("DSO-TEST-NPM-1", "js/bun.lock"),
    ("DSO-TEST-PYPI-1", "py/pdm.lock"),
    ("DSO-TEST-NUGET-1", "dotnet/App.csproj"),
    ("DSO-TEST-MAVEN-1", "java/gradle/verification-metadata.xml"),
}


def scan(tmp_path, files, records):
    """Writes `files` and `records`, imports the records and scans the
    files for deps with an SBOM: (the process, {(advisory, file)}, purls)."""
    proj = tmp_path / "proj"
    for rel, text in files.items():
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text(text)
    rec = tmp_path / "records"
    rec.mkdir()
    for r in records:
        (rec / f"{r['id']}.json").write_text(json.dumps(r))
    db, data = tmp_path / "db", ("--data-dir", str(tmp_path / "data"))
    assert dsoctl("db", "import", "--db", str(db), str(rec),
                  extra_global=data).returncode == 0
    out = tmp_path / "out"
    p = dsoctl("scan", "--path", str(proj), "--scanners", "deps", "--db",
               str(db), "--sbom", str(tmp_path / "sbom.json"),
               extra_global=data, json_file=out / "s.json")
    assert p.returncode == 0, p.stderr
    results = json.loads((out / "findings.sarif").read_text())["runs"][0][
        "results"]
    got = {(r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
           for r in results}
    validate_cyclonedx(tmp_path / "sbom.json")
    purls = {c["purl"] for c in json.loads(
        (tmp_path / "sbom.json").read_text())["components"] if "purl" in c}
    return p, got, purls


def test_more_formats_found_matched_and_in_the_sbom(tmp_path):
    p, got, purls = scan(tmp_path, FILES, RECORDS)
    assert "deps: 10 lockfiles, 11 packages, 9 vulnerable" in p.stderr, \
        p.stderr
    assert got == EXPECTED
    for want in ["pkg:pub/async@2.11.0", "pkg:hex/plug@1.14.0",
                 "pkg:swift/github.com/apple/swift-nio@2.40.0",
                 "pkg:cran/jsonlite@1.8-7", "pkg:hackage/aeson@2.1.2.1",
                 "pkg:conan/zlib@1.2.13", "pkg:npm/lodash@4.17.20",
                 "pkg:pypi/django@3.2.0",
                 "pkg:nuget/Newtonsoft.Json@12.0.3",
                 "pkg:maven/org.yaml/snakeyaml@1.33"]:
        assert want in purls, (want, sorted(purls))
    # A git dependency: listed with its source, not matched by version.
    sbom = json.loads((tmp_path / "sbom.json").read_text())
    forked = [c for c in sbom["components"] if c["name"] == "forked"]
    assert len(forked) == 1 and "purl" not in forked[0], forked
    assert {"name": "dso:source", "value": "github:o/forked#abc123"} in \
        forked[0]["properties"]
    assert forked[0]["externalReferences"] == [
        {"type": "vcs", "url": "github:o/forked#abc123"}]


# A multi-module Maven build and a pip install with a constraints file, as
# found in real repositories: the child pom's versions come from its parent
# in the tree, the unpinned requirement's from the constraints file; each
# is matched and lands in the SBOM.
def test_parent_poms_and_constraints_files(tmp_path):
    files = {
        "pom.xml": """<project>
  <groupId>org.example</groupId><artifactId>parent</artifactId>
  <version>1.0.0</version><packaging>pom</packaging>
  <properties><log4j.version>2.14.1</log4j.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId>
      <version>1.33</version></dependency>
  </dependencies></dependencyManagement>
</project>
""",
        "service/pom.xml": """<project>
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId>
    <version>1.0.0</version></parent>
  <artifactId>service</artifactId>
  <dependencies>
    <dependency><groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version></dependency>
    <dependency><groupId>org.yaml</groupId>
      <artifactId>snakeyaml</artifactId></dependency>
  </dependencies>
</project>
""",
        "py/requirements.txt": "-c constraints.txt\nDjango>=3.2\n",
        "py/constraints.txt": "django==3.2.0\nnumpy==1.0.0\n",
    }
    records = [record("DSO-TEST-LOG4J", "Maven",
                      "org.apache.logging.log4j:log4j-core",
                      [{"introduced": "2.13.0"}, {"fixed": "2.15.0"}]),
               record("DSO-TEST-MAVEN-1", "Maven", "org.yaml:snakeyaml",
                      [{"introduced": "0"}, {"fixed": "2.0"}]),
               record("DSO-TEST-PYPI-1", "PyPI", "django",
                      [{"introduced": "3.2"}, {"fixed": "3.2.1"}])]
    p, got, purls = scan(tmp_path, files, records)
    assert "'Django' is pinned to 3.2.0 by py/constraints.txt:1" in p.stderr
    # The parent's managed version is its own finding too (managed
    # dependencies are read as declared ones).
    assert got == {("DSO-TEST-LOG4J", "service/pom.xml"),
                   ("DSO-TEST-MAVEN-1", "service/pom.xml"),
                   ("DSO-TEST-MAVEN-1", "pom.xml"),
                   ("DSO-TEST-PYPI-1", "py/constraints.txt")}, got
    assert "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" in purls
    assert "pkg:pypi/django@3.2.0" in purls
    assert not any("numpy" in u for u in purls)  # constrained, not required
