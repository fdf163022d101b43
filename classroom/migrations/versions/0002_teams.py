"""Teams: several players on one seat (classroom/teams.py). A team's seat carries its number and captain;
members have their own rejoin tokens; every proposal is kept; a team's decision stores its record (the rule,
how it was taken, who proposed what) with the action.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seats") as batch:
        batch.add_column(sa.Column("team", sa.Integer, nullable=True))
        batch.add_column(sa.Column("captain", sa.Integer, nullable=True))
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("team", sa.Text, nullable=True))
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seats.id"), nullable=False, index=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seat_id", sa.Integer, sa.ForeignKey("seats.id"), nullable=False, index=True),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("point", sa.Integer, nullable=False),
        sa.Column("choice", sa.Integer, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("proposals")
    op.drop_table("members")
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("team")
    with op.batch_alter_table("seats") as batch:
        batch.drop_column("captain")
        batch.drop_column("team")
