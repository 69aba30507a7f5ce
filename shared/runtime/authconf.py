"""deploy/nats/auth.conf, rendered: the fixed users and one scoped integration user per organisation.

The committed deploy/nats/auth.conf is `render(("default",))` (a test keeps them equal); a deployment with
several organisers renders its own with `pacesetter secrets nats-config -o <org> -o <org> …`, and the embedded
secure stack renders it from ORGANISATIONS into its server folder.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.subjects import DEFAULT_ORGANISATION, check_organisation

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
    # campaigns: appends only ps.evt.campaigns.> (single append = publish with an ack request; an atomic batch =
    # plain publishes plus a committing request, all on its own event subjects), reads any boundary by
    # direct get (deciders read other contexts' views), answers its commands in queue group "campaigns".
    { user: campaigns, password: $PS_NATS_PASSWORD_CAMPAIGNS,
      permissions: {
        publish: {
          allow: ["ps.evt.campaigns.>", "$JS.API.STREAM.INFO.PACESETTER",
                  "$JS.API.DIRECT.GET.PACESETTER", "$JS.API.DIRECT.GET.PACESETTER.>"]
          deny: ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }
        subscribe: { allow: ["ps.cmd.campaigns.> campaigns", "ps.sys.health.campaigns", "_INBOX.campaigns.>"] }
        allow_responses: true
      } }
    # pledges: appends only ps.evt.pledges.> (single append = publish with an ack request; an atomic batch =
    # plain publishes plus a committing request, all on its own event subjects), reads any boundary by
    # direct get (deciders read other contexts' views), answers its commands in queue group "pledges".
    { user: pledges, password: $PS_NATS_PASSWORD_PLEDGES,
      permissions: {
        publish: {
          allow: ["ps.evt.pledges.>", "$JS.API.STREAM.INFO.PACESETTER",
                  "$JS.API.DIRECT.GET.PACESETTER", "$JS.API.DIRECT.GET.PACESETTER.>"]
          deny: ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }
        subscribe: { allow: ["ps.cmd.pledges.> pledges", "ps.sys.health.pledges", "_INBOX.pledges.>"] }
        allow_responses: true
      } }
    # evaluation: appends only ps.evt.evaluation.> (single append = publish with an ack request; an atomic batch =
    # plain publishes plus a committing request, all on its own event subjects), reads any boundary by
    # direct get (deciders read other contexts' views), answers its commands in queue group "evaluation".
    { user: evaluation, password: $PS_NATS_PASSWORD_EVALUATION,
      permissions: {
        publish: {
          allow: ["ps.evt.evaluation.>", "$JS.API.STREAM.INFO.PACESETTER",
                  "$JS.API.DIRECT.GET.PACESETTER", "$JS.API.DIRECT.GET.PACESETTER.>"]
          deny: ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }
        subscribe: { allow: ["ps.cmd.evaluation.> evaluation", "ps.sys.health.evaluation", "_INBOX.evaluation.>"] }
        allow_responses: true
      } }
    # awards: appends only ps.evt.awards.> (single append = publish with an ack request; an atomic batch =
    # plain publishes plus a committing request, all on its own event subjects), reads any boundary by
    # direct get (deciders read other contexts' views), answers its commands in queue group "awards".
    # Its results policy also reads the whole log (LogReader: ephemeral pull consumers) and sends its
    # decisions as commands to its own context (ps.cmd.awards.>).
    { user: awards, password: $PS_NATS_PASSWORD_AWARDS,
      permissions: {
        publish: {
          allow: ["ps.evt.awards.>", "ps.cmd.awards.>", "$JS.API.STREAM.INFO.PACESETTER",
                  "$JS.API.CONSUMER.CREATE.PACESETTER", "$JS.API.CONSUMER.INFO.PACESETTER.>",
                  "$JS.API.CONSUMER.MSG.NEXT.PACESETTER.>", "$JS.API.CONSUMER.DELETE.PACESETTER.>",
                  "$JS.API.DIRECT.GET.PACESETTER", "$JS.API.DIRECT.GET.PACESETTER.>"]
          deny: ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.CREATE.>"]
        }
        subscribe: { allow: ["ps.cmd.awards.> awards", "ps.sys.health.awards", "_INBOX.awards.>"] }
        allow_responses: true
      } }
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
    return _HEAD + "\n".join(blocks) + "\n" + _TAIL
