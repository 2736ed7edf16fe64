#!/usr/bin/env python3
"""Applying a large snapshot in the native edge: time to ready, push time, resident memory.

    scripts/measure-snapshot.py [--tokens N] [--requests R] [--settle S]   (default 1,000,000 tokens)

Needs artifacts/edge/edgefence-edge (scripts/publish-aot.sh) and the snapshot tool
(dotnet build src/EdgeFence.SnapshotTool -c Release). In a fresh temporary directory it:
  1. writes a config of one site and N tokens (random, never printed) and builds two signed
     snapshots with the snapshot tool: version 1, and version 2 with one token revoked;
  2. starts the edge with version 1 as EdgeFence:SnapshotPath and ExpectedEntitlements=N, and times
     start to the first 200 of /readyz (read, verify, decode, validate, compile, persist);
  3. asks POST /v1/authorize about R tokens picked at random (each must be allowed), so the
     counters, the token cache and the decision log hold real entries;
  4. pushes version 2 with PUT /v1/snapshot and times it (the old state lives until the swap), then
     checks the revoked token is refused;
  5. reads VmRSS (--settle seconds after the push, default 3) and VmHWM (the peak) from /proc;
  6. pushes 10 successive deltas (PUT /v1/snapshot/delta, built by the snapshot tool, each chained to the
     state before it by version and hash) of 1,000 tokens each: 999 changed, one new; the first revokes a
     token; times the first, checks the new token of the last is allowed and the revoked one refused,
     and reads VmRSS --settle seconds after the last;
  7. pushes a full snapshot again (version 13) and reads VmRSS --settle seconds after the reclaiming
     collection (SnapshotManager.ReclaimAsync), and stops the edge;
  8. unless --no-control-plane: starts the control plane (dotnet build src/EdgeFence.ControlPlane -c Release)
     on a fresh database with no edges, creates a site, plan, resource and token through its API, stops it,
     adds N tokens to its database directly (as many API calls would have), starts it again, and times
     three changes through the API: a token created while the database says "sites changed" (a full
     snapshot, what every change cost before deltas), then a token created and a token revoked (deltas),
     then GET /v1/snapshot (the full snapshot of the latest version, built on demand).
It prints, each alone on a line:
  snapshot-tokens: N
  start-to-ready-ms: X
  rss-at-ready-mib: X
  push-apply-ms: X
  rss-mib: X
  peak-rss-mib: X
  reclaim-pause-ms: X   the one blocking collection that returned the replaced state's memory
  delta-apply-ms: X     the first 1,000-token delta, as the HTTP client saw it
  delta-apply-max-ms: X the slowest of the 10
  rss-after-10-deltas-mib: X
  rss-after-full-repush-mib: X
  cp-change-full-snapshot-ms: X   a change answered with a full snapshot of N tokens
  cp-change-ms: X                 a token created (a delta), at N tokens
  cp-revoke-ms: X                 a token revoked (a delta), at N tokens
  cp-full-build-ms: X             GET /v1/snapshot after the deltas (built once per version, off the change path)
"""
import argparse, hashlib, http.client, json, os, random, secrets, shutil, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "artifacts/edge/edgefence-edge")
tool = os.path.join(root, "src/EdgeFence.SnapshotTool/bin/Release/net10.0/edgefence-snapshot")
control_plane = os.path.join(root, "src/EdgeFence.ControlPlane/bin/Release/net10.0/edgefence-controlplane.dll")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--tokens", type=int, default=1_000_000)
parser.add_argument("--requests", type=int, default=2000)
parser.add_argument("--settle", type=int, default=3, help="seconds to wait after the push before reading RSS")
parser.add_argument("--no-control-plane", action="store_true", help="skip the control plane's change timings")
args = parser.parse_args()
if args.tokens < 10_002 or args.requests < 1:
    sys.exit("measure-snapshot: --tokens needs at least 10,002 (10 deltas of 1,000) and --requests at least 1")
for needed in (binary, tool) + (() if args.no_control_plane else (control_plane,)):
    if not os.path.exists(needed):
        sys.exit(f"measure-snapshot: {needed} is missing: run scripts/publish-aot.sh, "
                 "dotnet build src/EdgeFence.SnapshotTool -c Release and dotnet build src/EdgeFence.ControlPlane -c Release "
                 "(or pass --no-control-plane) first")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(pid, field):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024


def request(port, method, path, body=None, headers=None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_control_plane(cp_dir, port, admin_key):
    process = subprocess.Popen(["dotnet", control_plane, f"--ControlPlane:Urls=http://127.0.0.1:{port}",
                                f"--ControlPlane:Database={cp_dir}/controlplane.db", f"--ControlPlane:SigningKey={cp_dir}/keys/snapshot-signing.pem",
                                f"--ControlPlane:AdminKey={admin_key}", "--ControlPlane:Edges=", "--Logging:LogLevel:Default=Warning"],
                               stdout=open(f"{cp_dir}/controlplane.log", "a"), stderr=subprocess.STDOUT)
    started = time.perf_counter()
    while True:
        if process.poll() is not None or time.perf_counter() - started > 300:
            sys.stderr.write(open(f"{cp_dir}/controlplane.log").read()[-3000:])
            sys.exit("measure-snapshot: the control plane did not become ready within 300 s")
        try:
            if request(port, "GET", "/readyz", timeout=2)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.05)


def stop(process):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def api(port, admin_key, method, path, body=None):
    started = time.perf_counter()
    status, answer = request(port, method, path, body=None if body is None else json.dumps(body),
                             headers={"Authorization": f"Bearer {admin_key}", "Content-Type": "application/json"}, timeout=600)
    elapsed = (time.perf_counter() - started) * 1000
    if status >= 300:
        sys.exit(f"measure-snapshot: control plane {method} {path}: {status} {answer[:300]!r}")
    return (json.loads(answer) if answer and answer[:1] == b"{" else answer), elapsed


def measure_control_plane(tokens_wanted):
    """Step 8: change timings of the control plane at N tokens (see the docstring)."""
    import sqlite3
    cp_dir = f"{work}/cp"
    os.makedirs(cp_dir)
    port, admin_key = free_port(), "measure-" + secrets.token_hex(24)
    cp = start_control_plane(cp_dir, port, admin_key)
    try:
        site, _ = api(port, admin_key, "POST", "/v1/sites", {"name": "Big", "slug": "big", "originUrl": "http://127.0.0.1:9", "hosts": ["big.localhost"]})
        plan, _ = api(port, admin_key, "POST", f"/v1/sites/{site['id']}/plans", {"name": "Pro", "quota": {"units": 1000000, "period": "month", "mode": "hard"},
                                                                               "rateLimit": {"requests": 1000, "windowSeconds": 60}, "price": 0})
        api(port, admin_key, "POST", f"/v1/sites/{site['id']}/resources", {"pattern": "/api/*"})
        api(port, admin_key, "POST", f"/v1/sites/{site['id']}/tokens", {"planId": plan["id"], "customer": "first"})
    finally:
        stop(cp)

    # The tokens, as many API calls would have written them (the triggers record them; the next change is told that
    # sites changed too, so it is a full snapshot of all of them).
    db = sqlite3.connect(f"{cp_dir}/controlplane.db")
    site_id, plan_id, revision = db.execute("SELECT site_id, plan_id, plan_revision FROM tokens LIMIT 1").fetchone()
    now = int(time.time())
    db.executemany("INSERT INTO tokens (id, site_id, plan_id, plan_revision, customer, expires_at_unix, revoked_at_unix, created_at_unix) VALUES (?, ?, ?, ?, ?, 0, NULL, ?)",
                   ((f"bulk{i}", site_id, plan_id, revision, f"customer-{i % 10000}", now) for i in range(tokens_wanted)))
    db.executemany("INSERT INTO token_hashes (hash, token_id, expires_at_unix, created_at_unix) VALUES (?, ?, 0, ?)",
                   ((hashlib.sha256(secrets.token_bytes(16)).digest(), f"bulk{i}", now) for i in range(tokens_wanted)))
    db.execute("DELETE FROM snapshot_touched_tokens")
    db.execute("INSERT OR IGNORE INTO snapshot_touched_config (id) VALUES (1)")
    db.commit()
    db.close()

    cp = start_control_plane(cp_dir, port, admin_key)
    try:
        _, full_ms = api(port, admin_key, "POST", f"/v1/sites/{site_id}/tokens", {"planId": plan["id"], "customer": "after-bulk"})
        created, change_ms = api(port, admin_key, "POST", f"/v1/sites/{site_id}/tokens", {"planId": plan["id"], "customer": "delta"})
        _, revoke_ms = api(port, admin_key, "DELETE", f"/v1/tokens/{created['id']}")
        _, build_ms = api(port, admin_key, "GET", "/v1/snapshot")
    finally:
        stop(cp)
    return full_ms, change_ms, revoke_ms, build_ms


work = tempfile.mkdtemp(prefix="edgefence-snapshot-")
edge = None
try:
    # :: Config and snapshots.
    tokens = [f"ef_{secrets.token_hex(16)}" for _ in range(args.tokens)]
    origin_key = "bench-origin-" + secrets.token_hex(16)
    config = {
        "version": 1,
        "sites": [{"id": "big", "name": "Big", "slug": "big", "originUrl": "http://127.0.0.1:9", "hosts": ["big.localhost"],
                   "hmacSecret": secrets.token_hex(32), "originKey": origin_key, "staticHeaders": {}, "staticQuery": {},
                   "denyByDefault": False}],
        "plans": [{"id": "pro", "siteId": "big", "name": "Pro", "quota": {"units": 1_000_000, "period": "month", "mode": "hard"},
                   "rateLimit": {"requests": 1000, "windowSeconds": 60}, "priceMicros": 0, "currency": "USD", "resourceIds": []}],
        "resources": [{"id": "api", "siteId": "big", "pattern": "/api/*", "methods": [], "cost": 1, "privatePath": None}],
        "tokens": [{"id": f"t{i}", "siteId": "big", "planId": "pro", "customer": f"customer-{i % 10000}", "token": token,
                    "expiresAtUnix": 0, "revoked": False} for i, token in enumerate(tokens)],
    }
    subprocess.run([tool, "keygen", "--out", f"{work}/keys"], check=True, stdout=subprocess.DEVNULL)
    for version in (1, 2, 13):
        config["version"] = version
        if version == 2:
            config["tokens"][0]["revoked"] = True
        with open(f"{work}/config-{version}.json", "w") as f:
            json.dump(config, f)
        subprocess.run([tool, "build", "--in", f"{work}/config-{version}.json", "--key", f"{work}/keys/snapshot-signing.pem",
                        "--out", f"{work}/snapshot-{version}.msgpack"], check=True, stdout=subprocess.DEVNULL)
        os.remove(f"{work}/config-{version}.json")

    # Deltas 3 … 12 on snapshot 2, each chained to the one before by version and state hash (the SHA-256 of the
    # exact bytes of the document that produced the state, see SnapshotDelta). Delta k changes tokens
    # 1+1000k … 999+1000k (the first of them revoked in delta 3) and adds one new token.
    with open(f"{work}/snapshot-2.msgpack", "rb") as f:
        base_hash = hashlib.sha256(f.read()).hexdigest()
    revoked_by_delta = config["tokens"][1]["token"]
    new_tokens = []
    for k in range(10):
        changed = [dict(t, customer=f"changed-{k}") for t in config["tokens"][1 + 1000 * k:1000 + 1000 * k]]
        if k == 0:
            changed[0]["revoked"] = True
        new_token = f"ef_{secrets.token_hex(16)}"
        new_tokens.append(new_token)
        changed.append({"id": f"new{k}", "siteId": "big", "planId": "pro", "customer": "new", "token": new_token,
                        "expiresAtUnix": 0, "revoked": False})
        delta = {"version": 3 + k, "baseVersion": 2 + k, "baseStateHash": base_hash, "tokens": changed}
        with open(f"{work}/delta-{3 + k}.json", "w") as f:
            json.dump(delta, f)
        subprocess.run([tool, "delta", "--in", f"{work}/delta-{3 + k}.json", "--key", f"{work}/keys/snapshot-signing.pem",
                        "--out", f"{work}/delta-{3 + k}.msgpack"], check=True, stdout=subprocess.DEVNULL)
        os.remove(f"{work}/delta-{3 + k}.json")
        with open(f"{work}/delta-{3 + k}.msgpack", "rb") as f:
            base_hash = hashlib.sha256(f.read()).hexdigest()
    del config
    size_mib = os.path.getsize(f"{work}/snapshot-1.msgpack") / 1048576

    # :: Start with version 1.
    public, admin = free_port(), free_port()
    started = time.perf_counter()
    edge = subprocess.Popen([binary, f"--EdgeFence:Urls=http://127.0.0.1:{public}", f"--EdgeFence:AdminUrls=http://127.0.0.1:{admin}",
                             f"--EdgeFence:DataDir={work}/data", f"--EdgeFence:SnapshotPath={work}/snapshot-1.msgpack",
                             f"--EdgeFence:SnapshotPublicKey={work}/keys/snapshot-signing.pub.pem",
                             f"--EdgeFence:ExpectedEntitlements={args.tokens}"],
                            stdout=open(f"{work}/edge.log", "w"), stderr=subprocess.STDOUT)
    while True:
        if edge.poll() is not None or time.perf_counter() - started > 120:
            sys.stderr.write(open(f"{work}/edge.log").read()[-3000:])
            sys.exit("measure-snapshot: the edge did not become ready within 120 s")
        try:
            if request(admin, "GET", "/readyz", timeout=1)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.005)
    ready_ms = (time.perf_counter() - started) * 1000
    rss_ready = status_of(edge.pid, "VmRSS")

    # :: Decisions for a sample of tokens (token 0 is kept for the revocation check).
    headers = {"Authorization": f"Bearer {origin_key}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", public, timeout=30)
    for _ in range(args.requests):
        body = json.dumps({"token": random.choice(tokens[1:]), "method": "GET", "path": "/api/x", "host": "big.localhost"})
        conn.request("POST", "/v1/authorize", body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != 200 or not json.loads(answer)["allow"]:
            sys.exit(f"measure-snapshot: a valid token was not allowed: {response.status} {answer[:300]!r}")

    # :: Push version 2 while running.
    with open(f"{work}/snapshot-2.msgpack", "rb") as f:
        v2 = f.read()
    with open(f"{work}/snapshot-2.msgpack.sig") as f:
        signature = f.read().strip()
    pushed = time.perf_counter()
    status, answer = request(admin, "PUT", "/v1/snapshot", body=v2,
                             headers={"Content-Type": "application/octet-stream", "X-EdgeFence-Snapshot-Signature": signature})
    push_ms = (time.perf_counter() - pushed) * 1000
    if status != 200:
        sys.exit(f"measure-snapshot: the push was refused: {status} {answer[:300]!r}")
    del v2
    body = json.dumps({"token": tokens[0], "method": "GET", "path": "/api/x", "host": "big.localhost"})
    conn.request("POST", "/v1/authorize", body=body, headers=headers)
    answer = json.loads(conn.getresponse().read())
    if answer["allow"] or answer["reason"] != "token-revoked":
        sys.exit(f"measure-snapshot: the revoked token was not refused after the push: {answer}")

    time.sleep(args.settle)
    rss, peak = status_of(edge.pid, "VmRSS"), status_of(edge.pid, "VmHWM")

    # :: Ten deltas of 1,000 tokens.
    def authorize(token):
        conn.request("POST", "/v1/authorize", body=json.dumps({"token": token, "method": "GET", "path": "/api/x", "host": "big.localhost"}), headers=headers)
        return json.loads(conn.getresponse().read())

    delta_ms = []
    for version in range(3, 13):
        with open(f"{work}/delta-{version}.msgpack", "rb") as f:
            delta = f.read()
        with open(f"{work}/delta-{version}.msgpack.sig") as f:
            signature = f.read().strip()
        pushed = time.perf_counter()
        status, answer = request(admin, "PUT", "/v1/snapshot/delta", body=delta,
                                 headers={"Content-Type": "application/octet-stream", "X-EdgeFence-Snapshot-Signature": signature})
        delta_ms.append((time.perf_counter() - pushed) * 1000)
        if status != 200:
            sys.exit(f"measure-snapshot: delta {version} was refused: {status} {answer[:300]!r}")
    answer = authorize(revoked_by_delta)
    if answer["allow"] or answer["reason"] != "token-revoked":
        sys.exit(f"measure-snapshot: the token revoked by a delta was not refused: {answer}")
    answer = authorize(new_tokens[-1])
    if not answer["allow"]:
        sys.exit(f"measure-snapshot: the token added by the last delta was not allowed: {answer}")
    time.sleep(args.settle)
    rss_deltas = status_of(edge.pid, "VmRSS")

    # :: A full snapshot again, on top of the deltas.
    with open(f"{work}/snapshot-13.msgpack", "rb") as f:
        v13 = f.read()
    with open(f"{work}/snapshot-13.msgpack.sig") as f:
        signature = f.read().strip()
    status, answer = request(admin, "PUT", "/v1/snapshot", body=v13,
                             headers={"Content-Type": "application/octet-stream", "X-EdgeFence-Snapshot-Signature": signature})
    if status != 200:
        sys.exit(f"measure-snapshot: the full re-push was refused: {status} {answer[:300]!r}")
    del v13
    conn.close()
    # The reclaiming collection runs a second after the swap: wait for its log line (the second one), then settle.
    waited = time.perf_counter()
    while open(f"{work}/edge.log").read().count("paused requests for") < 2 and time.perf_counter() - waited < 60:
        time.sleep(0.2)
    time.sleep(args.settle)
    rss_repush = status_of(edge.pid, "VmRSS")
    print(f"snapshot of {args.tokens} tokens: {size_mib:.1f} MiB; {args.requests} authorize calls allowed; revocation by push refused the token")
    print(f"snapshot-tokens: {args.tokens}")
    print(f"start-to-ready-ms: {ready_ms:.0f}")
    print(f"rss-at-ready-mib: {rss_ready:.0f}")
    print(f"push-apply-ms: {push_ms:.0f}")
    print(f"rss-mib: {rss:.0f}")
    print(f"peak-rss-mib: {peak:.0f}")
    # The edge's own account of handing the replaced state back (SnapshotManager.ReclaimAsync): its pause.
    import re
    reclaimed = re.search(r"paused requests for (\d+) ms", open(f"{work}/edge.log").read())
    print(f"reclaim-pause-ms: {reclaimed.group(1) if reclaimed else 'none logged'}")
    print(f"delta-apply-ms: {delta_ms[0]:.1f}")
    print(f"delta-apply-max-ms: {max(delta_ms):.1f}")
    print(f"rss-after-10-deltas-mib: {rss_deltas:.0f}")
    print(f"rss-after-full-repush-mib: {rss_repush:.0f}")
    # The edge's own account of each reclaiming collection (pause, and resident memory right after it).
    for pause, rss_after in re.findall(r"paused requests for (\d+) ms; resident memory (\d+) MiB", open(f"{work}/edge.log").read()):
        print(f"reclaim: pause {pause} ms, resident {rss_after} MiB right after")
    if not args.no_control_plane:
        stop(edge)
        full_ms, change_ms, revoke_ms, build_ms = measure_control_plane(args.tokens)
        print(f"cp-change-full-snapshot-ms: {full_ms:.0f}")
        print(f"cp-change-ms: {change_ms:.0f}")
        print(f"cp-revoke-ms: {revoke_ms:.0f}")
        print(f"cp-full-build-ms: {build_ms:.0f}")
finally:
    if edge is not None and edge.poll() is None:
        edge.terminate()
        try:
            edge.wait(30)
        except subprocess.TimeoutExpired:
            edge.kill()
    shutil.rmtree(work, ignore_errors=True)
