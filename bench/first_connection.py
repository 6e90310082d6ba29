#!/usr/bin/env python3
"""Starts a command and reports the milliseconds from its start until a WebSocket handshake to it succeeds.
   bench/first_connection.py PORT -- command args...   (prints: <ms> <pid>; the server is left running)"""
import base64, os, socket, subprocess, sys, time

port = int(sys.argv[1])
command = sys.argv[sys.argv.index("--") + 1:]
key = base64.b64encode(os.urandom(16)).decode()
request = (f"GET /websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
start = time.monotonic()
server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = start + 60
while time.monotonic() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(request)
            if s.recv(64).startswith(b"HTTP/1.1 101"):
                print(f"{(time.monotonic() - start) * 1000:.0f} {server.pid}")
                sys.exit(0)
    except OSError:
        time.sleep(0.002)
server.kill()
sys.exit("no handshake within 60 s")
