"""Add document share links

Revision ID: 3f2a9c1d7e55
Revises: 1b7e4d2c9a10
Create Date: 2025-11-14 09:30:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import ProgrammingError

revision: str = "3f2a9c1d7e55"
down_revision: str | None = "1b7e4d2c9a10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
    )
    op.create_table(
        "document_share_links",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
    )
    op.drop_constraint("document_questions_document_id_fkey", "document_questions")
    try:
        op.alter_column("admin_activities", "amount", existing_type=sa.INTEGER(), server_default=None)
    except ProgrammingError as error:
        print(f"Warning: ALTER on admin_activities failed: {error}")
        pass


def downgrade() -> None:
    pass
