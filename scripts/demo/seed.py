"""Builds the demo's live state in a moto server, in two steps.

  python seed.py ENDPOINT declared   # the state Git declares (then `driftgate import`)
  python seed.py ENDPOINT clickops   # hand changes made in the console afterwards

Used by scripts/demo-snapshot.sh to regenerate fixtures/demo. Only this script
writes; driftgate itself only reads.
"""
import sys

import boto3

endpoint, phase = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="demo", aws_secret_access_key="demo")
ecs = boto3.client("ecs", **kw)
ec2 = boto3.client("ec2", **kw)
r53 = boto3.client("route53", **kw)
ZONE = "example.com"


def zone_id():
    return r53.list_hosted_zones_by_name(DNSName=ZONE)["HostedZones"][0]["Id"]


def rrsets(action, sets):
    r53.change_resource_record_sets(HostedZoneId=zone_id(), ChangeBatch={"Changes": [
        {"Action": action, "ResourceRecordSet": s} for s in sets]})


def rr(name, rtype, ttl, *values, **extra):
    return dict(Name=name, Type=rtype, TTL=ttl, ResourceRecords=[{"Value": v} for v in values], **extra)


def web_group():
    return ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["web"]}])["SecurityGroups"][0]["GroupId"]


def tcp(port, cidr, description):
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "IpRanges": [{"CidrIp": cidr, "Description": description}]}


def api_td(image, log_level, password):
    return dict(
        family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
        cpu="512", memory="1024",
        containerDefinitions=[{
            "name": "api", "image": image, "essential": True,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            "environment": [
                {"name": "LOG_LEVEL", "value": log_level},
                {"name": "DB_HOST", "value": "db.internal"},
                {"name": "DB_PASSWORD", "value": password},
            ],
            "secrets": [{"name": "API_TOKEN",
                         "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/prod/api-token"}],
            "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]},
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/api", "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "api"}},
        }])


if phase == "declared":
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c)["Subnet"]["SubnetId"]
               for c in ("10.0.1.0/24", "10.0.2.0/24")]
    sg = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
    net = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg]}}
    for c in ("prod", "sandbox"):
        ecs.create_cluster(clusterName=c)
    ecs.register_task_definition(**api_td("public.ecr.aws/nginx/nginx:1.25", "info", "correct-horse"))
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition="api", desiredCount=3,
                       launchType="FARGATE", networkConfiguration=net,
                       tags=[{"key": "team", "value": "platform"}])
    ecs.register_task_definition(
        family="worker", cpu="256", memory="512",
        containerDefinitions=[{"name": "worker", "image": "public.ecr.aws/docker/library/python:3.12",
                               "command": ["python", "-m", "worker"], "memory": 512}])
    ecs.create_service(cluster="prod", serviceName="worker", taskDefinition="worker", desiredCount=2)
    ecs.register_task_definition(
        family="legacy-cron", containerDefinitions=[{"name": "cron", "image": "busybox:1.36", "memory": 64}])
    ecs.create_service(cluster="prod", serviceName="legacy-cron", taskDefinition="legacy-cron", desiredCount=1)
    ecs.register_task_definition(
        family="scratch", containerDefinitions=[{"name": "scratch", "image": "busybox:1.36", "memory": 64}])
    ecs.create_service(cluster="sandbox", serviceName="scratch", taskDefinition="scratch", desiredCount=1)
    # DNS: an apex with several types, a web name, weighted API sets.
    r53.create_hosted_zone(Name=ZONE, CallerReference="demo")
    rrsets("CREATE", [
        rr(ZONE, "A", 300, "192.0.2.10"),
        rr(ZONE, "MX", 300, "10 mail.example.com."),
        rr(ZONE, "TXT", 300, '"v=spf1 include:_spf.example.net -all"', '"google-site-verification=demo"'),
        rr("www.example.com", "A", 300, "192.0.2.10", "192.0.2.11"),
        rr("api.example.com", "A", 60, "192.0.2.20", SetIdentifier="blue", Weight=90),
        rr("api.example.com", "A", 60, "192.0.2.21", SetIdentifier="green", Weight=10),
    ])
    # Firewall: the web group open on 443, SSH from the bastion network.
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        tcp(443, "0.0.0.0/0", "https"), tcp(22, "10.0.0.0/8", "bastion")])
    print(vpc)
elif phase == "clickops":
    # A hotfix deployed by hand: new image, louder logs, a rotated password.
    new = ecs.register_task_definition(**api_td("public.ecr.aws/nginx/nginx:1.26", "debug", "battery-staple"))
    ecs.update_service(cluster="prod", service="api", desiredCount=5,
                       taskDefinition=new["taskDefinition"]["taskDefinitionArn"])
    # Autoscaling moved the worker (ignored by a rule in driftgate.toml).
    ecs.update_service(cluster="prod", service="worker", desiredCount=4)
    # Someone deleted a service in the console, and started a debug shell.
    ecs.delete_service(cluster="prod", service="legacy-cron", force=True)
    ecs.register_task_definition(
        family="debug-shell", containerDefinitions=[{"name": "shell", "image": "busybox:1.36", "memory": 64}])
    ecs.create_service(cluster="prod", serviceName="debug-shell", taskDefinition="debug-shell", desiredCount=1)
    # Sandbox is advisory: drift there is reported, never fails the gate.
    ecs.update_service(cluster="sandbox", service="scratch", desiredCount=3)
    # DNS edited in the console: www moved, the SPF record widened, the
    # green API set given half the traffic.
    rrsets("UPSERT", [
        rr("www.example.com", "A", 300, "198.51.100.7"),
        rr(ZONE, "TXT", 300, '"v=spf1 include:_spf.example.net include:mailer.example.org -all"',
           '"google-site-verification=demo"'),
        rr("api.example.com", "A", 60, "192.0.2.21", SetIdentifier="green", Weight=50),
    ])
    # SSH opened to the world by hand "for a minute", and the HTTPS rule's
    # description edited.
    web = web_group()
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[tcp(22, "0.0.0.0/0", "temp debug")])
    ec2.update_security_group_rule_descriptions_ingress(GroupId=web, IpPermissions=[
        tcp(443, "0.0.0.0/0", "public https")])
else:
    sys.exit(f"unknown phase {phase}")
