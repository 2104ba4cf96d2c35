"""Drive the autoschedule example server with python-caldav (Debian's
python3-caldav 0.11), as a real client would, and print one JSON object per
step on stdout: {"step": name, "ok": true/false, ...}. The Go test
TestPythonCaldav runs this script and checks every step.

Usage: caldav_client.py URL ALICE_PASSWORD BOB_PASSWORD
"""

import json
import sys
import traceback
import uuid
from datetime import datetime, timedelta, timezone

import caldav


def report(step, ok, **data):
    """Print the result of one step as a JSON line."""
    data.update(step=step, ok=ok)
    print(json.dumps(data, default=str), flush=True)


def run_step(step, fn):
    """Run fn, reporting its result (a dict) or the exception it raised."""
    try:
        result = fn() or {}
        report(step, True, **result)
        return result
    except Exception as exc:  # every failure is a step result
        report(step, False, error="%s: %s" % (type(exc).__name__, exc),
               trace=traceback.format_exc())
        return None


def partstat_of(ical_text, address):
    """Return the PARTSTAT of address's ATTENDEE line in ical_text."""
    text = ical_text.replace("\r\n", "\n").replace("\n ", "")
    for line in text.split("\n"):
        if line.startswith("ATTENDEE") and line.lower().endswith(address.lower()):
            for param in line.split(":", 1)[0].split(";"):
                if param.upper().startswith("PARTSTAT="):
                    return param.split("=", 1)[1]
    return None


def main():
    url, alice_pw, bob_pw = sys.argv[1], sys.argv[2], sys.argv[3]
    base = url.rstrip("/")
    alice = caldav.DAVClient(url=base + "/.well-known/caldav", username="alice", password=alice_pw)
    bob = caldav.DAVClient(url=base + "/", username="bob", password=bob_pw)
    uid = "python-caldav-" + str(uuid.uuid4())
    start = datetime(2031, 3, 4, 10, 0, tzinfo=timezone.utc)
    state = {}

    def discovery():
        p = alice.principal()
        state["alice"] = p
        state["bob"] = bob.principal()
        cals = p.calendars()
        state["calendar"] = cals[0]
        return {
            "principal": str(p.url),
            "addresses": p.calendar_user_address_set(),
            "calendars": [str(c.url) for c in cals],
            "inbox": str(p.schedule_inbox().url),
            "outbox": str(p.schedule_outbox().url),
        }

    if run_step("discovery", discovery) is None:
        return

    def invite():
        ical = "\r\n".join([
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//autoschedule//python-caldav test//EN",
            "BEGIN:VEVENT",
            "UID:" + uid,
            "DTSTAMP:20310101T000000Z",
            "DTSTART:" + start.strftime("%Y%m%dT%H%M%SZ"),
            "DTEND:" + (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ"),
            "SUMMARY:Planning",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ])
        obj = state["calendar"].save_with_invites(
            ical, ["mailto:bob@example.org", state["alice"]])
        obj.load()
        state["event"] = obj
        return {"url": str(obj.url), "data": obj.data}

    if run_step("save_with_invites", invite) is None:
        return

    def inbox():
        items = state["bob"].schedule_inbox().get_items()
        found = []
        for item in items:
            if uid in item.data:
                found.append(item)
        state["invites"] = found
        return {
            "count": len(found),
            "invite_requests": [i.is_invite_request() for i in found],
            "data": [i.data for i in found],
        }

    if run_step("schedule_inbox", inbox) is None:
        return

    def accept():
        invites = [i for i in state["invites"] if i.is_invite_request()]
        if not invites:
            raise RuntimeError("no invitation in bob's inbox")
        invites[0].accept_invite()
        return {}

    run_step("accept_invite", accept)

    def bob_copy():
        cal = state["bob"].calendars()[0]
        ev = cal.event_by_uid(uid)
        return {"url": str(ev.url), "partstat": partstat_of(ev.data, "mailto:bob@example.org")}

    run_step("attendee_copy", bob_copy)

    def organizer_copy():
        obj = state["event"]
        obj.load()
        return {"partstat": partstat_of(obj.data, "mailto:bob@example.org"), "data": obj.data}

    run_step("organizer_copy", organizer_copy)

    def principal_freebusy():
        # python-caldav 0.11 parses the answer as a multistatus, which a
        # CALDAV:schedule-response is not: keep the raw answer too.
        client = state["alice"].client
        post, raw = client.post, {}

        def capturing_post(*args, **kwargs):
            resp = post(*args, **kwargs)
            body = resp.raw
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            raw.update(status=resp.status, body=body)
            return resp

        client.post = capturing_post
        try:
            parsed = state["alice"].freebusy_request(
                start - timedelta(days=1), start + timedelta(days=1),
                ["mailto:bob@example.org", "mailto:carol@example.org"])
        finally:
            client.post = post
        return {"status": raw.get("status"), "raw": raw.get("body"), "parsed": str(parsed)}

    run_step("principal_freebusy_request", principal_freebusy)

    def calendar_freebusy():
        fb = state["calendar"].freebusy_request(start - timedelta(days=1), start + timedelta(days=1))
        return {"data": fb.data}

    run_step("calendar_freebusy_request", calendar_freebusy)


if __name__ == "__main__":
    main()
