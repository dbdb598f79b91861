#!/usr/bin/env python3
"""An independent BioTime client, written as the public connectors are (Python, requests): log in,
then fetch every transaction by following `next` verbatim until it is null. It prints what it got
as one JSON line for the test to check.

    biotime_client.py BASE_URL USERNAME PASSWORD [token|jwt] [QUERY]
"""
import json
import sys

import requests


def main() -> None:
    base, username, password = sys.argv[1:4]
    kind = sys.argv[4] if len(sys.argv) > 4 else "token"
    query = sys.argv[5] if len(sys.argv) > 5 else ""
    login = "/jwt-api-token-auth/" if kind == "jwt" else "/api-token-auth/"
    auth = requests.post(base + login, json={"username": username, "password": password}, timeout=30)
    auth.raise_for_status()
    scheme = "JWT" if kind == "jwt" else "Token"
    headers = {"Authorization": f"{scheme} {auth.json()['token']}", "Content-Type": "application/json"}

    url = f"{base}/iclock/api/transactions/{query}"
    rows, pages, count = [], 0, None
    while url:
        res = requests.get(url, headers=headers, timeout=30)
        res.raise_for_status()
        body = res.json()
        if body["code"] != 0 or body["msg"] != "":
            raise SystemExit(f"unexpected envelope: {body}")
        pages += 1
        count = body["count"]
        rows.extend(body["data"])
        url = body["next"]
    print(json.dumps({
        "count": count,
        "pages": pages,
        "ids": [r["id"] for r in rows],
        "states": sorted({(r["punch_state"], r["punch_state_display"]) for r in rows}),
        "emp_codes": sorted({r["emp_code"] for r in rows}),
    }))


if __name__ == "__main__":
    main()
