#!/usr/bin/env python3
"""Start-to-first-response time and idle RSS of the native edge, measured over several cold starts.

Run scripts/demo.sh once first (it leaves the edge's persisted, signed snapshot in .demo/data), then:
    scripts/measure-startup.py [runs]
Each run starts artifacts/edge/edgefence-edge on a fresh DataDir holding only that snapshot, sends
GET /demo/public/x to the public port in a tight loop until an HTTP answer comes back (the first
answer is 502 unless the demo origin is up, which is still a response), waits 2 s, reads VmRSS
from /proc, and stops the edge with SIGTERM.
"""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "artifacts/edge/edgefence-edge")
demo = os.path.join(root, ".demo")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
persisted = os.path.join(demo, "data", "snapshot.bin")
for needed in (binary, persisted):
    if not os.path.exists(needed):
        sys.exit(f"measure-startup: {needed} is missing: run scripts/demo.sh --smoke first")

samples = []
for run in range(runs):
    data = tempfile.mkdtemp(prefix="edgefence-measure-")
    shutil.copy(persisted, os.path.join(data, "snapshot.bin"))
    started = time.perf_counter()
    edge = subprocess.Popen([binary, "--EdgeFence:Urls=http://127.0.0.1:18080", "--EdgeFence:AdminUrls=http://127.0.0.1:18081",
                             f"--EdgeFence:DataDir={data}", f"--EdgeFence:SnapshotPublicKey={demo}/keys/snapshot-signing.pub.pem"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answer = b""
    while not answer.startswith(b"HTTP/1.1"):
        if time.perf_counter() - started > 30:
            edge.kill()
            sys.exit("measure-startup: no answer within 30 s")
        try:
            with socket.create_connection(("127.0.0.1", 18080), timeout=1) as s:
                s.sendall(b"GET /demo/public/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = s.recv(64)
        except OSError:
            time.sleep(0.001)
    elapsed_ms = (time.perf_counter() - started) * 1000
    time.sleep(2)
    with open(f"/proc/{edge.pid}/status") as status:
        rss_mib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
    edge.terminate()
    edge.wait()
    shutil.rmtree(data, ignore_errors=True)
    samples.append((elapsed_ms, rss_mib))
    print(f"run {run + 1}: start-to-first-response {elapsed_ms:.1f} ms ({answer[9:12].decode()}), idle RSS {rss_mib:.1f} MiB")

print(f"median: start-to-first-response {statistics.median(s[0] for s in samples):.1f} ms, "
      f"idle RSS {statistics.median(s[1] for s in samples):.1f} MiB, binary {os.path.getsize(binary)} bytes")
