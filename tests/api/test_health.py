import json
from pathlib import Path

from chalice.test import Client

from app import app


def test_health_answers_ok() -> None:
    with Client(app, stage_name="local") as client:
        response = client.http.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_every_stage_is_configured_for_its_own_tables() -> None:
    config = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"
    stages = json.loads(config.read_text())["stages"]
    assert set(stages) >= {"local", "dev", "prod"}
    prefixes = {name: stage["environment_variables"]["TABLE_PREFIX"] for name, stage in stages.items()}
    assert len(set(prefixes.values())) == len(prefixes)
    assert all(prefix == f"mr-{name}" for name, prefix in prefixes.items())
