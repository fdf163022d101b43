"""Alembic environment: the classroom store hands in its connection (see store.upgrade)."""
from alembic import context

from classroom.store import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # the alembic command line: use the URL from alembic.ini / -x url=...
    from sqlalchemy import create_engine
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
