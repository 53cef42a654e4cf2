#!/usr/bin/env python3
"""One Engine API call over the Unix socket, for the e2e script on hosts without a docker CLI.
Usage: engine-call.py SOCKET METHOD PATH [JSON-BODY | --tar FILE]
Prints the answer; exits 1 on an error status or an error inside a streamed answer."""
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
    body, headers = None, {}
    if len(sys.argv) > 5 and sys.argv[4] == "--tar":
        with open(sys.argv[5], "rb") as f:
            body = f.read()
        headers["Content-Type"] = "application/x-tar"
    elif len(sys.argv) > 4:
        body = sys.argv[4].encode()
        headers["Content-Type"] = "application/json"
    conn = UnixConnection(sock_path)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    print(text)
    sys.exit(0 if response.status < 400 and '"errorDetail"' not in text else 1)


if __name__ == "__main__":
    main()
