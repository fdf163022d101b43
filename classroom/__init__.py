"""Balcony's classroom: a session server (Starlette, uvicorn, SQLAlchemy) that runs every seat's game on
the engine, and the clients that join it. See classroom/README.md and docs/classroom.md."""
