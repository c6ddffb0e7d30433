//! The database schema as a list of migrations; `PRAGMA user_version` says how many have run.

use rusqlite::Connection;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only: never edit one that
/// has shipped, since databases out there are already past it.
pub const MIGRATIONS: &[&str] = &[
    // 1: sessions and their messages. Times are Unix milliseconds.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        model TEXT NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL
    );
    CREATE INDEX sessions_updated ON sessions(updated);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        reasoning TEXT NOT NULL DEFAULT '',
        model TEXT,
        created INTEGER NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        finish_reason TEXT,
        truncated INTEGER NOT NULL DEFAULT 0,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        total_tokens INTEGER,
        reasoning_tokens INTEGER,
        citations TEXT NOT NULL DEFAULT '[]',
        media TEXT NOT NULL DEFAULT '[]',
        UNIQUE (session_id, seq)
    );",
    // 2: full-text search. The trigram tokenizer matches any substring of three or more
    // characters, so a Chinese word is found inside a sentence without word segmentation.
    "CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, reasoning,
        content = 'messages', content_rowid = 'id', tokenize = 'trigram'
    );
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, content, reasoning)
        VALUES (new.id, new.content, new.reasoning);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
        VALUES ('delete', old.id, old.content, old.reasoning);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
        VALUES ('delete', old.id, old.content, old.reasoning);
        INSERT INTO messages_fts(rowid, content, reasoning)
        VALUES (new.id, new.content, new.reasoning);
    END;
    INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');",
    // 3: the text of a long reply beyond its first part, appended while it streams instead of
    // rewriting (and re-indexing) the whole growing row every checkpoint. A message's text is
    // its row's text followed by its parts in order; the row (and the index) keep the start.
    "CREATE TABLE message_parts (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        part INTEGER NOT NULL,
        content TEXT NOT NULL,
        reasoning TEXT NOT NULL,
        PRIMARY KEY (session_id, seq, part)
    ) WITHOUT ROWID;",
    // 4: the highest session id ever given out. A plain rowid goes back to max(id) + 1 after
    // the newest sessions are deleted, so an old transcript's "Session: 4" would name another
    // chat; new sessions take `last + 1` instead. An id deleted before this step, above the
    // highest one left, cannot be known here and may be given out once more.
    "CREATE TABLE session_ids (last INTEGER NOT NULL);
    INSERT INTO session_ids (last) SELECT coalesce(max(id), 0) FROM sessions;
    CREATE TRIGGER sessions_last_id AFTER INSERT ON sessions BEGIN
        UPDATE session_ids SET last = max(last, new.id);
    END;",
    // 5: what each reply cost, in millionths of `cost_currency`, priced when it finished so a
    // later price change does not rewrite history; and the prompt tokens served from cache.
    "ALTER TABLE messages ADD COLUMN cached_tokens INTEGER;
    ALTER TABLE messages ADD COLUMN cost_micros INTEGER;
    ALTER TABLE messages ADD COLUMN cost_currency TEXT;",
    // 6: attachments sent with prompts. The bytes are kept once per content (SHA-256), however
    // many messages and sessions send them; a blob goes with the last attachment using it.
    "CREATE TABLE attachment_blobs (
        hash TEXT PRIMARY KEY,
        bytes BLOB NOT NULL
    );
    CREATE TABLE message_attachments (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        mime TEXT,
        width INTEGER,
        height INTEGER,
        url TEXT,
        hash TEXT REFERENCES attachment_blobs(hash),
        PRIMARY KEY (session_id, seq, position)
    ) WITHOUT ROWID;
    CREATE INDEX message_attachments_hash ON message_attachments(hash);
    CREATE TRIGGER messages_attachments_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_attachments WHERE session_id = old.session_id AND seq = old.seq;
    END;
    CREATE TRIGGER attachment_blobs_unused AFTER DELETE ON message_attachments
    WHEN old.hash IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM message_attachments WHERE hash = old.hash)
    BEGIN
        DELETE FROM attachment_blobs WHERE hash = old.hash;
    END;",
    // 7: generation tasks (Midjourney, Suno, video), so polling resumes after a restart and
    // `ecochat tasks` lists them. Results, buttons and clips are JSON arrays; times Unix ms.
    "CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        api TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        prompt TEXT NOT NULL,
        status TEXT NOT NULL,
        progress INTEGER,
        fail_reason TEXT,
        results TEXT NOT NULL DEFAULT '[]',
        buttons TEXT NOT NULL DEFAULT '[]',
        clips TEXT NOT NULL DEFAULT '[]',
        text TEXT,
        parent INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
        submitted INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        finished INTEGER
    );
    CREATE INDEX tasks_submitted ON tasks(submitted);",
    // 8: conversations are trees: each message names the one it follows (its seq), so a
    // retried reply, an edited prompt or a comparison's replies are kept as alternatives.
    // Messages written before were one straight path: each follows the one before it. A
    // session's `shown` is the last message of the branch on screen, when it is not the
    // newest one (NULL: the branch last written to).
    "ALTER TABLE messages ADD COLUMN parent INTEGER;
    ALTER TABLE sessions ADD COLUMN shown INTEGER;
    UPDATE messages SET parent = (
        SELECT MAX(p.seq) FROM messages p
        WHERE p.session_id = messages.session_id AND p.seq < messages.seq
            AND p.role != 'system')
    WHERE role != 'system';",
    // 9: a generation task's card is flagged as one. Cards written before carry the images
    // mark on their model (` (images)`) and are read as they were.
    "ALTER TABLE messages ADD COLUMN task INTEGER NOT NULL DEFAULT 0;",
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// What `migrate` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Migration {
    /// The database was at `from` and is now at `LATEST`.
    Upgraded { from: u32 },
    /// Already at `LATEST`.
    Current,
    /// Written by a newer ecochat; left untouched.
    Newer { found: u32 },
}

/// The schema version recorded in the database.
pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the database to `LATEST`, each step in its own transaction together with its version
/// bump, so a crash between steps leaves a consistent, resumable database.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Migration> {
    migrate_to(conn, LATEST)
}

/// Runs the migrations up to version `target` (tests build every earlier version with it).
pub fn migrate_to(conn: &mut Connection, target: u32) -> rusqlite::Result<Migration> {
    let from = version(conn)?;
    if from > LATEST {
        return Ok(Migration::Newer { found: from });
    }
    if from >= target {
        return Ok(Migration::Current);
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(from as usize)
    {
        // Another process opening the same new database (a pipe-mode run beside the TUI) may
        // have seen the old version too: the write lock is taken first and the version read
        // again under it, so a step the other one ran is not run twice.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if version(&tx)? > i as u32 {
            continue;
        }
        tx.execute_batch(sql)?;
        // user_version cannot take a bound parameter; `i + 1` is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(Migration::Upgraded { from })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table, index and trigger as SQLite records it, in a stable order.
    fn schema_of(conn: &Connection) -> Vec<(String, String, Option<String>)> {
        let mut stmt = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Fills a database at `version` with one session and two messages, as that version allows.
    fn seed(conn: &Connection, version: u32) {
        if version == 0 {
            return;
        }
        conn.execute_batch(
            "INSERT INTO sessions (id, title, model, created, updated)
                 VALUES (7, '天气', 'mock:gpt-4o', 1000, 2000);
             INSERT INTO messages (session_id, seq, role, content, created, status)
                 VALUES (7, 0, 'user', '请问明天北京的天气怎么样', 1000, 'done');
             INSERT INTO messages (session_id, seq, role, content, created, status)
                 VALUES (7, 1, 'assistant', '明天晴，气温十度左右', 1500, 'done');",
        )
        .unwrap();
        if version >= 5 {
            conn.execute_batch(
                "UPDATE messages SET cost_micros = 12900, cost_currency = 'CNY', cached_tokens = 3
                     WHERE session_id = 7 AND seq = 1;",
            )
            .unwrap();
        }
        if version >= 6 {
            conn.execute_batch(
                "INSERT INTO attachment_blobs (hash, bytes) VALUES ('ab12', x'89504e47');
                 INSERT INTO message_attachments (session_id, seq, position, name, kind, mime,
                     hash) VALUES (7, 0, 0, '天气.png', 'image', 'image/png', 'ab12');",
            )
            .unwrap();
        }
        if version >= 7 {
            conn.execute_batch(
                "INSERT INTO tasks (provider, model, api, remote_id, prompt, status, submitted,
                     updated) VALUES ('mock', 'mj_imagine', 'midjourney', '1730621826053455',
                     '一只红狐狸', 'running', 1000, 1000);",
            )
            .unwrap();
        }
        if version >= 8 {
            conn.execute_batch("UPDATE messages SET parent = 0 WHERE session_id = 7 AND seq = 1;")
                .unwrap();
        }
        if version >= 9 {
            conn.execute_batch("UPDATE messages SET task = 1 WHERE session_id = 7 AND seq = 1;")
                .unwrap();
        }
    }

    #[test]
    fn every_earlier_version_migrates_to_the_fresh_schema_keeping_its_data() {
        let mut fresh = Connection::open_in_memory().unwrap();
        assert_eq!(
            migrate(&mut fresh).unwrap(),
            Migration::Upgraded { from: 0 }
        );
        let want = schema_of(&fresh);
        for v in 0..LATEST {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, v).unwrap();
            assert_eq!(version(&conn).unwrap(), v);
            seed(&conn, v);
            assert_eq!(migrate(&mut conn).unwrap(), Migration::Upgraded { from: v });
            assert_eq!(version(&conn).unwrap(), LATEST);
            assert_eq!(schema_of(&conn), want, "schema after migrating from v{v}");
            if v > 0 {
                let n: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM messages WHERE session_id = 7",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(n, 2, "messages kept from v{v}");
                let kept: (Option<i64>, i64, i64) = conn
                    .query_row(
                        "SELECT (SELECT cost_micros FROM messages WHERE session_id = 7 AND seq = 1),
                                (SELECT count(*) FROM message_attachments),
                                (SELECT count(*) FROM tasks)",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .unwrap();
                let want = (
                    (v >= 5).then_some(12900),
                    i64::from(v >= 6),
                    i64::from(v >= 7),
                );
                assert_eq!(kept, want, "cost, attachments and tasks kept from v{v}");
                // A conversation from before the tree is one straight path.
                let parents: (Option<i64>, Option<i64>) = conn
                    .query_row(
                        "SELECT (SELECT parent FROM messages WHERE session_id = 7 AND seq = 0),
                                (SELECT parent FROM messages WHERE session_id = 7 AND seq = 1)",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap();
                assert_eq!(
                    parents,
                    (None, Some(0)),
                    "the reply follows its prompt (v{v})"
                );
                // Before the task flag, no message was a flagged card.
                let tasks: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM messages WHERE session_id = 7 AND task = 1",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(tasks, 0, "no message is a task card after v{v}");
                // Rows written before the index existed are searchable after it is built.
                let hit: i64 = conn
                    .query_row(
                        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"北京的\"'",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert!(hit > 0);
            }
        }
    }

    #[test]
    fn after_migrating_from_any_version_deleted_ids_are_never_given_out_again() {
        for v in 0..LATEST {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, v).unwrap();
            seed(&conn, v);
            migrate(&mut conn).unwrap();
            let store = crate::store::Store::from_connection(conn);
            let mut store = store.unwrap();
            let new = |store: &mut crate::store::Store| {
                store
                    .create_session(&crate::store::NewSession {
                        title: "t".into(),
                        model: "m".into(),
                        created: chrono::Local::now(),
                    })
                    .unwrap()
            };
            let first = new(&mut store);
            assert_eq!(first, if v == 0 { 1 } else { 8 }, "from v{v}");
            let second = new(&mut store);
            store.delete_session(second).unwrap();
            store.delete_session(first).unwrap();
            assert_eq!(new(&mut store), second + 1, "from v{v}");
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), Migration::Current);
    }

    #[test]
    fn a_newer_database_is_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", LATEST + 5))
            .unwrap();
        assert_eq!(
            migrate(&mut conn).unwrap(),
            Migration::Newer { found: LATEST + 5 }
        );
        assert!(schema_of(&conn).is_empty());
    }

    #[test]
    fn the_index_follows_inserts_updates_and_deletes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        seed(&conn, LATEST);
        let count = |q: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?1",
                [q],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(count("\"气温十\""), 1);
        conn.execute("UPDATE messages SET content = '明天有雨' WHERE seq = 1", [])
            .unwrap();
        assert_eq!(count("\"气温十\""), 0);
        assert_eq!(count("\"明天有\""), 1);
        conn.execute("DELETE FROM messages WHERE seq = 1", [])
            .unwrap();
        assert_eq!(count("\"明天有\""), 0);
    }
}
