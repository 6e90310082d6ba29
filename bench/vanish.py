#!/usr/bin/env python3
"""What a crowd that vanishes at once costs a nick-broadcast server: N clients join, then all reset
their connections together (no close handshake, as a dropped network would), and the server's CPU
time over the next four seconds is printed. Each leave is announced to everyone still there, so the
server writes to many sockets that are already gone. Run it several times against one host: the
first rounds include compiling the code involved.
   bench/vanish.py PORT SERVER_PID [N=1000] [ROUNDS=7]   (prints one line per round: <round> <ms>)"""
import os, socket, struct, sys, time

port, pid = int(sys.argv[1]), int(sys.argv[2])
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 7


def server_cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def join_all(round_no):
    clients = []
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall((f"GET /websocket/r{round_no}u{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        clients.append(s)
    for s in clients:
        s.settimeout(30)
        seen = b""
        while b'"users"' not in seen:
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("a client was refused")
            seen += chunk
        s.setblocking(False)
    return clients


def drain(clients):
    for s in clients:
        try:
            while s.recv(1 << 20):
                pass
        except BlockingIOError:
            pass


for round_no in range(1, rounds + 1):
    clients = join_all(round_no)
    time.sleep(1.5)  # the joins' announcements settle
    drain(clients)
    before = server_cpu_seconds()
    for s in clients:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    time.sleep(4)
    print(f"{round_no} {1000 * (server_cpu_seconds() - before):.0f}", flush=True)
