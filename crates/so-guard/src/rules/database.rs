//! Database CLIs: DROP, TRUNCATE, DELETE/UPDATE without WHERE, FLUSHALL — in `-c`/`-e`
//! arguments, positional SQL, and text fed on standard input.

use std::sync::OnceLock;

use regex::Regex;

use super::RuleInfo;
use crate::engine::{Engine, Input, Invocation};
use crate::verdict::Severity;

macro_rules! db_rule {
    ($name:ident, $id:literal, $summary:literal, $alt:literal, $block:literal, $allow:literal) => {
        pub(crate) const $name: RuleInfo = RuleInfo {
            id: $id,
            pack: "database",
            severity: Severity::Deny,
            summary: $summary,
            alternative: $alt,
            block_example: $block,
            allow_example: $allow,
            always_enforced: false,
        };
    };
}

db_rule!(
    DROP,
    "db:drop",
    "`DROP DATABASE/TABLE/SCHEMA` (or `dropdb`, `dropDatabase()`) deletes data and its structure",
    "take a dump first and ask the user to run the drop",
    "psql -c 'DROP TABLE users;'",
    "psql -c 'SELECT count(*) FROM users'"
);
db_rule!(
    TRUNCATE,
    "db:truncate",
    "`TRUNCATE` deletes every row",
    "`DELETE ... WHERE` of the rows you mean, inside a transaction",
    "mysql -e 'TRUNCATE TABLE orders'",
    "mysql -e 'SELECT * FROM orders LIMIT 5'"
);
db_rule!(
    DELETE_ALL,
    "db:delete-without-where",
    "`DELETE`/`UPDATE` without a `WHERE` clause changes every row",
    "add a `WHERE` clause; run it in a transaction",
    "sqlite3 app.db 'DELETE FROM users'",
    "sqlite3 app.db 'DELETE FROM users WHERE id = 3'"
);
db_rule!(
    FLUSH,
    "db:flush",
    "`FLUSHALL`/`FLUSHDB` empties the Redis database",
    "delete the specific keys (`DEL key`)",
    "redis-cli FLUSHALL",
    "redis-cli GET session:1"
);

db_rule!(
    FRAMEWORK_RESET,
    "db:framework-reset",
    "a framework task that drops or resets the database (`rails db:drop`, `prisma migrate reset`, `manage.py flush`, `artisan migrate:fresh`)",
    "run the migration forward (`db:migrate`, `migrate dev`); ask the user before resetting data",
    "rails db:drop",
    "rails db:migrate"
);

pub(crate) static RULES: &[&RuleInfo] = &[&DROP, &TRUNCATE, &DELETE_ALL, &FLUSH, &FRAMEWORK_RESET];

/// Framework tasks that drop or reset a database, by tool: (tool, task words).
const RESET_TASKS: &[(&str, &[&str])] = &[
    (
        "rails",
        &[
            "db:drop",
            "db:reset",
            "db:purge",
            "db:schema:load",
            "db:structure:load",
            "db:truncate_all",
            "db:seed:replant",
        ],
    ),
    (
        "rake",
        &[
            "db:drop",
            "db:reset",
            "db:purge",
            "db:schema:load",
            "db:structure:load",
            "db:truncate_all",
        ],
    ),
    ("manage.py", &["flush", "reset_db", "sqlflush"]),
    (
        "artisan",
        &[
            "migrate:fresh",
            "migrate:reset",
            "db:wipe",
            "migrate:refresh",
        ],
    ),
    ("mix", &["ecto.drop", "ecto.reset"]),
    ("sequelize", &["db:drop", "db:migrate:undo:all"]),
    ("knex", &["migrate:rollback"]),
    ("alembic", &["base"]),
    ("supabase", &["reset"]),
];

/// `rails db:drop`, `python manage.py flush`, `php artisan migrate:fresh`, `prisma migrate reset`.
pub(crate) fn framework(e: &mut Engine, inv: &Invocation, tool: &str) {
    let args: Vec<&str> = inv.args().iter().map(|w| w.text.as_str()).collect();
    if tool == "prisma" {
        let reset = args.windows(2).any(|w| w == ["migrate", "reset"])
            || (args.contains(&"push")
                && args
                    .iter()
                    .any(|a| matches!(*a, "--force-reset" | "--accept-data-loss")));
        if reset {
            e.hit(&FRAMEWORK_RESET, inv, None);
        }
        return;
    }
    if tool == "knex" && !args.contains(&"--all") {
        return;
    }
    if tool == "alembic" && !args.contains(&"downgrade") {
        return;
    }
    if let Some((_, tasks)) = RESET_TASKS.iter().find(|(t, _)| *t == tool)
        && args.iter().any(|a| tasks.contains(a))
    {
        e.hit(&FRAMEWORK_RESET, inv, None);
    }
}

pub(crate) fn check(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    match name {
        "dropdb" | "dropuser" => {
            if !inv.has("--help") && args.iter().any(|w| !w.text.starts_with('-')) {
                e.hit(&DROP, inv, None);
            }
            return;
        }
        "mysqladmin" => {
            if args.iter().any(|w| w.text.eq_ignore_ascii_case("drop")) {
                e.hit(&DROP, inv, None);
            }
            return;
        }
        "redis-cli" => {
            let mut texts: Vec<String> = args.iter().map(|w| w.text.clone()).collect();
            if let Input::Text(t) = &inv.input {
                texts.push(t.clone());
            }
            if texts.iter().any(|t| {
                t.split_whitespace().any(|w| {
                    w.eq_ignore_ascii_case("FLUSHALL") || w.eq_ignore_ascii_case("FLUSHDB")
                })
            }) {
                e.hit(&FLUSH, inv, None);
            }
            return;
        }
        _ => {}
    }
    // Every argument may carry SQL (`-c`, `-e`, `--command`, `--eval`, positional for
    // sqlite3); judging all of them finds it wherever it sits. Then stdin text.
    let mut sql: Vec<String> = args.iter().map(|w| w.text.clone()).collect();
    if let Input::Text(t) = &inv.input {
        sql.push(t.clone());
    }
    for text in sql {
        if let Some(rule) = judge_sql(&text) {
            e.hit(rule, inv, None);
            return;
        }
    }
}

/// The rule an SQL (or Mongo shell) text breaks, if any. String literals are blanked first.
pub(crate) fn judge_sql(text: &str) -> Option<&'static RuleInfo> {
    static RES: OnceLock<Option<[Regex; 5]>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        Some([
            Regex::new(r"(?i)\bdrop\s+(?:database|table|schema|view|index|user|role|materialized\s+view|keyspace)\b").ok()?,
            Regex::new(r"(?i)\btruncate\b(?:\s+table)?\s+[\w.`\x22]").ok()?,
            Regex::new(r"(?i)\bdelete\s+from\s+[\w.`\x22]+\s*(?:;|$)").ok()?,
            Regex::new(r"(?i)\bupdate\s+[\w.`\x22]+\s+set\b[^;]*?(?:;|$)").ok()?,
            Regex::new(r"(?i)\b(?:dropDatabase|drop)\s*\(\s*\)|\bdeleteMany\s*\(\s*\{\s*\}\s*\)").ok()?,
        ])
    });
    let [drop, truncate, delete, update, mongo] = res.as_ref()?;
    let clean = blank_literals(text);
    if drop.is_match(&clean) || mongo.is_match(&clean) {
        return Some(&DROP);
    }
    if truncate.is_match(&clean) {
        return Some(&TRUNCATE);
    }
    if delete.is_match(&clean) {
        return Some(&DELETE_ALL);
    }
    for m in update.find_iter(&clean) {
        if !m.as_str().to_ascii_lowercase().contains(" where ") {
            return Some(&DELETE_ALL);
        }
    }
    None
}

/// SQL with the contents of '...' string literals blanked.
fn blank_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    for c in text.chars() {
        if c == '\'' {
            in_str = !in_str;
            out.push(c);
        } else if in_str {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_judgements() {
        assert!(judge_sql("DROP TABLE users;").is_some());
        assert!(judge_sql("drop table users").is_some());
        assert!(judge_sql("INSERT INTO audit(note) VALUES ('ran DROP TABLE tmp')").is_none());
        assert!(judge_sql("DELETE FROM users").is_some());
        assert!(judge_sql("DELETE FROM users WHERE id = 1").is_none());
        assert!(judge_sql("UPDATE users SET admin = true;").is_some());
        assert!(judge_sql("UPDATE users SET admin = true WHERE id = 2;").is_none());
        assert!(judge_sql("db.dropDatabase()").is_some());
        assert!(judge_sql("SELECT 1").is_none());
    }
}
