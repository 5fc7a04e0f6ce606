#!/usr/bin/env bash
# Regenerates the version-order fixtures in
# stages/scan/deps/internal/testdata/versions/ from each ecosystem's own
# implementation, run on the versions of the *-input.txt files beside them:
#   maven.txt            maven-artifact 3.9.9 (Maven Central), via Groovy
#   pypi.txt             packaging (PyPI), in a virtualenv
#   debian.txt           dpkg --compare-versions (this Debian machine)
#   rubygems.txt         Gem::Version (Debian's ruby)
#   packagist-pairs.txt  PHP's version_compare (Debian's php-cli)
# apk-pairs.txt is apk-tools' own test data (no apk runs here); it is not
# regenerated. Each output's first line names the tool and its version.
# Installs groovy, ruby and php-cli with apt when they are missing. Usage:
#   tests/interop/version_vectors.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
D=stages/scan/deps/internal/testdata/versions
WORK=$(mktemp -d /var/tmp/dso-vectors-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

missing=()
for tool in groovy:groovy ruby:ruby php:php-cli; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

curl -sSf -o "$WORK/maven-artifact.jar" \
  https://repo1.maven.org/maven2/org/apache/maven/maven-artifact/3.9.9/maven-artifact-3.9.9.jar
groovy -cp "$WORK/maven-artifact.jar" tests/interop/sort_maven.groovy \
  "$D/maven-input.txt" "maven-artifact 3.9.9" >"$D/maven.txt"

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q packaging
"$WORK/venv/bin/python" tests/interop/sort_pep440.py "$D/pypi-input.txt" \
  >"$D/pypi.txt" 2>/dev/null

tests/interop/sort_dpkg.py "$D/debian-input.txt" >"$D/debian.txt"
ruby tests/interop/sort_rubygems.rb "$D/rubygems-input.txt" >"$D/rubygems.txt"
php tests/interop/sort_packagist.php "$D/packagist-input.txt" \
  >"$D/packagist-pairs.txt"
head -qn 1 "$D"/maven.txt "$D"/pypi.txt "$D"/debian.txt "$D"/rubygems.txt \
  "$D"/packagist-pairs.txt
