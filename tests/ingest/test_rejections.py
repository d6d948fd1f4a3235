"""Each row rejection of feeds.md: the reason names the column and the problem, the row
number is the one a spreadsheet shows, and the valid rows of the same file still load."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from tests.ingest.helpers import Landing

USAGE = """\
team,day_used,product_name,version,tokens_used,autodesk_id,hashed_autodesk_id,email
Acme,2026-01-10,AutoCAD,2026,7,U1,,
Acme,2026-01-10,Revit,2026,abc,U1,,
Acme,2026-01-10,Revit,2026,-5,U1,,
Acme,2026-01-10,Revit,2026,1.2345,U1,,
Acme,31/02/2026,Revit,2026,10,U1,,
,2026-01-10,Revit,2026,10,U1,,
Acme,2026-01-10,,2026,10,U1,,
Acme,,Revit,2026,10,U1,,
Acme,2026-01-10,Revit,2026,10,,,
Acme,2026-01-10,Revit,2026,10,U1
Acme,2026-01-10,Revit,2026,.5,U1,,
Acme,2026-01-10,Revit,2026,1e3,U1,,
Acme,2026-01-10,Revit,2026,"1,5",U1,,
Acme,2026-01-10,Revit,2026,1000000000000000,U1,,
Acme,2026-01-10,Revit,2026,0,,h-77,
Acme,2026-01-10 23:30:00-02:00,Revit,,0.5,,,ann@example.com
Acme,2026-01-12,Revit,,+140.500,*****,*****,ann@example.com
Acme,2026-01-12,Revit,,*****,U1,,
"""


def test_usage_rejections_name_column_problem_and_row(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/2026-01.csv", USAGE)

    landing.ingest()

    assert landing.rejected("usage") == [
        ("usage/2026-01.csv", 3, "tokens_used: not a number: 'abc'"),
        ("usage/2026-01.csv", 4, "tokens_used: negative: '-5'"),
        ("usage/2026-01.csv", 5, "tokens_used: more than 3 decimals: '1.2345'"),
        ("usage/2026-01.csv", 6, "day_used: not a date: '31/02/2026'"),
        ("usage/2026-01.csv", 7, "team: missing"),
        ("usage/2026-01.csv", 8, "product_name: missing"),
        ("usage/2026-01.csv", 9, "day_used: missing"),
        ("usage/2026-01.csv", 10, "autodesk_id, hashed_autodesk_id, email: no user identity"),
        ("usage/2026-01.csv", 11, "expected 8 cells, found 6"),
        ("usage/2026-01.csv", 12, "tokens_used: not a number: '.5'"),
        ("usage/2026-01.csv", 13, "tokens_used: not a number: '1e3'"),
        ("usage/2026-01.csv", 14, "tokens_used: not a number: '1,5'"),
        ("usage/2026-01.csv", 15, "tokens_used: out of range: '1000000000000000'"),
        # the masked token amount is NULL, so it is missing
        ("usage/2026-01.csv", 19, "tokens_used: missing"),
    ]
    # rows 2, 16, 17 and 18 load; 23:30 at -02:00 is 01:30 UTC on the next day
    assert landing.query(
        "select _row_number, day_used, version, tokens_used, autodesk_id, hashed_autodesk_id,"
        " email from raw.usage order by _row_number"
    ) == [
        (2, dt.date(2026, 1, 10), "2026", Decimal("7"), "U1", None, None),
        (16, dt.date(2026, 1, 10), "2026", Decimal("0"), None, "h-77", None),
        (17, dt.date(2026, 1, 11), "", Decimal("0.5"), None, None, "ann@example.com"),
        (18, dt.date(2026, 1, 12), "", Decimal("140.5"), None, None, "ann@example.com"),
    ]
    # rows read = rows loaded + rows rejected
    assert landing.files()["usage/2026-01.csv"][:4] == ("loaded", 18, 4, 14)


def test_rejected_row_is_kept_as_json_with_its_headers(tmp_path):
    landing = Landing(tmp_path)
    landing.write("usage/a.csv", "Team,Day used,Product,Tokens used,Email,Note\n"
                                 "Acme,2026-01-10,Revit,x,a@b.c,hello\n")

    landing.ingest()

    (row,) = landing.query('select "row" from audit.rejected_rows')
    assert json.loads(row[0]) == {"Team": "Acme", "Day used": "2026-01-10", "Product": "Revit",
                                  "Tokens used": "x", "Email": "a@b.c", "Note": "hello"}


SUBSCRIPTIONS = """\
subscription_id,team,offering_name,seat_quantity,start_date,end_date
S1,Acme,Flex,1000,2026-01-01,2026-12-31
S2,Acme,Flex,1.5,2026-01-01,
S3,Acme,Flex,-10,2026-01-01,
S4,Acme,Flex,100.0,2026-01-01,2025-12-31
S5,Acme,Flex,100,2026-01-01,
,Acme,Flex,100,2026-01-01,
S7,Acme,,100,2026-01-01,
"""


def test_subscription_rejections(tmp_path):
    landing = Landing(tmp_path)
    landing.write("subscriptions/subs.csv", SUBSCRIPTIONS)

    landing.ingest()

    assert landing.rejected("subscriptions") == [
        ("subscriptions/subs.csv", 3, "seat_quantity: not a whole number: '1.5'"),
        ("subscriptions/subs.csv", 4, "seat_quantity: negative: '-10'"),
        ("subscriptions/subs.csv", 5, "end_date: before start_date: '2025-12-31'"),
        ("subscriptions/subs.csv", 7, "subscription_id: missing"),
        ("subscriptions/subs.csv", 8, "offering_name: missing"),
    ]
    assert landing.query(
        "select subscription_id, seat_quantity, end_date from raw.subscriptions order by 1"
    ) == [("S1", 1000, dt.date(2026, 12, 31)), ("S5", 100, None)]


TOKEN_EVENTS = """\
event_id,event_date,event_type,subscription_id,from_team,to_team,tokens,reason
E1,2026-02-01,MOVE,S1,Acme,Beta,not-validated,sold
E2,2026-02-01,merge,S9,Acme,Beta,,
E3,2026-02-01,adjustment,S1,,,-25.5,refund
E4,2026-02-01,adjustment,S1,,,0,
E5,2026-02-01,refund,S1,,,5,
E6,2026-02-01,move,,,Beta,,
E7,2026-02-01,move,S1,,,,
E8,2026-02-01,merge,,,Beta,,
E9,2026-02-01,adjustment,,,,5,
E10,2026-02-01,adjustment,S1,,,,
,2026-02-01,merge,,Acme,Beta,,
E12,2026-02-01,,S1,,,5,
"""


def test_token_event_rejections_check_only_what_the_type_uses(tmp_path):
    landing = Landing(tmp_path)
    landing.write("token_events/events.csv", TOKEN_EVENTS)

    landing.ingest()

    assert landing.rejected("token_events") == [
        ("token_events/events.csv", 5, "tokens: 0 on an adjustment"),
        ("token_events/events.csv", 6, "event_type: unknown event type: 'refund'"),
        ("token_events/events.csv", 7, "subscription_id: missing (required for move)"),
        ("token_events/events.csv", 8, "to_team: missing (required for move)"),
        ("token_events/events.csv", 9, "from_team: missing (required for merge)"),
        ("token_events/events.csv", 10, "subscription_id: missing (required for adjustment)"),
        ("token_events/events.csv", 11, "tokens: missing (required for adjustment)"),
        ("token_events/events.csv", 12, "event_id: missing"),
        ("token_events/events.csv", 13, "event_type: missing"),
    ]
    # Columns a type does not use are stored as NULL: E1's tokens, E2's subscription_id.
    assert landing.query(
        "select event_id, event_type, subscription_id, from_team, to_team, tokens, reason "
        "from raw.token_events order by event_id"
    ) == [
        ("E1", "move", "S1", "Acme", "Beta", None, "sold"),
        ("E2", "merge", None, "Acme", "Beta", None, None),
        ("E3", "adjustment", "S1", None, None, Decimal("-25.5"), "refund"),
    ]


def test_users_and_team_settings_rejections(tmp_path):
    landing = Landing(tmp_path)
    landing.write("users/users.csv", "team,autodesk_id,email,first_name\n"
                                     "Acme,U1,,Ann\n"
                                     "Acme,,,Bob\n"
                                     ",U3,,Cy\n"
                                     "Acme,,Dee@Example.com,Dee\n")
    landing.write("team_settings/settings.csv", "team,pii_enabled\n"
                                                "Acme,Yes\nBeta,off\nGamma,maybe\nDelta,\n")

    landing.ingest()

    assert landing.rejected("users") == [
        ("users/users.csv", 3, "autodesk_id, email: no user identity"),
        ("users/users.csv", 4, "team: missing"),
    ]
    assert landing.rejected("team_settings") == [
        ("team_settings/settings.csv", 4, "pii_enabled: not a boolean: 'maybe'"),
        ("team_settings/settings.csv", 5, "pii_enabled: missing"),
    ]
    assert landing.query("select team, pii_enabled from raw.team_settings order by 1") == [
        ("Acme", True), ("Beta", False),
    ]


PRICES = """\
Item,Team,Valid from,Price,Currency
token,*,2025-04-01,3.000000,usd
Token,Beta,2025-04-01,1.1234567,USD
AutoCAD,*,,2030,USD
Revit,*,2025-04-01,-5,USD
Revit,*,2025-04-01,3055.123456,eur
,*,2025-04-01,1,USD
"""
COST_CENTERS = """\
team,autodesk_id,cost_centre,valid_from
Acme,U1,CC-1100 Structural,
Acme,Ann@Example.com,CC-1200 Civil,2026-03-16
Acme,U2,,2026-01-01
Acme,U3,CC-2000 Design,16/03/2026
,U4,CC-2000 Design,
"""


def test_prices_and_cost_centers_rejections_name_column_problem_and_row(tmp_path):
    # The optional feeds of insights.md follow feeds.md's rules: header aliases and any
    # case, one reason per rejected row, the valid rows of the same file loaded.
    landing = Landing(tmp_path)
    landing.write("prices/2026.csv", PRICES)
    landing.write("cost_centers/hr.csv", COST_CENTERS)

    landing.ingest()

    assert landing.rejected("prices") == [
        ("prices/2026.csv", 3, "price: more than 6 decimals: '1.1234567'"),
        ("prices/2026.csv", 4, "valid_from: missing"),
        ("prices/2026.csv", 5, "price: negative: '-5'"),
        ("prices/2026.csv", 7, "item: missing"),
    ]
    assert landing.query("select _row_number, item, team, valid_from, price, currency "
                         "from raw.prices order by _row_number") == [
        (2, "token", "*", dt.date(2025, 4, 1), Decimal("3.000000"), "usd"),
        (6, "Revit", "*", dt.date(2025, 4, 1), Decimal("3055.123456"), "eur"),
    ]
    assert landing.rejected("cost_centers") == [
        ("cost_centers/hr.csv", 4, "cost_center: missing"),
        ("cost_centers/hr.csv", 5, "valid_from: not a date: '16/03/2026'"),
        ("cost_centers/hr.csv", 6, "team: missing"),
    ]
    assert landing.query("select _row_number, team, \"user\", cost_center, valid_from "
                         "from raw.cost_centers order by _row_number") == [
        (2, "Acme", "U1", "CC-1100 Structural", None),
        (3, "Acme", "Ann@Example.com", "CC-1200 Civil", dt.date(2026, 3, 16)),
    ]
