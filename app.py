"""Builds the Chalice app of the Student Register: registers blueprints and event handlers only."""

from chalice import Chalice

from chalicelib.handlers import (
    applications,
    auth,
    health,
    institutions,
    keys,
    kinds,
    me,
    ministry,
    movements,
    municipalities,
    openapi,
    outside,
    persons,
    problems,
    security,
    shares,
    statistics,
    transcripts,
    transfer,
    uploads,
    web,
)

app = Chalice(app_name="mokiniu-registras")
# Spreadsheet exports leave as binary (API Gateway base64-encodes them).
app.api.binary_types.append("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# The first registered is the outermost: every refusal below it leaves as problem+json.
app.register_middleware(problems.problem_middleware, "http")
app.register_middleware(openapi.query_guard(app), "http")
for blueprint in (security, health, keys, kinds, openapi, auth, me, persons, institutions, municipalities, uploads,
                  transcripts, shares, transfer, web, movements, outside, statistics, applications,
                  ministry):
    app.register_blueprint(blueprint.blueprint)
