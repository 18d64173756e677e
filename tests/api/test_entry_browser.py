"""The pages in a real browser (Debian's Chromium driven by Playwright) against a real server.

The entry form: sign in, switch the form to Kazakh, type a protocol, see a warning inline,
give a reason, submit; a second typist's matching entry then gets the protocol accepted.
The accounts page: an administrator adds an account and grants it a role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_helpers import DEFINITION, ELECTION_ID, PASSWORD, ledger_findings, values
from server_process import Server, free_port

from saylau.core.election import parse_election
from saylau.core.roles import Assignment, Role
from saylau.services.accounts import change_role, create_user, sign_in
from saylau.store import Store
from saylau.store.accounts import assignments_of
from saylau.store.repository import save_election
from saylau.store.testing import temporary_store

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def low_turnout() -> dict[str, dict[str, int]]:
    """Consistent values with a turnout of 6 % (warning W02)."""
    data = values(30, 22)
    data["lines"].update(
        ballots_issued=60, ballots_cancelled=940, ballots_found=60, ballots_invalid=3
    )
    return data


@pytest.fixture
def served() -> Iterator[tuple[Store, Server]]:
    with temporary_store() as store:
        with store.session() as session:
            save_election(session, parse_election(DEFINITION, "test"), json.dumps(DEFINITION))
        for login in ("ana", "bek"):
            create_user(store, login, login.title(), PASSWORD)
            change_role(store, Assignment(login, ELECTION_ID, "001", Role.TYPIST), grant=True)
        create_user(store, "root", "Root", PASSWORD)
        change_role(store, Assignment("root", ELECTION_ID, "cec", Role.ADMIN), grant=True)
        server = Server(store.engine.url.render_as_string(hide_password=False), free_port())
        server.start()
        try:
            yield store, server
        finally:
            server.stop()


def test_typing_a_protocol_in_the_browser(served: tuple[Store, Server]) -> None:
    store, server = served
    data = low_turnout()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{server.base}/entry/{ELECTION_ID}/001/list")
            page.fill("#login", "ana")
            page.fill("#password", PASSWORD)
            page.click("#signin-button")
            page.wait_for_selector("#form:not([hidden])")
            page.select_option("#language", "kk")
            label = page.locator("label[for='lines.voters']")
            sync_api.expect(label).to_have_text("Тізімге енгізілген сайлаушылар саны")
            for group in ("lines", "votes"):
                for key, number in data[group].items():
                    page.fill(f"[id='{group}.{key}']", str(number))
            page.click("#check")
            warning = page.locator(".finding.warning[data-code='W02']")
            sync_api.expect(warning).to_contain_text("W02")
            page.click("#submit")
            sync_api.expect(page.locator("#status")).to_contain_text("reason")
            page.fill("input.reason[data-code='W02']", "small village, confirmed by phone")
            page.click("#submit")
            sync_api.expect(page.locator("#status")).to_have_text(
                "Submitted: first-entered (version 2)"
            )
        finally:
            browser.close()
    token = sign_in(store, "bek", PASSWORD, "test", kind="token").secret
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{server.base}/api/elections/{ELECTION_ID}/protocols/001/list"
    with httpx.Client(headers=headers) as client:
        assert client.post(f"{url}/claim", json={"version": 2}).status_code == 200
        body = {"version": 3, **data, "acknowledged": {"W02": "confirmed"}}
        second = client.post(f"{url}/entries", json=body)
    assert second.json()["stage"] == "accepted"
    assert ledger_findings(store) == []


def test_an_administrator_adds_an_account_in_the_browser(served: tuple[Store, Server]) -> None:
    store, server = served
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{server.base}/admin")
            page.fill("#login", "root")
            page.fill("#password", PASSWORD)
            page.click("#signin-button")
            sync_api.expect(page.locator("#users tr")).to_have_count(3)
            page.fill("#new-login", "chen")
            page.fill("#new-name", "Chen")
            page.fill("#new-password", "a long password for chen")
            page.click("#add")
            sync_api.expect(page.locator("#users tr")).to_have_count(4)
            page.fill("#role-login", "chen")
            page.fill("#role-election", ELECTION_ID)
            page.fill("#role-commission", "north")
            page.select_option("#role-role", "coordinator")
            page.click("#grant")
            sync_api.expect(page.locator("#status")).to_have_text("Done.")
        finally:
            browser.close()
    with store.session() as session:
        assert [a.role for a in assignments_of(session, "chen")] == ["coordinator"]
