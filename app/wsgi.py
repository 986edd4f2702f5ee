"""WSGI entry point for a team server: `DSGRID_REGISTRY=PATH gunicorn app.wsgi:server`.

Importing this module builds the app, which is why it is kept out of app/__init__.py.
"""

from app import create_app

server = create_app().server
