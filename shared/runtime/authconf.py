"""deploy/nats/auth.conf, rendered: the fixed users and one scoped integration user per organisation.

The committed deploy/nats/auth.conf is `render(("default",))` (a test keeps them equal); a deployment with
several organisers renders its own with `pacesetter secrets nats-config -o <org> -o <org> …`, and the embedded
secure stack renders it from ORGANISATIONS into its server folder.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.subjects import DEFAULT_ORGANISATION, check_organisation

SERVICE_USERS = ("campaigns", "pledges", "evaluation", "awards")  # the write services, each its own broker user

_HEAD = """\
# Pacesetter broker users: least privilege per component (nats-server 2.12+).
#
# Passwords are never in this file: each `$PS_NATS_PASSWORD_<USER>` is read from the server's environment
# (`pacesetter secrets init` / shared.runtime.secure writes them to <DATA_DIR>/secrets/nats.env, mode 0600;
# Compose and Kubernetes pass them from secrets). The stream of record is PACESETTER (STREAM_NAME).
#
# Every reply inbox is per user (`_INBOX.<user>.>`, the client's inbox_prefix), so no user reads another's
# replies. `allow_responses` lets a responder answer exactly the requests it received, nothing else.
# Only `operator` may create, update, purge or delete the stream or delete a message: deny_delete and
# deny_purge on the stream do not stop `$JS.API.STREAM.DELETE`, these permissions do.

authorization {
  users = [
"""

_PROJECTIONS = """\
    # projections: reads the whole log with ephemeral pull consumers (create, next, info, delete) and direct
    # gets; appends only the score-adjustment policy's events (ps.evt.scores.>).
    { user: projections, password: $PS_NATS_PASSWORD_PROJECTIONS,
      permissions: {
        publish: {
          allow: ["ps.evt.scores.>", "$JS.API.STREAM.INFO.PACESETTER",
                  "$JS.API.CONSUMER.CREATE.PACESETTER", "$JS.API.CONSUMER.INFO.PACESETTER.>",
                  "$JS.API.CONSUMER.MSG.NEXT.PACESETTER.>", "$JS.API.CONSUMER.DELETE.PACESETTER.>",
                  "$JS.API.DIRECT.GET.PACESETTER", "$JS.API.DIRECT.GET.PACESETTER.>"]
          deny: ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }
        subscribe: { allow: ["ps.sys.health.projections", "_INBOX.projections.>"] }
        allow_responses: true
      } }

"""

_SERVICE = """\
    # {name}: appends only ps.evt.{name}.> (single append = publish with an ack request; an atomic batch =
    # plain publishes plus a committing request, all on its own event subjects), reads any boundary by
    # direct get (deciders read other contexts' views), answers its commands in queue group "{name}".
{extra_comment}    {{ user: {name}, password: $PS_NATS_PASSWORD_{upper},
      permissions: {{
        publish: {{
          allow: ["ps.evt.{name}.>", {extra_allow}"$JS.API.STREAM.INFO.PACESETTER",
{extra_consumers}                  "$JS.API.DIRECT.GET.PACESETTER", "$JS.API.DIRECT.GET.PACESETTER.>"]
          deny: ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }}
        subscribe: {{ allow: ["ps.cmd.{name}.> {name}", "ps.sys.health.{name}", "_INBOX.{name}.>"] }}
        allow_responses: true
      }} }}
"""
# what the awards user adds: its results policy reads the whole log and sends commands to its own context
_AWARDS_EXTRA = {
    "extra_comment": (
        "    # Its results policy also reads the whole log (LogReader: ephemeral pull consumers) and sends its\n"
        "    # decisions as commands to its own context (ps.cmd.awards.>).\n"
    ),
    "extra_allow": '"ps.cmd.awards.>", ',
    "extra_consumers": '                  "$JS.API.CONSUMER.CREATE.PACESETTER", "$JS.API.CONSUMER.INFO.PACESETTER.>",\n'
    '                  "$JS.API.CONSUMER.MSG.NEXT.PACESETTER.>", "$JS.API.CONSUMER.DELETE.PACESETTER.>",\n',
}
_PLAIN = {"extra_comment": "", "extra_allow": "", "extra_consumers": ""}

_INTEGRATION = """\
    # {user} (an HR system of organisation "{org}"): sends commands for its organisation only, reads only its
    # organisation's events (plain subscriptions, direct gets by subject, and the one durable pull consumer named
    # "{org}" whose filter the create subject carries, so the broker checks it); never appends an event, never
    # changes the stream, never sees the stream's totals or another organisation's consumer.
    {{ user: {user}, password: ${variable},
      permissions: {{
        publish: {{
          allow: ["ps.cmd.*.{org}.>",
                  "$JS.API.CONSUMER.CREATE.PACESETTER.{org}.ps.evt.*.{org}.>",
                  "$JS.API.CONSUMER.INFO.PACESETTER.{org}", "$JS.API.CONSUMER.MSG.NEXT.PACESETTER.{org}",
                  "$JS.API.CONSUMER.DELETE.PACESETTER.{org}", "$JS.ACK.PACESETTER.{org}.>",
                  "$JS.API.DIRECT.GET.PACESETTER.ps.evt.*.{org}.>"]
          deny: ["ps.evt.>", "$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }}
        subscribe: {{ allow: ["ps.evt.*.{org}.>", "_INBOX.{user}.>"] }}
      }} }}
"""

_TAIL = """\
    # operator: administration (stream creation and locked-config changes, backups, `nats` CLI, `pacesetter up`).
    { user: operator, password: $PS_NATS_PASSWORD_OPERATOR }
  ]
}
"""


class OrganisationClash(ValueError):
    """Two organisations whose broker user or password variable would be the same."""


def integration_user(organisation: str) -> str:
    """The broker user of an organisation's HR system: `integration` for the default one."""
    org = check_organisation(organisation)
    return "integration" if org == DEFAULT_ORGANISATION else f"integration-{org}"


def password_variable(user: str) -> str:
    """The environment variable auth.conf reads the user's password from."""
    return f"PS_NATS_PASSWORD_{user.upper().replace('-', '_')}"


def render(organisations: Sequence[str] = (DEFAULT_ORGANISATION,)) -> str:
    """The auth.conf for these organisations (each gets its scoped integration user)."""
    users = [integration_user(o) for o in organisations]
    variables = [password_variable(u) for u in users]
    if len(set(variables)) != len(variables):
        raise OrganisationClash(f"organisations {list(organisations)} clash (user names compare without case, - = _)")
    blocks = [
        _INTEGRATION.format(user=u, org=o, variable=v) for u, o, v in zip(users, organisations, variables, strict=True)
    ]
    services = [
        _SERVICE.format(name=n, upper=n.upper(), **(_AWARDS_EXTRA if n == "awards" else _PLAIN)) for n in SERVICE_USERS
    ]
    return _HEAD + "".join(services) + _PROJECTIONS + "\n".join(blocks) + "\n" + _TAIL
