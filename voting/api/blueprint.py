"""The API's blueprint, mounted at /api/v1; its routes are the modules voting/api/__init__.py names."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
