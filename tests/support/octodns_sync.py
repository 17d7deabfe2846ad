"""octodns-sync, unchanged, with one gap of moto 5.2.5 filled.

moto's ListHealthChecks answer leaves out `IsTruncated`, which Route53
always sends and octodns-route53 reads (it lists health checks after every
create). This registers a botocore hook that adds `IsTruncated: false` to
that one answer when it is missing; every record octoDNS writes goes to moto
exactly as octoDNS sends it.
"""
import sys

import botocore.session

_create_client = botocore.session.Session.create_client


def _fill(parsed, **_):
    if isinstance(parsed, dict):
        parsed.setdefault("IsTruncated", False)


def create_client(self, *args, **kwargs):
    client = _create_client(self, *args, **kwargs)
    client.meta.events.register("after-call.route53.ListHealthChecks", _fill)
    return client


botocore.session.Session.create_client = create_client

from octodns.cmds.sync import main  # noqa: E402

sys.exit(main())
