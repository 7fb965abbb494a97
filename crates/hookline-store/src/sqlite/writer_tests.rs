//! Group commits with and without savepoints, driven on one connection (no thread, no timing).

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{Durability, Isolation, Op, SyncMode, WriteOp, commit_group};
use crate::{StoreError, StoreResult};

type Reply = oneshot::Receiver<StoreResult<()>>;

fn conn() -> Connection {
    let conn = Connection::open_in_memory().expect("open");
    conn.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
        .expect("schema");
    conn
}

/// A write of `values` (one insert each), failing with a conflict on a value already there.
fn insert(isolation: Isolation, values: &[i64]) -> (Box<dyn WriteOp>, Reply) {
    let values = values.to_vec();
    let (reply, answer) = oneshot::channel();
    let op = Op {
        work: Some(move |c: &Connection| -> StoreResult<()> {
            for v in values {
                c.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
            }
            Ok(())
        }),
        outcome: None,
        reply,
        durability: Durability::Synced,
        isolation,
    };
    (Box::new(op), answer)
}

fn stored(conn: &Connection) -> Vec<i64> {
    let mut select = conn.prepare("SELECT v FROM t ORDER BY v").expect("select");
    select
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("values")
}

fn outcome(mut answer: Reply) -> StoreResult<()> {
    answer.try_recv().expect("every write is answered")
}

#[test]
fn a_shared_write_that_fails_before_changing_anything_costs_the_others_nothing() {
    let conn = conn();
    conn.execute("INSERT INTO t (v) VALUES (1)", [])
        .expect("seed");
    let (a, a_says) = insert(Isolation::Shared, &[2]);
    let (taken, taken_says) = insert(Isolation::Shared, &[1, 9]);
    let (b, b_says) = insert(Isolation::Shared, &[3]);
    let (own, own_says) = insert(Isolation::Own, &[4]);
    assert!(commit_group(&conn, vec![a, taken, b, own], SyncMode::Full));
    assert!(outcome(a_says).is_ok());
    assert!(matches!(outcome(taken_says), Err(StoreError::Conflict(_))));
    assert!(outcome(b_says).is_ok());
    assert!(outcome(own_says).is_ok());
    assert_eq!(stored(&conn), vec![1, 2, 3, 4]);
}

#[test]
fn a_shared_write_that_fails_half_way_undoes_the_shared_writes_before_it_only() {
    let conn = conn();
    conn.execute("INSERT INTO t (v) VALUES (1)", [])
        .expect("seed");
    let (a, a_says) = insert(Isolation::Shared, &[2]);
    // Inserts 5, then conflicts on 1: its 5 must not stay.
    let (half, half_says) = insert(Isolation::Shared, &[5, 1]);
    let (b, b_says) = insert(Isolation::Shared, &[3]);
    let (own, own_says) = insert(Isolation::Own, &[4]);
    assert!(commit_group(&conn, vec![a, half, b, own], SyncMode::Full));
    assert!(
        matches!(outcome(a_says), Err(StoreError::Unavailable(_))),
        "undone with the failed write, and told so"
    );
    assert!(matches!(outcome(half_says), Err(StoreError::Conflict(_))));
    assert!(outcome(b_says).is_ok());
    assert!(outcome(own_says).is_ok());
    assert_eq!(stored(&conn), vec![1, 3, 4]);
}

#[test]
fn a_write_with_its_own_savepoint_fails_alone() {
    let conn = conn();
    conn.execute("INSERT INTO t (v) VALUES (1)", [])
        .expect("seed");
    let (shared, shared_says) = insert(Isolation::Shared, &[2]);
    let (half, half_says) = insert(Isolation::Own, &[5, 1]);
    let (own, own_says) = insert(Isolation::Own, &[3]);
    assert!(commit_group(&conn, vec![shared, half, own], SyncMode::Full));
    assert!(outcome(shared_says).is_ok());
    assert!(matches!(outcome(half_says), Err(StoreError::Conflict(_))));
    assert!(outcome(own_says).is_ok());
    assert_eq!(stored(&conn), vec![1, 2, 3]);
}

#[test]
fn a_lone_write_that_fails_leaves_nothing_behind() {
    let conn = conn();
    conn.execute("INSERT INTO t (v) VALUES (1)", [])
        .expect("seed");
    let (half, half_says) = insert(Isolation::Own, &[5, 1]);
    assert!(commit_group(&conn, vec![half], SyncMode::Full));
    assert!(matches!(outcome(half_says), Err(StoreError::Conflict(_))));
    assert_eq!(stored(&conn), vec![1]);
    assert!(conn.is_autocommit(), "no transaction left open");
}
