"""Initial schema: users and document questions

Revision ID: 1b7e4d2c9a10
Revises:
Create Date: 2025-11-01 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision: str = "1b7e4d2c9a10"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
    )
    op.create_table(
        "document_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_questions")
    op.drop_table("users")
