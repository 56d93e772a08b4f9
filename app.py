"""Builds the Chalice app of the Student Register: registers blueprints and event handlers only."""

from chalice import Chalice

from chalicelib.handlers import auth, health, keys, me, security, web

app = Chalice(app_name="mokiniu-registras")
app.register_blueprint(security.blueprint)
app.register_blueprint(health.blueprint)
app.register_blueprint(keys.blueprint)
app.register_blueprint(auth.blueprint)
app.register_blueprint(me.blueprint)
app.register_blueprint(web.blueprint)
