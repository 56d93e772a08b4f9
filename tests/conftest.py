"""Test-wide setup: fake AWS credentials before any client exists, moto for every AWS call."""

from __future__ import annotations

import os

# Set before boto3/PynamoDB create anything: tests must never reach a real AWS account, and a
# developer's own profile or endpoint must not leak in.
for _var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_var, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "REGISTER_STAGE": "local",
        "TABLE_PREFIX": "mr-local",
        "TOKEN_ISSUER": "https://register.test",
        "TOKEN_AUDIENCE": "register-api-test",
        # As in every stage (.chalice/config.json): openpyxl without lxml, which only the API
        # function's layer has (infra/package.py), so the tests read XLSX the way the ingest does.
        "OPENPYXL_LXML": "False",
    }
)

import json  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh moto account with every register table created."""
    from chalicelib.models.tables import create_tables
    from devstack.moto_fixes import install

    install()  # item-level transaction rollback, as DynamoDB behaves (devstack/moto_fixes.py)
    with mock_aws():
        create_tables()
        yield


@pytest.fixture
def catalogues(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the language catalogues (chalicelib/i18n) that the register reads instead, for a
    test to add a language to: a language is offered when its file is there."""
    import shutil

    from chalicelib.domain import i18n

    folder = tmp_path_factory.mktemp("catalogues") / "i18n"
    shutil.copytree(i18n.CATALOGUES, folder)
    monkeypatch.setattr(i18n, "CATALOGUES", str(folder))
    forget_texts()
    yield folder
    forget_texts()


def forget_texts() -> None:
    """Drop every text cached from the catalogues (they never change while the register runs)."""
    from chalicelib.domain import i18n, kinds

    for cached in (i18n.languages, i18n.catalogue, kinds.schema_document, kinds.kind_title):
        cached.cache_clear()


@pytest.fixture
def further_language(catalogues: Path) -> Callable[[str, dict[str, str]], None]:
    """`add(language, texts)` offers one more language, as a catalogue file would."""

    def add(language: str, texts: dict[str, str]) -> None:
        (catalogues / f"{language}.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        forget_texts()

    return add


BROWSER = "tests/browser"  # as pytest names the tests: relative to the repository (pyproject.toml)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's: a plain run never calls it
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test`'s workers (`-n 2 --dist loadscope`) take whole modules, so a module's fixtures
    (the packaged templates, a world) are built once, and take every module of tests/browser/ as one
    unit, handed out first (the longest), so the browser modules share one dev stack
    (tests/browser/support.py) and do not end the run alone. Other `--dist` modes stay as they are."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndBrowser(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no types
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return BROWSER if module.startswith(BROWSER + "/") else module

        def _assign_work_unit(self, node: Any) -> None:
            if BROWSER in self.workqueue:
                self.workqueue.move_to_end(BROWSER, last=False)
            super()._assign_work_unit(node)

    return ModulesAndBrowser(config, log)
