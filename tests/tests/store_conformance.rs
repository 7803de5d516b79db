//! One item-level conformance suite, run against both adapters of the item port: the embedded
//! redb store and the DynamoDB store on moto. A rule that holds on one must hold on the other.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use ovop_platform::clock::ManualClock;
use ovop_platform::store::item::{
    Condition, Index, IndexKey, Item, ItemStore, Key, LimitExceeded, Op, Page, Query,
    SortCondition, StoreError, MAX_ITEM_BYTES, MAX_TRANSACTION_OPS,
};
use ovop_platform::store::{Listing, Store};
use ovop_tests::start_time;

/// The store under test and the clock that decides expiry.
struct Subject {
    store: Arc<dyn ItemStore>,
    clock: Arc<ManualClock>,
}

fn item(pk: &str, sk: &str, version: u64) -> Item {
    Item {
        key: Key::new(pk, sk),
        indexes: vec![],
        version,
        expires_at: None,
        body: format!("{{\"pk\":\"{pk}\",\"sk\":\"{sk}\",\"v\":{version}}}"),
        summary: None,
    }
}

/// An item listed in gsi1 under `partition` / `sort`.
fn indexed(pk: &str, partition: &str, sort: &str, version: u64) -> Item {
    Item {
        indexes: vec![IndexKey {
            index: Index::Gsi1,
            pk: partition.into(),
            sk: sort.into(),
        }],
        summary: Some(format!("\"{pk}\"")),
        ..item(pk, "ITEM", version)
    }
}

fn put(item: Item, condition: Condition) -> Op {
    Op::Put { item, condition }
}

async fn write(s: &Subject, ops: Vec<Op>) {
    s.store.transact(ops).await.expect("transaction applies");
}

/// The first page of `partition` in gsi1.
async fn gsi1(s: &Subject, partition: &str) -> Page {
    s.store
        .query(&Query::partition(Index::Gsi1, partition, 10))
        .await
        .unwrap()
}

fn keys(page: &Page) -> Vec<String> {
    page.items.iter().map(|f| f.key.pk.clone()).collect()
}

/// Every page of `query`, following cursors; the keys in the order received.
async fn all_pages(s: &Subject, mut query: Query) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut pages = 0;
    loop {
        let page = s.store.query(&query).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= query.limit);
        out.extend(keys(&page));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return (out, pages),
        }
    }
}

async fn a_put_item_reads_back_unchanged(s: Subject) {
    let mut it = indexed("A#1", "P", "s1", 3);
    it.expires_at = Some(start_time().timestamp() + 3600);
    write(&s, vec![put(it.clone(), Condition::Absent)]).await;
    assert_eq!(s.store.get(&it.key).await.unwrap(), Some(it));
    assert_eq!(s.store.get(&Key::new("A#2", "ITEM")).await.unwrap(), None);
}

async fn a_create_over_an_existing_item_is_refused_with_its_version(s: Subject) {
    write(&s, vec![put(item("A", "x", 4), Condition::Absent)]).await;
    let err = s
        .store
        .transact(vec![put(item("A", "x", 1), Condition::Absent)])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ConditionFailed {
                op: 0,
                condition: Condition::Absent,
                current: Some(4)
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        s.store
            .get(&Key::new("A", "x"))
            .await
            .unwrap()
            .unwrap()
            .version,
        4
    );
}

async fn a_stale_version_is_refused_and_the_stored_item_is_kept(s: Subject) {
    write(&s, vec![put(item("A", "x", 1), Condition::Absent)]).await;
    write(&s, vec![put(item("A", "x", 2), Condition::Version(1))]).await;
    let err = s
        .store
        .transact(vec![put(item("A", "x", 2), Condition::Version(1))])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ConditionFailed {
                current: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    let missing = s
        .store
        .transact(vec![put(item("B", "x", 2), Condition::Version(1))])
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::ConditionFailed { current: None, .. }),
        "{missing:?}"
    );
    let present = s
        .store
        .transact(vec![put(item("B", "x", 1), Condition::Present)])
        .await
        .unwrap_err();
    assert!(matches!(
        present,
        StoreError::ConditionFailed { current: None, .. }
    ));
    assert_eq!(s.store.get(&Key::new("B", "x")).await.unwrap(), None);
}

async fn a_failed_condition_names_its_op_and_writes_nothing(s: Subject) {
    write(&s, vec![put(item("C", "x", 5), Condition::Absent)]).await;
    let err = s
        .store
        .transact(vec![
            put(item("A", "x", 1), Condition::Absent),
            put(indexed("B", "P", "b", 1), Condition::Absent),
            Op::Check {
                key: Key::new("C", "x"),
                condition: Condition::Version(4),
            },
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ConditionFailed {
                op: 2,
                current: Some(5),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.store.get(&Key::new("A", "x")).await.unwrap(), None);
    assert_eq!(s.store.get(&Key::new("B", "ITEM")).await.unwrap(), None);
    let listed = gsi1(&s, "P").await;
    assert!(listed.items.is_empty(), "no index entry of the refused put");
    // The same transaction with a true check applies all of it.
    write(
        &s,
        vec![
            put(item("A", "x", 1), Condition::Absent),
            put(indexed("B", "P", "b", 1), Condition::Absent),
            Op::Check {
                key: Key::new("C", "x"),
                condition: Condition::Version(5),
            },
        ],
    )
    .await;
    assert!(s.store.get(&Key::new("A", "x")).await.unwrap().is_some());
    assert_eq!(
        s.store
            .get(&Key::new("C", "x"))
            .await
            .unwrap()
            .unwrap()
            .version,
        5,
        "a check writes nothing"
    );
}

async fn a_deleted_item_leaves_its_index(s: Subject) {
    write(&s, vec![put(indexed("A", "P", "a", 1), Condition::Absent)]).await;
    let stale = s
        .store
        .transact(vec![Op::Delete {
            key: Key::new("A", "ITEM"),
            condition: Condition::Version(2),
        }])
        .await;
    assert!(matches!(stale, Err(StoreError::ConditionFailed { .. })));
    write(
        &s,
        vec![Op::Delete {
            key: Key::new("A", "ITEM"),
            condition: Condition::Version(1),
        }],
    )
    .await;
    assert_eq!(s.store.get(&Key::new("A", "ITEM")).await.unwrap(), None);
    let listed = gsi1(&s, "P").await;
    assert!(listed.items.is_empty(), "{listed:?}");
}

async fn an_item_whose_indexed_attribute_changes_moves_partition(s: Subject) {
    write(
        &s,
        vec![put(indexed("A", "DRAFT", "a", 1), Condition::Absent)],
    )
    .await;
    write(
        &s,
        vec![put(indexed("B", "DRAFT", "b", 1), Condition::Absent)],
    )
    .await;
    write(
        &s,
        vec![put(
            indexed("A", "SUBMITTED", "a", 2),
            Condition::Version(1),
        )],
    )
    .await;
    let drafts = gsi1(&s, "DRAFT").await;
    assert_eq!(keys(&drafts), ["B"]);
    let submitted = gsi1(&s, "SUBMITTED").await;
    assert_eq!(keys(&submitted), ["A"]);
    assert_eq!(submitted.items[0].version, 2);
    // The sort key moves too, within a partition.
    write(
        &s,
        vec![put(indexed("B", "DRAFT", "z", 2), Condition::Version(1))],
    )
    .await;
    write(
        &s,
        vec![put(indexed("C", "DRAFT", "m", 1), Condition::Absent)],
    )
    .await;
    let drafts = gsi1(&s, "DRAFT").await;
    assert_eq!(keys(&drafts), ["C", "B"]);
}

async fn index_queries_return_the_summary_and_primary_queries_the_body(s: Subject) {
    let it = indexed("A", "P", "a", 1);
    write(&s, vec![put(it.clone(), Condition::Absent)]).await;
    let by_index = gsi1(&s, "P").await;
    assert_eq!(by_index.items[0].data, it.summary.clone().unwrap());
    assert_eq!(by_index.items[0].index_sk, "a");
    let by_key = s
        .store
        .query(&Query::partition(Index::Primary, "A", 10))
        .await
        .unwrap();
    assert_eq!(by_key.items[0].data, it.body);
}

async fn pages_miss_and_repeat_nothing_in_either_direction(s: Subject) {
    for i in 0..10 {
        write(
            &s,
            vec![
                put(item("PART", &format!("s{i:02}"), 1), Condition::Absent),
                put(
                    indexed(&format!("I{i:02}"), "P", &format!("k{}", i % 4), 1),
                    Condition::Absent,
                ),
            ],
        )
        .await;
    }
    let mut primary = Query::partition(Index::Primary, "PART", 3);
    let (got, pages) = all_pages(&s, primary.clone()).await;
    assert_eq!(got.len(), 10);
    assert_eq!(pages, 4);
    primary.descending = true;
    let sks: Vec<String> = {
        let mut q = primary.clone();
        let mut out = Vec::new();
        loop {
            let page = s.store.query(&q).await.unwrap();
            out.extend(page.items.iter().map(|f| f.key.sk.clone()));
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        out
    };
    let expected: Vec<String> = (0..10).rev().map(|i| format!("s{i:02}")).collect();
    assert_eq!(sks, expected);
    // Index entries with equal sort keys are ordered by item key, and pages split between them.
    let (ascending, _) = all_pages(&s, Query::partition(Index::Gsi1, "P", 3)).await;
    let mut expected: Vec<(String, String)> = (0..10)
        .map(|i| (format!("k{}", i % 4), format!("I{i:02}")))
        .collect();
    expected.sort();
    assert_eq!(
        ascending,
        expected.iter().map(|(_, k)| k.clone()).collect::<Vec<_>>()
    );
    let mut desc = Query::partition(Index::Gsi1, "P", 4);
    desc.descending = true;
    let (descending, _) = all_pages(&s, desc).await;
    let reversed: Vec<String> = expected.iter().rev().map(|(_, k)| k.clone()).collect();
    assert_eq!(descending, reversed);
}

async fn pages_stay_whole_while_items_are_added(s: Subject) {
    for i in 0..6 {
        write(
            &s,
            vec![put(
                indexed(&format!("N{i}"), "P", &format!("k{:02}", i * 2), 1),
                Condition::Absent,
            )],
        )
        .await;
    }
    let mut query = Query::partition(Index::Gsi1, "P", 2);
    let mut seen = Vec::new();
    let mut added = 0;
    loop {
        let page = s.store.query(&query).await.unwrap();
        seen.extend(keys(&page));
        // Between pages, add one item before the cursor and one after it.
        if added < 3 {
            let before = format!("k{:02}", added * 2 + 1);
            write(
                &s,
                vec![
                    put(
                        indexed(&format!("B{added}"), "P", &before, 1),
                        Condition::Absent,
                    ),
                    put(
                        indexed(&format!("Z{added}"), "P", &format!("z{added}"), 1),
                        Condition::Absent,
                    ),
                ],
            )
            .await;
            added += 1;
        }
        match page.next {
            Some(n) => query.after = Some(n),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "nothing repeated: {seen:?}");
    for i in 0..6 {
        assert!(seen.contains(&format!("N{i}")), "N{i} missed: {seen:?}");
    }
    for i in 0..3 {
        assert!(
            seen.contains(&format!("Z{i}")),
            "items added after the cursor are listed: {seen:?}"
        );
    }
}

async fn sort_conditions_select_like_key_conditions(s: Subject) {
    let s = &s;
    for sk in ["2024#a", "2026#a", "2026#b", "2026#c", "2027#a"] {
        write(s, vec![put(item("R", sk, 1), Condition::Absent)]).await;
    }
    let run = |sort: SortCondition| async move {
        let q = Query {
            sort,
            ..Query::partition(Index::Primary, "R", 10)
        };
        let page = s.store.query(&q).await.unwrap();
        page.items.into_iter().map(|f| f.key.sk).collect::<Vec<_>>()
    };
    assert_eq!(
        run(SortCondition::BeginsWith("2026#".into())).await,
        ["2026#a", "2026#b", "2026#c"]
    );
    assert_eq!(
        run(SortCondition::Between("2026#b".into(), "2027#a".into())).await,
        ["2026#b", "2026#c", "2027#a"]
    );
    assert_eq!(
        run(SortCondition::AtLeast("2026#c".into())).await,
        ["2026#c", "2027#a"]
    );
    assert_eq!(
        run(SortCondition::AtMost("2026#a".into())).await,
        ["2024#a", "2026#a"]
    );
    assert_eq!(
        run(SortCondition::Equals("2026#b".into())).await,
        ["2026#b"]
    );
}

async fn an_expired_item_counts_as_absent(s: Subject) {
    let now = start_time().timestamp();
    let mut it = indexed("A", "P", "a", 1);
    it.expires_at = Some(now + 60);
    write(&s, vec![put(it.clone(), Condition::Absent)]).await;
    assert!(s.store.get(&it.key).await.unwrap().is_some());
    s.clock.set(start_time() + Duration::seconds(61));
    assert_eq!(s.store.get(&it.key).await.unwrap(), None);
    let listed = gsi1(&s, "P").await;
    assert!(listed.items.is_empty(), "{listed:?}");
    let present = s
        .store
        .transact(vec![Op::Check {
            key: it.key.clone(),
            condition: Condition::Present,
        }])
        .await;
    assert!(matches!(present, Err(StoreError::ConditionFailed { .. })));
    // A create over it succeeds: the key is free again.
    let mut again = it.clone();
    again.expires_at = None;
    again.version = 7;
    write(&s, vec![put(again, Condition::Absent)]).await;
    assert_eq!(s.store.get(&it.key).await.unwrap().unwrap().version, 7);
}

async fn dynamodb_limits_fail_here_too(s: Subject) {
    let ops: Vec<Op> = (0..=MAX_TRANSACTION_OPS)
        .map(|i| put(item(&format!("L{i}"), "x", 1), Condition::Absent))
        .collect();
    let err = s.store.transact(ops).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Limit(LimitExceeded::TooManyOps(101))),
        "{err:?}"
    );
    let mut big = item("BIG", "x", 1);
    big.body = "x".repeat(MAX_ITEM_BYTES);
    let err = s
        .store
        .transact(vec![put(big, Condition::Absent)])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Limit(LimitExceeded::ItemTooLarge { op: 0, .. })
        ),
        "{err:?}"
    );
    let twice = s
        .store
        .transact(vec![
            put(item("T", "x", 1), Condition::Absent),
            put(item("T", "x", 1), Condition::Always),
        ])
        .await
        .unwrap_err();
    assert!(matches!(
        twice,
        StoreError::Limit(LimitExceeded::SameItemTwice { .. })
    ));
    assert_eq!(s.store.get(&Key::new("L0", "x")).await.unwrap(), None);
    assert_eq!(s.store.get(&Key::new("BIG", "x")).await.unwrap(), None);
    // The largest allowed item is written.
    let mut largest = item("MAX", "x", 1);
    largest.body.clear();
    let room = MAX_ITEM_BYTES - largest.size();
    largest.body = "y".repeat(room);
    write(&s, vec![put(largest.clone(), Condition::Absent)]).await;
    assert_eq!(
        s.store.get(&largest.key).await.unwrap().unwrap().body.len(),
        room
    );
}

async fn concurrent_writes_of_one_version_let_exactly_one_win(s: Subject) {
    write(&s, vec![put(item("A", "x", 1), Condition::Absent)]).await;
    let attempts = (0..6).map(|i| {
        let mut next = item("A", "x", 2);
        next.body = format!("{{\"winner\":{i}}}");
        let store = Arc::clone(&s.store);
        async move { store.transact(vec![put(next, Condition::Version(1))]).await }
    });
    let results = futures::future::join_all(attempts).await;
    let wins: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(wins.len(), 1, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(
            e,
            StoreError::ConditionFailed {
                current: Some(2),
                ..
            }
        )));
    for _ in 0..3 {
        let stored = s.store.get(&Key::new("A", "x")).await.unwrap().unwrap();
        assert_eq!(stored.body, format!("{{\"winner\":{}}}", wins[0]));
    }
}

async fn a_listing_merges_partitions_in_order_across_pages(s: Subject) {
    // Ten items spread over three partitions, as a sharded index spreads them.
    for i in 0..10 {
        write(
            &s,
            vec![put(
                indexed(
                    &format!("M{i:02}"),
                    &format!("SHARD#{}", i % 3),
                    &format!("k{i:02}"),
                    1,
                ),
                Condition::Absent,
            )],
        )
        .await;
    }
    let store = Store::new(Arc::clone(&s.store));
    let listing = Listing {
        index: Index::Gsi1,
        partitions: (0..3).map(|p| format!("SHARD#{p}")).collect(),
        sort: SortCondition::Any,
        descending: false,
    };
    let mut cursor = None;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let page = store
            .list::<String>("test", &listing, 4, cursor, |_| true)
            .await
            .unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(page.items);
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let expected: Vec<String> = (0..10).map(|i| format!("M{i:02}")).collect();
    assert_eq!(seen, expected);
    // A filter keeps the order and drops the rest.
    let odd = store
        .list::<String>("test", &listing, 50, None, |k: &String| {
            k.ends_with('1') || k.ends_with('3')
        })
        .await
        .unwrap();
    assert_eq!(odd.items, ["M01", "M03"]);
    assert_eq!(odd.next, None);
}

macro_rules! conformance {
    ($($rule:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test]
                async fn $rule() {
                    let clock = std::sync::Arc::new(ovop_platform::clock::ManualClock::new(ovop_tests::start_time()));
                    let (store, _dir) = ovop_tests::embedded_store_with(clock.clone());
                    super::$rule(super::Subject { store: std::sync::Arc::new(store), clock }).await;
                }
            )*
        }
        mod dynamodb_on_moto {
            $(
                #[tokio::test]
                async fn $rule() {
                    let clock = std::sync::Arc::new(ovop_platform::clock::ManualClock::new(ovop_tests::start_time()));
                    let store = ovop_tests::dynamo_store_with(clock.clone()).await;
                    super::$rule(super::Subject { store: std::sync::Arc::new(store), clock }).await;
                }
            )*
        }
    };
}

conformance!(
    a_put_item_reads_back_unchanged,
    a_create_over_an_existing_item_is_refused_with_its_version,
    a_stale_version_is_refused_and_the_stored_item_is_kept,
    a_failed_condition_names_its_op_and_writes_nothing,
    a_deleted_item_leaves_its_index,
    an_item_whose_indexed_attribute_changes_moves_partition,
    index_queries_return_the_summary_and_primary_queries_the_body,
    pages_miss_and_repeat_nothing_in_either_direction,
    pages_stay_whole_while_items_are_added,
    sort_conditions_select_like_key_conditions,
    an_expired_item_counts_as_absent,
    dynamodb_limits_fail_here_too,
    concurrent_writes_of_one_version_let_exactly_one_win,
    a_listing_merges_partitions_in_order_across_pages,
);
