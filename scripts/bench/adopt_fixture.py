"""Writes an offline adopt/suggest benchmark: a native zone file of N record
sets (comments, flow entries) and a driftgate snapshot of the same zone with
five differences planted: two sets changed, one deleted, two created.

    python3 adopt_fixture.py DIR N
"""
import json
import os
import sys

out, n = sys.argv[1], int(sys.argv[2])
zone = "bench.example"
os.makedirs(f"{out}/declared/dns", exist_ok=True)
lines = [f"# {zone}, declared in Git", "kind: dns_zone", f"zone: {zone}", "ttl: 300", "records:"]
live = []
for i in range(n):
    name = f"host{i}"
    ip = f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"
    lines.append(f"  - {{name: {name}, type: A, value: {ip}}}   # entry {i}")
    values = [ip]
    ttl = 300
    if i in (10, n // 2):
        values = [ip, "192.0.2.1"]
        ttl = 60
    if i == n - 3:
        continue
    live.append({"kind": "dns_record", "id": f"{zone}/{name}.{zone}/A",
                 "spec": {"zone": zone, "name": f"{name}.{zone}", "type": "A", "ttl": ttl, "values": values}})
for extra in ("byhand1", "byhand2"):
    live.append({"kind": "dns_record", "id": f"{zone}/{extra}.{zone}/A",
                 "spec": {"zone": zone, "name": f"{extra}.{zone}", "type": "A", "ttl": 300, "values": ["192.0.2.9"]}})
with open(f"{out}/declared/dns/{zone}.yaml", "w") as f:
    f.write("\n".join(lines) + "\n")
with open(f"{out}/live.json", "w") as f:
    json.dump({"schema_version": 1, "scopes_read": [f"dns_record:{zone}"], "resources": live, "unchecked": []}, f)
with open(f"{out}/driftgate.toml", "w") as f:
    f.write(f'[[scope]]\nname = "bench"\nmode = "enforce"\ndeclared = "declared"\n[scope.aws]\nregion = "us-east-1"\nroute53_zones = ["{zone}"]\n')
