#!/usr/bin/python3
# The do-not-call list: GET /dnc (q prefix and substring, limit, cursor),
# POST /dnc (201, 409 duplicate in any spelling, 422 naming the field),
# DELETE /dnc/{number} ("+" as "+", "%2B" or left out; 404), the role
# matrix, audit entries for each change and none for refusals, and the
# prefix search served by the key range.
import os, sqlite3, sys, urllib.parse
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cbdtest import Server, Tap

V1 = "/api/v1"
t = Tap()
with Server(t) as s:
    alice, sup, admin = s.login("alice"), s.login("sup"), s.login("admin")
    svc = s.service_token

    def numbers(query="", tok=sup):
        r = s.get(V1 + "/dnc" + ("?" + query if query else ""), tok)
        return [d["number"] for d in r.json["dnc"]] if r.status == 200 else r

    def audit():
        r = s.get(V1 + "/audit?action=dnc", sup)
        return [(a["action"], a["target"], a["user"]["login"]) for a in r.json["audit"]]

    # -- role matrix: 401 / 403 before anything is looked at --------------------
    for method, path, body in (("GET", "/dnc", None), ("POST", "/dnc", {"number": "+12125550150"}),
                               ("DELETE", "/dnc/+12125550150", None)):
        for name, tok, want in (("no token", None, 401), ("agent", alice, 403),
                                ("service", svc, 403)):
            r = s.request(method, V1 + path, tok, body=body)
            t.is_(r.status, want, "%s %s as %s: %d" % (method, path, name, want))
    t.is_(numbers(), [], "refused requests stored nothing")
    t.is_(s.get(V1 + "/dnc", admin).status, 200, "GET /dnc as admin: 200")

    # -- add -----------------------------------------------------------------
    r = s.post(V1 + "/dnc", sup, {"number": "+1 (212) 555-0100", "note": "asked twice"})
    t.is_(r.status, 201, "POST /dnc: 201")
    t.is_((r.json["number"], r.json["note"], r.json["added_by"]),
          ("+12125550100", "asked twice", "sup"), "stored normalized, with note and who")
    t.ok(isinstance(r.json["added_at"], str) and r.json["added_at"].endswith("Z"), "added_at is RFC 3339")
    r = s.post(V1 + "/dnc", admin, {"number": "+12125550100"})
    t.is_((r.status, r.error()), (409, ("duplicate", "number")), "the same number again: 409 duplicate")
    r = s.post(V1 + "/dnc", sup, {"number": "+1 212.555.0100", "note": "x"})
    t.is_((r.status, r.error()[0]), (409, "duplicate"), "another spelling of it: 409 too")
    for number in ("+12125550101", "+12125550199", "+13125550100", "+442079460100", "+61255500101"):
        t.is_(s.post(V1 + "/dnc", admin, {"number": number}).status, 201, "add %s" % number)
    r = s.get(V1 + "/dnc", sup)
    t.is_(numbers(), ["+12125550100", "+12125550101", "+12125550199", "+13125550100",
                      "+442079460100", "+61255500101"], "GET /dnc: every number, in order")
    t.is_(r.json["dnc"][0], {"number": "+12125550100", "note": "asked twice",
                             "added_at": r.json["dnc"][0]["added_at"], "added_by": "sup"}, "entry shape")
    t.is_(r.json["dnc"][1]["added_by"], "admin", "added_by names who added it")
    t.ok("next" not in r.json, "one page: no next")

    # -- bad bodies: 422 naming the field, nothing stored ------------------------
    before = numbers()
    for body, field, what in (({}, "number", "missing number"),
                              ({"number": 12125550102}, "number", "number not a string"),
                              ({"number": "555 0102"}, "number", "number without country code"),
                              ({"number": "+1 212 55"}, "number", "number too short"),
                              ({"number": "+1 212 555 0102 99999"}, "number", "number too long"),
                              ({"number": "+1 212 ABC 0102"}, "number", "number with letters"),
                              ({"number": "+12125550102", "note": 5}, "note", "note not a string"),
                              ({"number": "+12125550102", "note": "x" * 201}, "note", "note over 200 characters"),
                              ({"number": "+12125550102", "note": "a\nb"}, "note", "note of two lines"),
                              ({"number": "+12125550102", "colour": "red"}, "colour", "unknown field")):
        r = s.post(V1 + "/dnc", sup, body)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "%s: 422 naming %s" % (what, field))
    r = s.post(V1 + "/dnc", sup, raw=b'{"number": ')
    t.is_((r.status, r.error()[0]), (400, "bad_request"), "malformed JSON: 400")
    t.is_(numbers(), before, "nothing stored by refused adds")
    r = s.post(V1 + "/dnc", sup, {"number": "+12125550102", "note": "é" * 200})
    t.is_((r.status, r.json["note"]), (201, "é" * 200), "a note of 200 characters (400 bytes) is fine")

    # -- search ------------------------------------------------------------
    t.is_(numbers("q=%2B1212"), ["+12125550100", "+12125550101", "+12125550102", "+12125550199"],
          "q=%2B1212: the prefix")
    t.is_(numbers("q=+1212"), numbers("q=%2B1212"), "q=+1212 (a '+' decoded as a space) is the prefix too")
    t.is_(numbers("q=" + urllib.parse.quote("+1 (212) 555-01")), numbers("q=%2B1212"),
          "separators in q are ignored")
    t.is_(numbers("q=%2B12125550101"), ["+12125550101"], "q of a whole number: just it")
    t.is_(numbers("q=%2B13"), ["+13125550100"], "q=%2B13")
    t.is_(numbers("q=%2B9"), [], "q=%2B9: none")
    t.is_(numbers("q=5550"), ["+12125550100", "+12125550101", "+12125550102", "+12125550199",
                              "+13125550100", "+61255500101"], "q=5550: digits anywhere in the number")
    t.is_(numbers("q=0199"), ["+12125550199"], "q=0199: a substring at the end")
    t.is_(numbers("q=44"), ["+442079460100"], "q=44: a substring at the start")
    t.is_(numbers("q=%2B1&limit=2"), ["+12125550100", "+12125550101"], "prefix and limit together")
    for query, field in (("q=12a", "q"), ("q=%2B1%2B2", "q"), ("q=" + "1" * 16, "q"),
                         ("limit=0", "limit"), ("limit=501", "limit"), ("limit=x", "limit"),
                         ("limit=-1", "limit"), ("after=%2B1", "after"), ("after=abc", "after"),
                         ("colour=red", "colour"), ("limit=1&limit=2", "limit")):
        r = s.get(V1 + "/dnc?" + query, sup)
        t.is_((r.status, r.error()), (422, ("invalid_field", field)), "GET /dnc?%s: 422 naming %s" % (query, field))

    # paging by cursor: limit 2 over 7 numbers gives each once
    seen, after, pages = [], None, 0
    while pages < 10:
        r = s.get(V1 + "/dnc?limit=2" + ("&after=" + after if after else ""), sup)
        pages += 1
        seen += [d["number"] for d in r.json["dnc"]]
        after = r.json.get("next")
        if not after:
            break
        t.ok(urllib.parse.quote(after, safe="") == after, "cursor %r is URL-safe" % after)
    t.is_((seen, pages), (numbers(), 4), "limit=2: every number once, in four pages")
    r = s.get(V1 + "/dnc?q=%2B1212&limit=2", sup)
    r2 = s.get(V1 + "/dnc?q=%2B1212&limit=2&after=" + r.json["next"], sup)
    t.is_([d["number"] for d in r2.json["dnc"]], ["+12125550102", "+12125550199"],
          "the cursor keeps the prefix filter")
    t.ok("next" not in r2.json, "last page of the prefix: no next")

    # the prefix search reads a range of the key, not the whole list
    db = sqlite3.connect(s.db, timeout=10)
    plan = " ".join(row[-1] for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT d.number, d.note, d.added_at, d.added_by, u.login FROM dnc d "
        "LEFT JOIN users u ON u.id = d.added_by WHERE d.number >= ?1 AND d.number < ?2 "
        "AND (?3 IS NULL OR instr(d.number, ?3) > 0) ORDER BY d.number LIMIT ?4",
        ("+1212", "+1212:", None, 101)))
    t.ok("SEARCH d USING INDEX sqlite_autoindex_dnc_1 (number>? AND number<?)" in plan
         and "TEMP B-TREE" not in plan, "prefix search is a key range, in key order", plan)

    # -- remove -------------------------------------------------------------
    r = s.delete(V1 + "/dnc/%2B12125550101", sup)
    t.is_((r.status, r.json["number"]), (200, "+12125550101"), "DELETE /dnc/%2B...: 200 with the entry")
    r = s.delete(V1 + "/dnc/%2B12125550101", sup)
    t.is_((r.status, r.error()[0]), (404, "not_found"), "again: 404")
    t.is_(s.delete(V1 + "/dnc/+13125550100", admin).status, 200, "DELETE /dnc/+...: 200")
    t.is_(s.delete(V1 + "/dnc/442079460100", sup).status, 200, "DELETE /dnc/<digits>: 200")
    t.is_(s.delete(V1 + "/dnc/%2B1%20212%20555%200199", sup).status, 200, "DELETE with spaces: normalized")
    t.is_(s.delete(V1 + "/dnc/%2B19995550100", sup).status, 404, "a number never listed: 404")
    for bad in ("abc", "%2B1", "12", "%2B1234567890123456"):
        r = s.delete(V1 + "/dnc/" + bad, sup)
        t.is_((r.status, r.error()), (422, ("invalid_field", "number")), "DELETE /dnc/%s: 422 number" % bad)
    t.is_(numbers(), ["+12125550100", "+12125550102", "+61255500101"], "what is left")

    # -- audit ---------------------------------------------------------------
    rows = audit()
    t.is_(len(rows), 11, "seven adds and four removes audited, refusals not")
    t.is_(rows[:4], [("dnc.remove", "dnc:+12125550199", "sup"), ("dnc.remove", "dnc:+442079460100", "sup"),
                     ("dnc.remove", "dnc:+13125550100", "admin"), ("dnc.remove", "dnc:+12125550101", "sup")],
          "removes: who and which number, newest first")
    t.is_(rows[-1], ("dnc.add", "dnc:+12125550100", "sup"), "the first add")
    e = s.get(V1 + "/audit?target=dnc:%2B12125550100", sup).json["audit"][0]
    t.is_((e["before"], e["after"]["number"], e["after"]["note"], e["after"]["added_by"]),
          (None, "+12125550100", "asked twice", "sup"), "add: before null, after the entry")
    e = s.get(V1 + "/audit?target=dnc:%2B12125550199", sup).json["audit"][0]
    t.is_((e["before"]["number"], e["after"]), ("+12125550199", None), "remove: before the entry, after null")
t.done()
