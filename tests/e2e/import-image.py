#!/usr/bin/env python3
"""Imports a root filesystem tarball as an image through the Engine API (POST /images/create
?fromSrc=-), so the e2e run needs no docker CLI on the GPU host. Usage: import-image.py SOCKET TAR REPO:TAG"""
import http.client
import json
import socket
import sys
import urllib.parse


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("docker")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def main():
    sock_path, tar_path, reference = sys.argv[1:4]
    repo, tag = reference.rsplit(":", 1)
    query = urllib.parse.urlencode({"fromSrc": "-", "repo": repo, "tag": tag})
    conn = UnixConnection(sock_path)
    with open(tar_path, "rb") as f:
        body = f.read()
    conn.request("POST", "/images/create?" + query, body=body, headers={"Content-Type": "application/x-tar"})
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    if response.status != 200 or '"error"' in text:
        sys.exit(f"import failed: HTTP {response.status}: {text[-500:]}")
    print(json.dumps({"imported": reference}))


if __name__ == "__main__":
    main()
