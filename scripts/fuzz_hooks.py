"""Schemathesis hooks for scripts/fuzz-api.

1. How to send an NDJSON body (the import's), which schemathesis has no
   serializer for: a generated string as it is, anything else as one JSON
   line.

2. Which "schema-valid request rejected" (ST202) answers are the server
   applying a rule that a JSON Schema cannot state. Each rule is listed below
   with the field and the wording of the 400 that applies it; a rejection
   matches only if it is a 400 problem naming that field with that wording.
   Any other rejection, every 5xx and every answer that breaks the spec
   stays a failure. The requests are sent as generated, so nothing is
   fuzzed less.

3. A mend of schemathesis 4.32.5 itself (the latest): it reads every
   string of a 2xx JSON answer that starts with http:// as a link, with
   Python's urlsplit, which raises on an unbalanced "[" ("Invalid IPv6
   URL"). A generated title or url such as "http://[" that the server
   stored and echoes then ended the run with an internal error (CI, on
   PostgreSQL). Such a string is no link to follow: it is skipped.
"""
import atexit
import collections
import json
import re
import sys

import schemathesis
import schemathesis.engine.observations as observations

_same_origin_path = observations._same_origin_path


def _link_or_none(value, origin):
    try:
        return _same_origin_path(value, origin)
    except ValueError:
        return None


observations._same_origin_path = _link_or_none

# (field, detail): a regular expression over the problem's `field`, and one
# over its `detail`.
RULES_NO_SCHEMA_CAN_STATE = [
    # A cursor is opaque: only one the server handed out is valid.
    (r"cursor", r""),
    # A country is one of the ISO 3166-1 codes the server knows, or, in a
    # filter, a name or alias of one (a list too long for an enum).
    (r"(.*\.)?(country|code)|.*members\[\d+\]", r"is not an ISO 3166-1 alpha-2 country code$"),
    (r"country|code", r"is not a country code|names several countries"),
    # Shared events are those of at least one country given.
    (r"country", r"^is required: the countries whose shared events are counted$"),
    # A body's key must equal the key in the path.
    (r"key", r"differs from the key in the path"),
    # What a participant carries depends on its kind.
    (r"(.*\.)?members", r"^only an organization has members$"),
    (r"(.*\.)?code", r"^only a country has a code"),
    (r"(.*\.)?code", r"^a country participant needs its ISO 3166-1 alpha-2 code$"),
    (r"(.*\.)?name", r"needs a name$"),
    (r"(.*\.)?kind", r"^is required unless the participant is named by id$"),
    # A place has both coordinates or neither.
    (r"location", r"^give both lat and lon, or neither$"),
    # A participant or source named by id must exist.
    (r"(participants|sources)\[\d+\]\.id", r"^no (participant|source) with id -?\d+$"),
    # A url's host must be a name or address a URL parser accepts (an
    # international name must be valid IDNA), which a pattern cannot state.
    (r"(.*\.)?url", r"does not parse as a URL with a host$"),
    # A source with no url is known by its title.
    (r"(.*\.)?title", r"^a source without a url is known by its title"),
    # The first API's `published_at` and `published` must agree.
    (r"(.*\.)?published_at", r"differs from published"),
    # An event's date: EDTF in `date`, or `earliest` with `latest`, or the
    # first API's `start` and `end`, agreeing where several are given. The
    # spec describes the grammar in words; the parsers have property tests
    # of their own (any input is a date or a clean error).
    # The same goes for the timeline's `from` and `to`, and a source's date.
    (r"date|earliest|latest|lasted|precision|qualifier|start|end|date_precision|from|to", r""),
    (r"(.*\.)?published", r"is not a date"),
    # A line of an import is an event of the interchange format: the body
    # is declared as NDJSON text, whose lines a schema does not reach.
    (r"line \d+(: .*)?", r""),
    # A search needs a word to look for besides any it excludes, and at
    # most 32 terms; `order=relevance` and `snippet` rank and show a
    # search's matches, so they need `q`; a snippet is shown in JSON only.
    (r"q", r"^(has no word to look for|only excludes words|has more than 32 words)"),
    (r"order", r"^relevance ranks the matches of `q`"),
    (r"snippet", r"^(shows where the words of `q` were found|is shown in the API's JSON only)"),
    # PostgreSQL's text cannot hold NUL, so no string may carry one; a
    # pattern on every string of the spec would say it at too great a cost.
    (r".*", r"^contains a NUL character \(U\+0000\)$"),
]


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return (json.dumps(value) + "\n").encode()


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    if failure.code == "ST202" and response.status_code == 400:
        return not applies_a_rule_no_schema_can_state(response)
    if failure.code == "ST201" and case.operation.path == "/api/v1/import":
        # The import body is declared a string of NDJSON: on the wire every
        # body is one, so "a body that is not a string" has no wire form. The
        # serializer above sends such a value as a JSON line, which the import
        # judges like any other line.
        return isinstance(case.body, (str, bytes))
    return True


def applies_a_rule_no_schema_can_state(response):
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    field, detail = problem.get("field") or "", problem.get("detail") or ""
    for field_rule, detail_rule in RULES_NO_SCHEMA_CAN_STATE:
        if re.fullmatch(field_rule, field) and re.search(detail_rule, detail):
            RULE_HITS[field_rule, detail_rule] += 1
            return True
    return False


# How often each rule let a rejection pass, printed at the end, so a rule
# that passes most of the writes shows up.
RULE_HITS = collections.Counter()


@atexit.register
def report_rule_hits():
    for (field_rule, detail_rule), hits in RULE_HITS.most_common():
        print(f"filter_failure: {hits:6} x field {field_rule!r}, detail {detail_rule!r}", file=sys.stderr)
