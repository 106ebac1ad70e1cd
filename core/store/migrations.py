"""Versioned schema migrations of the DuckDB store.

A migration is a numbered, described list of SQL statements. ``migrate`` applies every
migration newer than the version recorded in ``schema_migrations``, each one in its own
transaction together with its ``schema_migrations`` row, so a failing migration leaves the
database exactly as it was. A database whose recorded version is newer than the code is
refused: an older workbench must not write into a schema it does not know.

Never edit a released migration; append a new one. Conventions of the schema:
- timestamps are ``TIMESTAMP`` holding UTC (naive); ``at`` is a reserved word in DuckDB,
  hence ``reviews.reviewed_at`` and ``audit_log.logged_at``;
- a claim is identified by ``(batch_id, row_number)`` in every table that refers to one;
- decisions use the codes of DESIGN.md: -1 Rejet Auto, 0 Audit Humain, 1 Validation Auto;
- no FOREIGN KEY clauses: DuckDB refuses updates of a referenced row (e.g. a batch's status)
  while children exist; the store writes related rows in one transaction instead.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from core.exceptions import StoreError
from core.store.audit import GENESIS, _fields, row_hash

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]
    # Python run after the statements, in the same transaction (for data a SQL statement
    # cannot compute, such as a hash chain over existing rows).
    then: Callable[[duckdb.DuckDBPyConnection], None] | None = None


_INITIAL_SCHEMA = (
    "CREATE SEQUENCE batches_id_seq START 1",
    """CREATE TABLE batches (
        id BIGINT PRIMARY KEY DEFAULT nextval('batches_id_seq'),
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL UNIQUE,
        sheet VARCHAR,
        "rows" INTEGER NOT NULL CHECK ("rows" >= 0),
        profile VARCHAR NOT NULL,
        uploaded_at TIMESTAMP NOT NULL,
        uploaded_by VARCHAR NOT NULL,
        status VARCHAR NOT NULL DEFAULT 'stored',
        report JSON,
        frame_columns JSON NOT NULL  -- {key: SQL type} of the saved frame, in order
    )""",
    """CREATE TABLE claims (
        batch_id BIGINT NOT NULL,
        row_number INTEGER NOT NULL,
        claim_id VARCHAR,
        client_id VARCHAR,
        claim_date TIMESTAMP,
        amount DOUBLE,
        family VARCHAR,
        category VARCHAR,
        subcategory VARCHAR,
        segment VARCHAR,
        market VARCHAR,
        delay DOUBLE,
        tenure DOUBLE,
        pnb DOUBLE,
        label TINYINT CHECK (label IN (0, 1)),
        label_excluded BOOLEAN NOT NULL DEFAULT FALSE,
        extras JSON,
        PRIMARY KEY (batch_id, row_number)
    )""",
    """CREATE TABLE scores (
        batch_id BIGINT NOT NULL,
        row_number INTEGER NOT NULL,
        model_version VARCHAR NOT NULL,
        probability DOUBLE NOT NULL CHECK (probability BETWEEN 0 AND 1),
        decision TINYINT NOT NULL CHECK (decision IN (-1, 0, 1)),
        decision_model TINYINT NOT NULL CHECK (decision_model IN (-1, 0, 1)),
        rule_flags VARCHAR,
        rule_reason VARCHAR,
        thresholds_id BIGINT,
        scored_at TIMESTAMP NOT NULL,
        PRIMARY KEY (batch_id, row_number, scored_at)
    )""",
    "CREATE SEQUENCE reviews_id_seq START 1",
    """CREATE TABLE reviews (
        id BIGINT PRIMARY KEY DEFAULT nextval('reviews_id_seq'),
        batch_id BIGINT NOT NULL,
        row_number INTEGER NOT NULL,
        auditor VARCHAR NOT NULL,
        decision TINYINT NOT NULL CHECK (decision IN (-1, 0, 1)),
        comment VARCHAR,
        reviewed_at TIMESTAMP NOT NULL
    )""",
    "CREATE SEQUENCE thresholds_id_seq START 1",
    """CREATE TABLE thresholds (
        id BIGINT PRIMARY KEY DEFAULT nextval('thresholds_id_seq'),
        model_version VARCHAR,
        low DOUBLE NOT NULL,
        high DOUBLE NOT NULL,
        source VARCHAR NOT NULL,
        reason VARCHAR,
        published_by VARCHAR NOT NULL,
        published_at TIMESTAMP NOT NULL,
        active BOOLEAN NOT NULL DEFAULT FALSE,
        CHECK (0 <= low AND low <= high AND high <= 1)
    )""",
    """CREATE TABLE model_versions (
        version VARCHAR PRIMARY KEY,
        sha256 VARCHAR NOT NULL,
        metrics JSON,
        training_data_sha256 VARCHAR,
        created_at TIMESTAMP NOT NULL,
        active BOOLEAN NOT NULL DEFAULT FALSE,
        path VARCHAR NOT NULL
    )""",
    "CREATE SEQUENCE drift_reports_id_seq START 1",
    """CREATE TABLE drift_reports (
        id BIGINT PRIMARY KEY DEFAULT nextval('drift_reports_id_seq'),
        batch_id BIGINT,
        reference VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        summary JSON,
        drifted_columns VARCHAR[],
        alert_level VARCHAR,
        snapshot JSON
    )""",
    "CREATE SEQUENCE audit_log_id_seq START 1",
    """CREATE TABLE audit_log (
        id BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
        logged_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        detail JSON
    )""",
)

_MODEL_ACTIVATION = (
    # When a version was last made active: rollback re-activates the one before the current.
    "ALTER TABLE model_versions ADD COLUMN activated_at TIMESTAMP",
)

_SHAP_SUMMARIES = (
    # Global SHAP explanations (core.explain), one row per computation; readers take the
    # latest of (model_version, source, grouping). `sample` is a Parquet file of the
    # per-claim group contributions, colour ranks and values (see core.explain_store.save_summary).
    "CREATE SEQUENCE shap_summaries_id_seq START 1",
    """CREATE TABLE shap_summaries (
        id BIGINT PRIMARY KEY DEFAULT nextval('shap_summaries_id_seq'),
        model_version VARCHAR NOT NULL,
        source VARCHAR NOT NULL,  -- 'reference' (the model's sample) or 'batch:<id>'
        grouping VARCHAR NOT NULL,  -- 'split' or 'named'
        sample_size INTEGER NOT NULL CHECK (sample_size >= 0),
        created_at TIMESTAMP NOT NULL,
        seconds DOUBLE,
        base_margin DOUBLE NOT NULL,
        groups JSON NOT NULL,  -- [{key, label_fr, label_en}] in column order of `sample`
        importance JSON NOT NULL,  -- rows of the mean |SHAP| table
        sample BLOB NOT NULL
    )""",
)

_TRUST = (
    # Tamper-evident audit trail: who (identity and role), before -> after, why, hash chain.
    "ALTER TABLE audit_log ADD COLUMN actor_role VARCHAR",
    "ALTER TABLE audit_log ADD COLUMN before VARCHAR",
    "ALTER TABLE audit_log ADD COLUMN after VARCHAR",
    "ALTER TABLE audit_log ADD COLUMN reason VARCHAR",
    "ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR",
    "ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR",
    "ALTER TABLE audit_log ALTER COLUMN detail TYPE VARCHAR",
    # The costs published with a threshold pair (what the publisher decided on).
    "ALTER TABLE thresholds ADD COLUMN costs VARCHAR",
    # Durable background work, run by a server process, resumed after a restart.
    "CREATE SEQUENCE jobs_id_seq START 1",
    """CREATE TABLE jobs (
        id BIGINT PRIMARY KEY DEFAULT nextval('jobs_id_seq'),
        kind VARCHAR NOT NULL,
        payload VARCHAR NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL,
        created_role VARCHAR NOT NULL,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        worker VARCHAR,
        attempts INTEGER NOT NULL DEFAULT 0,
        error VARCHAR
    )""",
)


def _seal_legacy_rows(cur: duckdb.DuckDBPyConnection) -> None:
    """Chain the rows written before the chain existed (once, in this migration)."""
    rows = cur.execute(
        "SELECT id, logged_at, actor, actor_role, action, detail, before, after, reason, "
        "prev_hash FROM audit_log ORDER BY id"
    ).fetchall()
    prev = GENESIS
    for row in rows:
        row = (*row[:3], row[3] or "", *row[4:9], prev)
        digest = row_hash(prev, _fields(row))
        cur.execute(
            "UPDATE audit_log SET actor_role = ?, reason = coalesce(reason, ''), prev_hash = ?, "
            "row_hash = ? WHERE id = ?",
            [row[3], prev, digest, row[0]],
        )
        prev = digest


_MONITORING = (
    # The random quality-control sample of automatic decisions, drawn at scoring time.
    "ALTER TABLE scores ADD COLUMN qc_sample BOOLEAN DEFAULT FALSE",
    # One label per claim (the latest conclusion), with where it came from and who gave it.
    """CREATE TABLE labels (
        batch_id BIGINT NOT NULL,
        row_number INTEGER NOT NULL,
        label TINYINT NOT NULL CHECK (label IN (0, 1)),
        source VARCHAR NOT NULL CHECK (source IN ('review', 'qc', 'file')),
        labelled_by VARCHAR NOT NULL,
        labelled_at TIMESTAMP NOT NULL,
        PRIMARY KEY (batch_id, row_number)
    )""",
)

_SCORED_PAIR = (
    # The (low, high) pair each scoring applied, also when it is not a published pair (a
    # manual re-decision): a reopened batch shows the pair its decisions came from.
    "ALTER TABLE scores ADD COLUMN low DOUBLE",
    "ALTER TABLE scores ADD COLUMN high DOUBLE",
)

_API = (
    # The real-time scoring API (core.api): one token per calling system, stored hashed.
    """CREATE TABLE api_tokens (
        name VARCHAR PRIMARY KEY,
        token_sha256 VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL,
        revoked_at TIMESTAMP,
        revoked_by VARCHAR
    )""",
    # One row per claim scored by the API: the claim's standard columns (as in `claims`, so
    # the client history and the yearly cap of automatic validations count it), its scores
    # and who asked. A request's rows share `request_id` and are written in one transaction.
    "CREATE SEQUENCE api_claims_id_seq START 1",
    """CREATE TABLE api_claims (
        id BIGINT PRIMARY KEY DEFAULT nextval('api_claims_id_seq'),
        request_id VARCHAR NOT NULL,
        position INTEGER NOT NULL,  -- 0-based place of the claim in its request
        caller VARCHAR NOT NULL,
        scored_at TIMESTAMP NOT NULL,
        claim_id VARCHAR,
        client_id VARCHAR,
        claim_date TIMESTAMP,
        amount DOUBLE,
        family VARCHAR,
        category VARCHAR,
        subcategory VARCHAR,
        segment VARCHAR,
        market VARCHAR,
        delay DOUBLE,
        tenure DOUBLE,
        pnb DOUBLE,
        extras JSON,
        model_version VARCHAR NOT NULL,
        probability DOUBLE NOT NULL CHECK (probability BETWEEN 0 AND 1),
        decision TINYINT NOT NULL CHECK (decision IN (-1, 0, 1)),
        decision_model TINYINT NOT NULL CHECK (decision_model IN (-1, 0, 1)),
        rule_flags VARCHAR,
        rule_reason VARCHAR,
        thresholds_id BIGINT,
        claim_sha256 VARCHAR NOT NULL  -- of the claim's values: a retry is recognised
    )""",
    "CREATE INDEX api_claims_client ON api_claims (client_id)",
    "CREATE INDEX api_claims_claim ON api_claims (claim_id)",
    # Every refused request (no or unknown token, bad fields, body too large, ...).
    "CREATE SEQUENCE api_refusals_id_seq START 1",
    """CREATE TABLE api_refusals (
        id BIGINT PRIMARY KEY DEFAULT nextval('api_refusals_id_seq'),
        request_id VARCHAR NOT NULL,
        caller VARCHAR NOT NULL,  -- the token's name, or 'anonymous'
        refused_at TIMESTAMP NOT NULL,
        path VARCHAR NOT NULL,
        status INTEGER NOT NULL,
        reason VARCHAR NOT NULL,
        model_version VARCHAR
    )""",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "initial schema: batches, claims, scores, reviews, thresholds, ...", _INITIAL_SCHEMA
    ),
    Migration(2, "model_versions.activated_at, for rollbacks", _MODEL_ACTIVATION),
    Migration(3, "shap_summaries: stored global SHAP explanations", _SHAP_SUMMARIES),
    Migration(
        4, "hash-chained audit trail, costs with thresholds, jobs", _TRUST, _seal_legacy_rows
    ),
    Migration(5, "quality-control sample of automatic decisions, labels", _MONITORING),
    Migration(6, "real-time scoring API: tokens, scored claims, refusals", _API),
    Migration(7, "the threshold pair applied by each scoring", _SCORED_PAIR),
)

_BOOKKEEPING = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
)"""


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1].version if migrations else 0


def applied_version(cur: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the database (0 when nothing was ever applied)."""
    exists = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def check_version(current: int, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Refuse a database written by a newer workbench."""
    known = latest_version(migrations)
    if current > known:
        raise StoreError(
            f"The database has schema version {current} but this workbench only knows "
            f"versions up to {known}: it was written by a newer release. Upgrade the "
            "workbench, or point WORKBENCH_DATA_DIR to another folder."
        )


def migrate(
    cur: duckdb.DuckDBPyConnection, migrations: Sequence[Migration] = MIGRATIONS
) -> list[int]:
    """Apply the pending migrations, one transaction each; return the versions applied."""
    _check_ordered(migrations)
    cur.execute(_BOOKKEEPING)
    current = applied_version(cur)
    check_version(current, migrations)
    applied = []
    for migration in migrations:
        if migration.version > current:
            _apply(cur, migration)
            applied.append(migration.version)
    return applied


def _apply(cur: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    cur.execute("BEGIN TRANSACTION")
    try:
        for statement in migration.statements:
            cur.execute(statement)
        if migration.then is not None:
            migration.then(cur)
        cur.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            [migration.version, migration.description, datetime.now(UTC).replace(tzinfo=None)],
        )
        cur.execute("COMMIT")
    except duckdb.Error as exc:
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has rolled back already
            cur.execute("ROLLBACK")
        raise StoreError(
            f"Database migration {migration.version} ({migration.description}) failed "
            f"and was rolled back: {exc}"
        ) from exc
    logger.info("applied migration %d: %s", migration.version, migration.description)


def _check_ordered(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if any(v <= 0 for v in versions) or versions != sorted(set(versions)):
        raise ValueError(f"migrations must have strictly increasing positive versions: {versions}")
