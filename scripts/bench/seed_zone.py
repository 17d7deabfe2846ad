"""Seeds a moto Route53 with a 10,000-record-set zone, and writes the same
zone as an octoDNS zone file with five planted differences.

  python seed_zone.py ENDPOINT ZONE OUT_DIR

The differences (what a correct tool must report, nothing else):
  changed: host-00042 A value, host-04242 A TTL, txt-00007 TXT value
  missing: declared-only (declared, not live)
  unmanaged: live-only (live, not declared)
"""
import os
import sys

import boto3

endpoint, zone, out = sys.argv[1], sys.argv[2], sys.argv[3]
r53 = boto3.client("route53", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bench", aws_secret_access_key="bench")
zone_id = r53.create_hosted_zone(Name=zone, CallerReference=zone)["HostedZone"]["Id"]

live = []   # (name, type, ttl, [values])
for i in range(9000):
    live.append((f"host-{i:05d}", "A", 300, [f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"]))
for i in range(500):
    live.append((f"txt-{i:05d}", "TXT", 300, [f'"token-{i}"']))
for i in range(499):
    live.append((f"alias-{i:05d}", "CNAME", 300, [f"host-{i:05d}.{zone}."]))
live.append(("live-only", "A", 300, ["192.0.2.200"]))
assert len(live) == 10000

batch = []
def flush():
    if batch:
        r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": list(batch)})
        batch.clear()
for name, t, ttl, values in live:
    batch.append({"Action": "CREATE", "ResourceRecordSet": {
        "Name": f"{name}.{zone}.", "Type": t, "TTL": ttl,
        "ResourceRecords": [{"Value": v} for v in values]}})
    if len(batch) == 1000:
        flush()
flush()

declared = {}
for name, t, ttl, values in live:
    if name == "live-only":
        continue
    vals = [v.strip('"') for v in values] if t == "TXT" else values
    declared[name] = (t, ttl, vals)
declared["host-00042"] = ("A", 300, ["10.0.0.99"])
declared["host-04242"] = ("A", 600, declared["host-04242"][2])
declared["txt-00007"] = ("TXT", 300, ["token-changed"])
declared["declared-only"] = ("A", 300, ["192.0.2.201"])

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, f"{zone}.yaml"), "w") as f:
    f.write("---\n")
    for name in sorted(declared):
        t, ttl, vals = declared[name]
        if t == "CNAME":  # octoDNS: a CNAME has one `value`
            f.write(f"{name}:\n  type: {t}\n  ttl: {ttl}\n  value: '{vals[0]}'\n")
            continue
        f.write(f"{name}:\n  type: {t}\n  ttl: {ttl}\n  values:\n")
        for v in vals:
            f.write(f"    - '{v}'\n")
print(zone_id)
