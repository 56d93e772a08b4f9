"""`GET /texts/{lang}`: the pages' texts in one language, untranslated keys in Lithuanian, for
anyone and cacheable; an unknown language is a problem+json 404."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain import i18n


@pytest.fixture
def client() -> Iterator[Client]:
    with Client(app, stage_name="local") as test_client:
        yield test_client


def test_polish_is_merged_with_lithuanian(client: Client) -> None:
    response = client.http.get("/texts/pl")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    body = json.loads(response.body)
    lithuanian, polish = i18n.catalogue("lt"), i18n.catalogue("pl")
    assert body["language"] == "pl"
    assert set(body["texts"]) == set(lithuanian) | set(polish)
    assert body["texts"]["myHistory"] == "Moja historia nauki"
    assert "shares" not in polish and body["texts"]["shares"] == lithuanian["shares"]
    assert body["texts"]["kind.EXAM"] == "Egzaminy"
    assert [(language["code"], language["name"]) for language in body["languages"]] == [
        ("lt", "lietuvių"), ("en", "English"), ("pl", "polski")]
    # Sent as UTF-8, not as \u escapes (a third smaller for Lithuanian and Polish).
    assert "Rejestr uczniów".encode() in response.body


def test_each_declared_language_is_whole(client: Client) -> None:
    for language in i18n.DECLARED_LANGUAGES:
        body = json.loads(client.http.get(f"/texts/{language}").body)
        assert body["texts"] == dict(i18n.catalogue(language)), language


@pytest.mark.parametrize("language", ["xx", "PL", "pl.json", "..%2Flt", "lt-LT", "%00"])
def test_an_unknown_language_is_a_404_problem(client: Client, language: str) -> None:
    response = client.http.get(f"/texts/{language}")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json.loads(response.body)["code"] == "language.not_found"


def test_a_catalogue_dropped_in_is_served(client: Client, catalogues: Path) -> None:
    (catalogues / "uk.json").write_text('{"languageName": "українська", "brand": "Реєстр учнів"}', encoding="utf-8")
    body = json.loads(client.http.get("/texts/uk").body)
    assert body["texts"]["brand"] == "Реєстр учнів"
    assert body["texts"]["login"] == i18n.catalogue("lt")["login"]
    assert body["languages"][-1] == {"code": "uk", "name": "українська", "switch": "українська"}
