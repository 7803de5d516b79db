//! The SAM template agrees with the code: every function crate is deployed, arm64 on
//! provided.al2023 built by cargo-lambda; every environment variable a function reads is set;
//! every DynamoDB action its code calls is allowed, and nothing more (least privilege); the
//! table has the indexes and TTL attribute the adapter uses. Lists come from the source files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_norway::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template() -> Value {
    let text = std::fs::read_to_string(root().join("infra/template.yaml")).unwrap();
    serde_norway::from_str(&text).expect("template parses as YAML")
}

fn rust_sources(dir: &Path, skip: &[&str]) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.push_str(&rust_sources(&path, skip));
        } else if path.extension().is_some_and(|e| e == "rs")
            && !skip.iter().any(|s| path.ends_with(s))
        {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

/// Code linked into a function: its crate and the shared platform crate. Table creation
/// (`dynamo_schema.rs`) is for emulators only and never runs in Lambda.
fn function_sources(crate_dir: &str) -> String {
    let mut s = rust_sources(&root().join(crate_dir).join("src"), &[]);
    s.push_str(&rust_sources(
        &root().join("functions/platform/src"),
        &["dynamo_schema.rs"],
    ));
    s
}

/// `(logical id, code dir, properties)` of every function resource.
fn functions(t: &Value) -> Vec<(String, String, Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| {
            let code = r["Properties"]["CodeUri"].as_str().unwrap();
            let dir = code.trim_start_matches("../").to_owned();
            (id.as_str().unwrap().to_owned(), dir, r.clone())
        })
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(Into::into))
            .collect(),
        _ => vec![],
    }
}

fn allowed_actions(function: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for policy in function["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        for statement in policy["Statement"].as_sequence().into_iter().flatten() {
            if statement["Effect"] == "Allow" {
                out.extend(strings(&statement["Action"]));
            }
        }
    }
    out
}

/// IAM actions behind the SDK calls in the sources.
fn dynamodb_actions(sources: &str) -> BTreeSet<String> {
    let call = Regex::new(r"\.(get_item|put_item|update_item|delete_item|query|scan|batch_get_item|batch_write_item|transact_get_items|transact_write_items|describe_table|create_table)\(\)").unwrap();
    let mut out = BTreeSet::new();
    for cap in call.captures_iter(sources) {
        let action = match &cap[1] {
            "get_item" => "GetItem",
            "put_item" => "PutItem",
            "update_item" => "UpdateItem",
            "delete_item" => "DeleteItem",
            "query" => "Query",
            "scan" => "Scan",
            "batch_get_item" => "BatchGetItem",
            "batch_write_item" => "BatchWriteItem",
            "transact_get_items" => "GetItem",
            // A transaction needs the permission of each kind of item action it contains.
            "transact_write_items" => {
                for (builder, action) in [
                    ("put(", "PutItem"),
                    ("update(", "UpdateItem"),
                    ("delete(", "DeleteItem"),
                    ("condition_check(", "ConditionCheckItem"),
                ] {
                    let pattern = format!(
                        r"TransactWriteItem::builder\(\)\s*\.{}",
                        regex::escape(builder)
                    );
                    if Regex::new(&pattern).unwrap().is_match(sources) {
                        out.insert(format!("dynamodb:{action}"));
                    }
                }
                continue;
            }
            "describe_table" => "DescribeTable",
            "create_table" => "CreateTable",
            other => panic!("unmapped call {other}"),
        };
        out.insert(format!("dynamodb:{action}"));
    }
    out
}

#[test]
fn every_function_crate_is_deployed_on_arm64_with_cargo_lambda() {
    let t = template();
    let deployed: BTreeSet<String> = functions(&t).into_iter().map(|(_, dir, _)| dir).collect();
    for entry in std::fs::read_dir(root().join("functions")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        // The local app is not a Lambda function.
        if dir.join("src/main.rs").exists() && name != "local" {
            assert!(
                deployed.contains(&format!("functions/{name}")),
                "functions/{name} is not in the template"
            );
        }
    }
    let globals = &t["Globals"]["Function"];
    assert_eq!(globals["Runtime"], "provided.al2023");
    assert_eq!(strings(&globals["Architectures"]), ["arm64"]);
    assert!(globals["MemorySize"].as_u64().unwrap() >= 512);
    for (id, _, f) in functions(&t) {
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{id}");
    }
}

#[test]
fn every_environment_variable_a_function_reads_is_set() {
    let t = template();
    let read = Regex::new(r#"env::var\("([A-Z0-9_]+)"\)"#).unwrap();
    let global: BTreeSet<String> = t["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(Into::into))
                .collect()
        })
        .unwrap_or_default();
    for (id, dir, f) in functions(&t) {
        let mut set = global.clone();
        if let Some(vars) = f["Properties"]["Environment"]["Variables"].as_mapping() {
            set.extend(vars.keys().filter_map(|k| k.as_str().map(Into::into)));
        }
        let sources = function_sources(&dir);
        let needed: BTreeSet<String> = read
            .captures_iter(&sources)
            .map(|c| c[1].to_owned())
            .collect();
        assert!(
            !needed.is_empty(),
            "{id}: expected to find the variables it reads"
        );
        let missing: Vec<_> = needed.difference(&set).collect();
        assert!(
            missing.is_empty(),
            "{id} reads {missing:?} but the template does not set them"
        );
    }
}

#[test]
fn each_function_may_call_exactly_the_table_actions_its_code_uses() {
    let t = template();
    for (id, dir, f) in functions(&t) {
        let used = dynamodb_actions(&function_sources(&dir));
        assert!(!used.is_empty(), "{id}: no DynamoDB calls found");
        let allowed: BTreeSet<String> = allowed_actions(&f)
            .into_iter()
            .filter(|a| a.starts_with("dynamodb:"))
            .collect();
        let missing: Vec<_> = used.difference(&allowed).collect();
        assert!(
            missing.is_empty(),
            "{id} calls {missing:?} without permission"
        );
        let extra: Vec<_> = allowed.difference(&used).collect();
        assert!(
            extra.is_empty(),
            "{id} is allowed {extra:?} that its code never calls"
        );
    }
}

#[test]
fn the_table_has_the_indexes_and_ttl_the_adapter_uses() {
    let t = template();
    let table = &t["Resources"]["Table"]["Properties"];
    let indexes: BTreeSet<String> = table["GlobalSecondaryIndexes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|g| g["IndexName"].as_str().unwrap().to_owned())
        .collect();
    let store = root().join("functions/platform/src/store");
    let port = std::fs::read_to_string(store.join("item.rs")).unwrap();
    let used: BTreeSet<String> = Regex::new(r#"Index::Gsi\d => "(gsi\d)""#)
        .unwrap()
        .captures_iter(&port)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(used.len(), 3, "{used:?}");
    assert_eq!(used, indexes, "the table has exactly the port's indexes");
    let schema = std::fs::read_to_string(store.join("dynamo_schema.rs")).unwrap();
    let projected: Vec<String> = Regex::new(r#"INDEX_PROJECTION: \[&str; \d\] = \[([^\]]*)\]"#)
        .unwrap()
        .captures(&schema)
        .expect("INDEX_PROJECTION in dynamo_schema.rs")[1]
        .split(',')
        .map(|a| a.trim().trim_matches('"').to_owned())
        .collect();
    for gsi in table["GlobalSecondaryIndexes"].as_sequence().unwrap() {
        assert_eq!(gsi["Projection"]["ProjectionType"], "INCLUDE");
        let attrs: Vec<String> = strings(&gsi["Projection"]["NonKeyAttributes"]);
        assert_eq!(
            attrs, projected,
            "{:?} projects what index queries read",
            gsi["IndexName"]
        );
    }
    let adapter = std::fs::read_to_string(store.join("dynamo.rs")).unwrap();
    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"],
        "expires_at"
    );
    assert!(
        adapter.contains("expires_at"),
        "idempotency items carry the TTL attribute"
    );
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(table["DeletionProtectionEnabled"], true);
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
}
