"""Builds the Chalice app of the Student Register: registers blueprints and event handlers only."""

from chalice import Chalice

from chalicelib.handlers import health

app = Chalice(app_name="mokiniu-registras")
app.register_blueprint(health.blueprint)
