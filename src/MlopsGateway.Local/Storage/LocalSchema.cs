namespace MlopsGateway.Local.Storage;

/// <summary>
/// The Local backend's tables. Times are Unix milliseconds (UTC). A metric value of NULL is NaN (SQLite
/// stores NaN as NULL). Runs have an internal integer <c>seq</c> that names their artifact directory, so a
/// caller-chosen run id never becomes a path. Model versions are integers shown as strings.
/// </summary>
internal static class LocalSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS instances (
            id TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL,
            opened_at INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS experiments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            deleted INTEGER NOT NULL DEFAULT 0,
            description TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS experiment_tags (
            experiment_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key));

        CREATE TABLE IF NOT EXISTS runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            name TEXT,
            experiment_id INTEGER,
            pipeline_id TEXT,
            pipeline_version TEXT,
            trigger_params TEXT,
            status INTEGER NOT NULL,
            raw_status TEXT,
            start_time INTEGER,
            end_time INTEGER,
            owner TEXT);
        CREATE INDEX IF NOT EXISTS runs_experiment ON runs (experiment_id, start_time);
        CREATE INDEX IF NOT EXISTS runs_pipeline ON runs (pipeline_id, start_time);
        CREATE INDEX IF NOT EXISTS runs_status ON runs (status);

        CREATE TABLE IF NOT EXISTS params (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key));

        CREATE TABLE IF NOT EXISTS run_tags (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key));

        CREATE TABLE IF NOT EXISTS metrics (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value REAL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS metrics_history ON metrics (run_id, key, step, timestamp, seq);

        CREATE TABLE IF NOT EXISTS latest_metrics (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value REAL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL,
            PRIMARY KEY (run_id, key));

        CREATE TABLE IF NOT EXISTS pipelines (
            id TEXT PRIMARY KEY,
            description TEXT,
            paused INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS pipeline_versions (
            pipeline_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            steps TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (pipeline_id, version));

        CREATE TABLE IF NOT EXISTS pipeline_uploads (
            pipeline_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition TEXT NOT NULL,
            PRIMARY KEY (pipeline_id, version));

        CREATE TABLE IF NOT EXISTS task_runs (
            run_id TEXT NOT NULL,
            task_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            status INTEGER NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            start_time INTEGER,
            end_time INTEGER,
            PRIMARY KEY (run_id, task_id));

        CREATE TABLE IF NOT EXISTS task_logs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            task_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            line TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS task_logs_task ON task_logs (run_id, task_id, attempt, seq);

        CREATE TABLE IF NOT EXISTS models (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            description TEXT,
            next_version INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS model_tags (
            model_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key));

        CREATE TABLE IF NOT EXISTS model_versions (
            model_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            has_files INTEGER NOT NULL,
            run_id TEXT,
            description TEXT,
            stage TEXT NOT NULL DEFAULT 'None',
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (model_id, version));

        CREATE TABLE IF NOT EXISTS model_version_tags (
            model_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, version, key));

        CREATE TABLE IF NOT EXISTS model_aliases (
            model_id INTEGER NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (model_id, alias));
        """;
}
