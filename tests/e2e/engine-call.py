#!/usr/bin/env python3
"""One Engine API call over the Unix socket, for the e2e script on hosts without a docker CLI.
Usage: engine-call.py SOCKET METHOD PATH [JSON-BODY]; prints the answer, exit 1 on an error status."""
import http.client
import socket
import sys


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("docker")
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def main():
    sock_path, method, path = sys.argv[1:4]
    body = sys.argv[4].encode() if len(sys.argv) > 4 else None
    conn = UnixConnection(sock_path)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    response = conn.getresponse()
    print(response.read().decode(errors="replace"))
    sys.exit(0 if response.status < 400 else 1)


if __name__ == "__main__":
    main()
