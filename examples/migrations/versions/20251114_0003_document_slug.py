"""Add a unique slug to documents

Revision ID: 8c41d0b6a2f3
Revises: 3f2a9c1d7e55
Create Date: 2025-11-15 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision: str = "8c41d0b6a2f3"
down_revision: str | None = "3f2a9c1d7e55"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("slug", sa.String(255), server_default="", nullable=False))
    op.execute(sa.text("UPDATE documents SET slug = LOWER(REPLACE(name, ' ', '-'))"))
    op.create_unique_constraint("uq_documents_slug", "documents", ["slug"])


def downgrade() -> None:
    op.drop_constraint("uq_documents_slug", "documents", type_="unique")
    op.drop_column("documents", "slug")
