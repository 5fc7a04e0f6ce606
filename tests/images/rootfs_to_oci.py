#!/usr/bin/env python3
"""Turns a root file system (e.g. from debootstrap) into a one-layer OCI
image layout: a test and benchmark fixture, built on the fly, never kept
in git.

    rootfs_to_oci.py ROOTFS OUT_DIR TAG

The layer is GNU tar's sorted, numeric-owner archive of ROOTFS with modes
and owners kept (setuid bits too), device nodes under dev/ left out, gzip
-6 without a name or time stamp."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rootfs, out, tag = sys.argv[1:]
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs)
    with tempfile.NamedTemporaryFile(dir=out, delete=False) as tmp:
        tar = subprocess.Popen(
            ["tar", "--sort=name", "--numeric-owner", "--exclude=./dev/*",
             "--exclude=./proc/*", "--exclude=./sys/*", "-C", rootfs,
             "-cf", "-", "."], stdout=subprocess.PIPE)
        gz = subprocess.Popen(["gzip", "-6", "-n"], stdin=subprocess.PIPE,
                              stdout=tmp)
        diff = hashlib.sha256()
        for chunk in iter(lambda: tar.stdout.read(1 << 20), b""):
            diff.update(chunk)
            gz.stdin.write(chunk)
        gz.stdin.close()
        if tar.wait() or gz.wait():
            sys.exit("tar or gzip failed")
    blob = hashlib.sha256()
    with open(tmp.name, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            blob.update(chunk)
    layer = blob.hexdigest()
    os.rename(tmp.name, os.path.join(blobs, layer))

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    config = {"architecture": "amd64", "os": "linux",
              "created": "1970-01-01T00:00:00Z",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:"
                                 "/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Cmd": ["bash"]},
              "rootfs": {"type": "layers",
                         "diff_ids": ["sha256:" + diff.hexdigest()]}}
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   **put(json.dumps(config, sort_keys=True).encode())},
        "layers": [{"mediaType":
                    "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": "sha256:" + layer,
                    "size": os.path.getsize(os.path.join(blobs, layer))}]}
    m = put(json.dumps(manifest, sort_keys=True).encode())
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2,
                   "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [{"mediaType":
                                  "application/vnd.oci.image.manifest.v1+json",
                                  **m, "annotations": {
                                      "org.opencontainers.image.ref.name":
                                      tag}}]}, f)


if __name__ == "__main__":
    main()
