"""Seeds moto for the API-call benchmark and writes a two-scope driftgate.toml.

    python seed_estate.py ENDPOINT OUT_DIR CLUSTERS SERVICES_PER_CLUSTER FAMILIES RECORDS VPCS GROUPS_PER_VPC

ECS: CLUSTERS clusters of SERVICES_PER_CLUSTER services each; the services
run FAMILIES task definitions between them (service i runs family i mod
FAMILIES), so clusters and scopes share definitions. Route53: one zone of
RECORDS A record sets (plus its NS and SOA). EC2: VPCS VPCs with
GROUPS_PER_VPC security groups each (plus each VPC's default group).

Scope `a` reads the first half of the clusters (rounded up), the zone and
the first VPC; scope `b` the other clusters and VPCs, in the same account
and region. Prints the floor of each API as JSON: the fewest calls that
read all of it at the largest page sizes AWS documents."""
import json
import math
import os
import sys

import boto3

endpoint, out = sys.argv[1], sys.argv[2]
clusters, per, families, records, vpcs, groups = map(int, sys.argv[3:9])
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="bench", aws_secret_access_key="bench")
ecs = boto3.client("ecs", **kw)
r53 = boto3.client("route53", **kw)
ec2 = boto3.client("ec2", **kw)

arns = []
for f in range(families):
    td = ecs.register_task_definition(
        family=f"td-{f:03d}",
        containerDefinitions=[{"name": "app", "image": f"nginx:1.{f}", "memory": 128}],
    )
    arns.append(td["taskDefinition"]["taskDefinitionArn"])
names = [f"c{c}" for c in range(clusters)]
for c, name in enumerate(names):
    ecs.create_cluster(clusterName=name)
    for s in range(per):
        ecs.create_service(cluster=name, serviceName=f"svc-{s:04d}",
                           taskDefinition=arns[(c * per + s) % families], desiredCount=0)

zone = "calls.example"
zone_id = r53.create_hosted_zone(Name=zone, CallerReference=zone)["HostedZone"]["Id"]
batch = []
for i in range(records):
    batch.append({"Action": "CREATE", "ResourceRecordSet": {
        "Name": f"h{i:05d}.{zone}.", "Type": "A", "TTL": 300,
        "ResourceRecords": [{"Value": f"10.1.{i // 256 % 256}.{i % 256}"}]}})
    if len(batch) == 1000:
        r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": batch})
        batch = []
if batch:
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": batch})
live_sets = sum(len(p["ResourceRecordSets"]) for p in
                r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id))

vpc_ids = []
for v in range(vpcs):
    vpc = ec2.create_vpc(CidrBlock=f"10.{100 + v}.0.0/16")["Vpc"]["VpcId"]
    vpc_ids.append(vpc)
    for g in range(groups):
        ec2.create_security_group(GroupName=f"g{g:04d}", Description="bench", VpcId=vpc)

half = math.ceil(clusters / 2)
q = lambda xs: json.dumps(xs)
os.makedirs(os.path.join(out, "a"), exist_ok=True)
os.makedirs(os.path.join(out, "b"), exist_ok=True)
with open(os.path.join(out, "driftgate.toml"), "w") as f:
    f.write(f"""[[scope]]
name = "a"
mode = "enforce"
declared = "a"
[scope.aws]
region = "us-east-1"
ecs_clusters = {q(names[:half])}
route53_zones = ["{zone}"]
security_group_vpcs = {q(vpc_ids[:1])}

[[scope]]
name = "b"
mode = "enforce"
declared = "b"
[scope.aws]
region = "us-east-1"
ecs_clusters = {q(names[half:])}
security_group_vpcs = {q(vpc_ids[1:])}
""")

floor = {
    "ecs:ListServices": clusters * max(1, math.ceil(per / 100)),
    "ecs:DescribeServices": clusters * math.ceil(per / 10),
    "ecs:DescribeTaskDefinition": min(families, clusters * per),
    "route53:ListHostedZonesByName": 1,
    "route53:ListResourceRecordSets": math.ceil(live_sets / 300),
    "ec2:DescribeSecurityGroups": vpcs * math.ceil((groups + 1) / 1000),
}
print(json.dumps({"floor": floor, "resources": {
    "ecs_service": clusters * per, "dns_record": live_sets, "security_group": vpcs * (groups + 1)}}))
