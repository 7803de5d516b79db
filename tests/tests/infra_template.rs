//! The SAM template agrees with the code: every function crate is deployed, arm64 on
//! provided.al2023 built by cargo-lambda; every environment variable a function reads is set;
//! every DynamoDB action its code calls is allowed, and nothing more (least privilege), queries
//! only on indexes except the primary-key listings the entities declare; the table has the
//! indexes and TTL attribute the adapter uses. Lists come from the source files.
//!
//! And the template is production-ready: the user pool retained and protected, sign-in through
//! managed login with the code flow and URLs built from `SiteOrigin` (docs/sign-in.md), security
//! headers on every CloudFront answer, nothing from the API cached, the API throttled and
//! logged, every log group with a retention, no concurrency reserved by default, and the outputs
//! the deploy scripts read.
//!
//! With a downloads key, documents are read through CloudFront only with a URL the uploads
//! function signed, with the key it reads from exactly one SSM parameter; with malware scanning,
//! no one but the uploads function and the scanner reads a document no scan has cleared
//! (docs/uploads.md).

use std::collections::{BTreeMap, BTreeSet};
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
/// (`dynamo_schema.rs`) is for emulators only and never runs in Lambda; the modules of
/// `objects` behind the `s3` feature (`#[cfg(feature = "s3")] pub mod x;`) only in the
/// functions that enable it.
fn function_sources(crate_dir: &str) -> String {
    let mut s = rust_sources(&root().join(crate_dir).join("src"), &[]);
    let mut skip = vec!["store/dynamo_schema.rs".to_owned()];
    if !links_s3(crate_dir) {
        skip.extend(s3_only_modules());
    } else if !s.contains("DownloadLinks") {
        // CloudFront signed download links (and the key they read from SSM) are the uploads
        // function's; another function with S3 makes presigned links only.
        skip.extend([
            "objects/downloads.rs".to_owned(),
            "objects/cloudfront.rs".to_owned(),
        ]);
    }
    let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
    s.push_str(&rust_sources(&root().join("functions/platform/src"), &skip));
    s
}

/// `objects/x.rs` for every `#[cfg(feature = "s3")] pub mod x;` of `objects/mod.rs`.
fn s3_only_modules() -> Vec<String> {
    let objects =
        std::fs::read_to_string(root().join("functions/platform/src/objects/mod.rs")).unwrap();
    let modules: Vec<String> = Regex::new(r#"#\[cfg\(feature = "s3"\)\]\s*pub mod (\w+);"#)
        .unwrap()
        .captures_iter(&objects)
        .map(|c| format!("objects/{}.rs", &c[1]))
        .collect();
    assert!(modules.contains(&"objects/s3.rs".to_owned()), "{modules:?}");
    modules
}

/// The items of a list as deployed in some configuration: `!If [c, item, !Ref AWS::NoValue]`
/// is its item, `!If [c, a, b]` both.
fn present(items: &Value) -> Vec<Value> {
    items
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|item| match if_branches(item) {
            Some((_, then, otherwise)) if is_ref(&otherwise, "AWS::NoValue") => vec![then],
            Some((_, then, otherwise)) => vec![then, otherwise],
            None => vec![item.clone()],
        })
        .collect()
}

/// The condition of a list item `!If [condition, item, !Ref AWS::NoValue]` whose item `pick`
/// chooses, and that item.
fn conditional_item(items: &Value, pick: impl Fn(&Value) -> bool) -> (String, Value) {
    items
        .as_sequence()
        .into_iter()
        .flatten()
        .find_map(|item| {
            let (condition, then, otherwise) = if_branches(item)?;
            (is_ref(&otherwise, "AWS::NoValue") && pick(&then)).then_some((condition, then))
        })
        .unwrap_or_else(|| panic!("no conditional item matches in {items:?}"))
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

/// Every action an `Allow` statement of the function's policies names, conditional ones too.
fn allowed_actions(function: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for statement in policy_statements(function) {
        if statement["Effect"] == "Allow" {
            out.extend(strings(&statement["Action"]));
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

/// Whether the function's crate links the S3 adapter (`ovop-platform` feature `s3`).
fn links_s3(crate_dir: &str) -> bool {
    let manifest = std::fs::read_to_string(root().join(crate_dir).join("Cargo.toml")).unwrap();
    Regex::new(r#"ovop-platform\s*=\s*\{[^}]*features\s*=\s*\[[^\]]*"s3""#)
        .unwrap()
        .is_match(&manifest)
}

/// IAM actions behind the S3 SDK calls in the sources (the adapter in `objects/s3.rs`).
fn s3_actions(sources: &str) -> BTreeSet<String> {
    let call = Regex::new(r"\.(put_object|create_multipart_upload|upload_part|complete_multipart_upload|abort_multipart_upload|list_parts|head_object|get_object|delete_object|delete_objects|copy_object|list_objects_v2|list_multipart_uploads)\(\)").unwrap();
    call.captures_iter(sources)
        .map(|cap| {
            let action = match &cap[1] {
                // Creating, sending and completing parts are all PutObject for IAM.
                "put_object"
                | "create_multipart_upload"
                | "upload_part"
                | "complete_multipart_upload"
                | "copy_object" => "PutObject",
                "abort_multipart_upload" => "AbortMultipartUpload",
                "list_parts" => "ListMultipartUploadParts",
                // HEAD is GetObject for IAM.
                "head_object" | "get_object" => "GetObject",
                "delete_object" | "delete_objects" => "DeleteObject",
                "list_objects_v2" => "ListBucket",
                "list_multipart_uploads" => "ListBucketMultipartUploads",
                other => panic!("unmapped call {other}"),
            };
            format!("s3:{action}")
        })
        .collect()
}

#[test]
fn each_function_may_call_exactly_the_s3_actions_its_code_uses_on_its_own_prefixes() {
    let t = template();
    let mut with_s3 = 0;
    for (id, dir, f) in functions(&t) {
        let used = if links_s3(&dir) {
            with_s3 += 1;
            let mut sources = rust_sources(&root().join(&dir).join("src"), &[]);
            sources.push_str(&rust_sources(
                &root().join("functions/platform/src/objects"),
                &[],
            ));
            s3_actions(&sources)
        } else {
            BTreeSet::new()
        };
        let allowed: BTreeSet<String> = allowed_actions(&f)
            .into_iter()
            .filter(|a| a.starts_with("s3:"))
            .collect();
        assert_eq!(
            allowed, used,
            "{id}: S3 actions allowed = S3 actions its code calls"
        );
        // Only on key prefixes the code writes: `"{prefix}/…"` in its sources or core's keys.
        let mut keys = rust_sources(&root().join(&dir).join("src"), &[]);
        keys.push_str(&rust_sources(
            &root().join("functions/core/src/document"),
            &[],
        ));
        keys.push_str(
            &std::fs::read_to_string(root().join("functions/core/src/document.rs")).unwrap(),
        );
        for statement in policy_statements(&f) {
            if !strings(&statement["Action"])
                .iter()
                .any(|a| a.starts_with("s3:"))
            {
                continue;
            }
            let resources: Vec<Value> = match &statement["Resource"] {
                Value::Sequence(items) => items.clone(),
                one => vec![one.clone()],
            };
            assert!(!resources.is_empty(), "{id}");
            for r in &resources {
                let (arn, _) = sub(r).unwrap_or_else(|| panic!("{id}: S3 resource {r:?}"));
                let prefix = arn
                    .strip_prefix("${UploadsBucket.Arn}/")
                    .or_else(|| arn.strip_prefix("${PublicBucket.Arn}/"))
                    .and_then(|p| p.strip_suffix("/*"))
                    .unwrap_or_else(|| {
                        panic!("{id}: {arn} is not a prefix of the uploads or public bucket")
                    });
                assert!(
                    !prefix.is_empty() && !prefix.contains('*'),
                    "{id}: {arn} names one prefix"
                );
                assert!(
                    keys.contains(&format!("\"{prefix}/")),
                    "{id}: its code writes no key under {prefix}/"
                );
            }
        }
    }
    assert!(with_s3 >= 1, "the uploads function links the S3 adapter");
}

// ------------------------------------------------------------------ production readiness

/// `(function name, argument)` of an intrinsic in short form: `!Ref X` → `("Ref", "X")`.
fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((
            t.tag.to_string().trim_start_matches('!').to_owned(),
            &t.value,
        )),
        _ => None,
    }
}

fn is_ref(v: &Value, name: &str) -> bool {
    matches!(intrinsic(v), Some((f, arg)) if f == "Ref" && arg == name)
}

fn is_get_att(v: &Value, target: &str) -> bool {
    matches!(intrinsic(v), Some((f, arg)) if f == "GetAtt" && arg == target)
}

/// The string of a `!Sub` (either form) and its variables.
fn sub(v: &Value) -> Option<(String, Value)> {
    match intrinsic(v)? {
        (f, Value::String(s)) if f == "Sub" => Some((s.clone(), Value::Null)),
        (f, Value::Sequence(items)) if f == "Sub" => {
            Some((items[0].as_str()?.to_owned(), items[1].clone()))
        }
        _ => None,
    }
}

/// `[condition, then, else]` of an `!If`.
fn if_branches(v: &Value) -> Option<(String, Value, Value)> {
    match intrinsic(v)? {
        (f, Value::Sequence(items)) if f == "If" && items.len() == 3 => Some((
            items[0].as_str()?.to_owned(),
            items[1].clone(),
            items[2].clone(),
        )),
        _ => None,
    }
}

fn resources_of_type<'a>(t: &'a Value, kind: &str) -> Vec<(String, &'a Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str().unwrap().to_owned(), r))
        .collect()
}

/// The log group a `!Ref G` or `!GetAtt G.Arn` names, if `G` is one with a retention from
/// the `LogRetentionDays` parameter.
fn log_group_with_retention<'a>(t: &'a Value, v: &Value) -> Option<&'a Value> {
    let id = match intrinsic(v)? {
        (f, arg) if f == "Ref" => arg.as_str()?.to_owned(),
        (f, arg) if f == "GetAtt" => arg.as_str()?.strip_suffix(".Arn")?.to_owned(),
        _ => return None,
    };
    let group = &t["Resources"][id.as_str()];
    (group["Type"] == "AWS::Logs::LogGroup"
        && is_ref(&group["Properties"]["RetentionInDays"], "LogRetentionDays"))
    .then_some(group)
}

/// The statements of the function's policies, conditional ones (`!If`) included.
fn policy_statements(function: &Value) -> Vec<Value> {
    function["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|p| present(&p["Statement"]))
        .collect()
}

#[test]
fn table_queries_go_to_indexes_except_the_primary_key_listings_the_entities_declare() {
    let t = template();
    let entities =
        std::fs::read_to_string(root().join("functions/platform/src/store/entities.rs")).unwrap();
    // `pub fn documents_of(…) -> Listing { Listing::of(Index::Primary, format!("NOM#{id}")) … }`
    // → the primary-key listing `documents_of`, on partition keys starting `NOM#`.
    let listings: Vec<(String, String)> =
        Regex::new(r"(?s)pub fn (\w+)\([^)]*\) -> Listing \{(.*?)\n\}")
            .unwrap()
            .captures_iter(&entities)
            .map(|c| (c[1].to_owned(), c[2].to_owned()))
            .collect();
    let primary = Regex::new(r#"Listing::of\(\s*Index::Primary,\s*format!\("([^"{]+)"#).unwrap();
    let primary_listings: Vec<(String, String)> = listings
        .iter()
        .filter_map(|(name, body)| {
            primary
                .captures(body)
                .map(|c| (name.clone(), format!("{}*", &c[1])))
        })
        .collect();
    assert!(
        primary_listings.iter().any(|(_, p)| p == "NOM#*"),
        "a nomination's history is a primary-key listing: {primary_listings:?}"
    );
    // The listings entities.rs declares on a secondary index…
    let index_fns: Vec<String> = listings
        .iter()
        .filter(|(_, body)| body.contains("Index::Gsi"))
        .map(|(name, _)| name.clone())
        .collect();
    assert!(
        index_fns.iter().any(|f| f == "nominations_of_round"),
        "{index_fns:?}"
    );
    // …and a function lists an index when its own code names one of them.
    let index_listing = Regex::new(&format!(r"entities::({})\(", index_fns.join("|"))).unwrap();
    // The platform's shared steps (`nominations.rs`) a function calls list for it.
    let shared =
        std::fs::read_to_string(root().join("functions/platform/src/nominations.rs")).unwrap();
    let steps: Vec<(String, String)> = Regex::new(r"(?s)pub async fn (\w+)\((.*?)\n\}")
        .unwrap()
        .captures_iter(&shared)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    assert!(
        steps
            .iter()
            .any(|(name, _)| name == "locked_recommendation"),
        "{steps:?}"
    );
    for (id, dir, f) in functions(&t) {
        let mut code = rust_sources(&root().join(&dir).join("src"), &[]);
        for (name, body) in &steps {
            if code.contains(&format!("{name}(")) {
                code.push_str(body);
            }
        }
        let lists_indexes = index_listing.is_match(&code);
        // A partition's items only when its code (or a shared step it calls) names their
        // listing.
        let leading_prefixes: BTreeSet<String> = primary_listings
            .iter()
            .filter(|(name, _)| code.contains(&format!("entities::{name}(")))
            .map(|(_, prefix)| prefix.clone())
            .collect();
        let mut table_query_keys = BTreeSet::new();
        let mut index_queries = false;
        for statement in policy_statements(&f) {
            let actions: Vec<String> = strings(&statement["Action"])
                .into_iter()
                .filter(|a| a.starts_with("dynamodb:"))
                .collect();
            if actions.is_empty() {
                continue;
            }
            assert_eq!(statement["Effect"], "Allow", "{id}");
            let resources: Vec<Value> = match &statement["Resource"] {
                Value::Sequence(items) => items.clone(),
                one => vec![one.clone()],
            };
            if actions.iter().any(|a| a == "dynamodb:Query") {
                assert_eq!(
                    actions,
                    ["dynamodb:Query"],
                    "{id}: Query has statements of its own"
                );
                assert_eq!(resources.len(), 1, "{id}: one resource per Query statement");
                if is_get_att(&resources[0], "Table.Arn") {
                    let condition = statement["Condition"].as_mapping().unwrap_or_else(|| {
                        panic!("{id}: a query on the table itself needs a LeadingKeys condition")
                    });
                    assert_eq!(condition.len(), 1, "{id}: {condition:?}");
                    let like = &statement["Condition"]["ForAllValues:StringLike"];
                    assert_eq!(like.as_mapping().map(|m| m.len()), Some(1), "{id}");
                    let keys = strings(&like["dynamodb:LeadingKeys"]);
                    assert!(
                        !keys.is_empty(),
                        "{id}: ForAllValues:StringLike dynamodb:LeadingKeys"
                    );
                    table_query_keys.extend(keys);
                } else {
                    let (template, _) = sub(&resources[0])
                        .unwrap_or_else(|| panic!("{id}: Query on {:?}", resources[0]));
                    assert_eq!(
                        template, "${Table.Arn}/index/*",
                        "{id}: Query on index ARNs"
                    );
                    index_queries = true;
                }
            } else {
                for r in &resources {
                    assert!(
                        is_get_att(r, "Table.Arn"),
                        "{id}: {actions:?} on the table ARN only, not {r:?}"
                    );
                }
            }
        }
        assert_eq!(
            index_queries, lists_indexes,
            "{id}: index queries are allowed exactly when its code lists an index"
        );
        assert_eq!(
            table_query_keys, leading_prefixes,
            "{id}: queries on the table are limited to the declared primary-key listings"
        );
    }
}

#[test]
fn the_user_pool_is_retained_protected_admin_only_and_requires_totp() {
    let t = template();
    let pool = &t["Resources"]["UserPool"];
    assert_eq!(pool["Type"], "AWS::Cognito::UserPool");
    assert_eq!(pool["DeletionPolicy"], "Retain");
    assert_eq!(pool["UpdateReplacePolicy"], "Retain");
    let p = &pool["Properties"];
    assert_eq!(p["DeletionProtection"], "ACTIVE");
    assert_eq!(
        p["UserPoolTier"], "ESSENTIALS",
        "managed login needs Essentials"
    );
    assert_eq!(p["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], true);
    assert_eq!(strings(&p["UsernameAttributes"]), ["email"]);
    assert!(strings(&p["AutoVerifiedAttributes"]).contains(&"email".to_owned()));
    assert_eq!(
        strings(&p["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"]),
        ["email"]
    );
    assert_eq!(p["MfaConfiguration"], "ON");
    assert_eq!(strings(&p["EnabledMfas"]), ["SOFTWARE_TOKEN_MFA"]);
    // Roles and regions are groups (docs/sign-in.md): no custom attributes.
    let schema: Vec<String> = p["Schema"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(schema, ["name"]);
    // E-mail through SES when an identity is given, Cognito's sender otherwise.
    let (condition, ses, default) = if_branches(&p["EmailConfiguration"]).unwrap();
    assert_eq!(condition, "UseSes");
    assert_eq!(ses["EmailSendingAccount"], "DEVELOPER");
    assert!(is_ref(&ses["SourceArn"], "SesIdentityArn"));
    assert!(is_ref(&ses["From"], "EmailFrom"));
    assert_eq!(default["EmailSendingAccount"], "COGNITO_DEFAULT");
    // Exactly the role groups the API knows.
    let groups: BTreeSet<String> = resources_of_type(&t, "AWS::Cognito::UserPoolGroup")
        .into_iter()
        .map(|(id, g)| {
            assert!(is_ref(&g["Properties"]["UserPoolId"], "UserPool"), "{id}");
            g["Properties"]["GroupName"].as_str().unwrap().to_owned()
        })
        .collect();
    let roles: BTreeSet<String> = ovop_platform::auth::ROLE_GROUPS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert_eq!(groups, roles);
}

#[test]
fn the_spa_client_uses_the_code_flow_with_urls_built_from_site_origin() {
    let t = template();
    let sign_in = std::fs::read_to_string(root().join("docs/sign-in.md")).unwrap();
    let c = &t["Resources"]["UserPoolClient"]["Properties"];
    assert_eq!(c["GenerateSecret"], false, "a public client");
    assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], true);
    assert_eq!(strings(&c["AllowedOAuthFlows"]), ["code"]);
    let scopes = strings(&c["AllowedOAuthScopes"]);
    assert_eq!(scopes, ["openid", "email", "profile"]);
    assert!(sign_in.contains(&format!(r#""scopes": "{}""#, scopes.join(" "))));
    assert_eq!(strings(&c["SupportedIdentityProviders"]), ["COGNITO"]);
    let single_sub = |v: &Value| {
        let items = v.as_sequence().unwrap();
        assert_eq!(items.len(), 1, "{v:?}");
        sub(&items[0]).unwrap().0
    };
    assert_eq!(
        single_sub(&c["CallbackURLs"]),
        "${SiteOrigin}/auth/callback"
    );
    assert_eq!(single_sub(&c["LogoutURLs"]), "${SiteOrigin}/");
    assert!(sign_in.contains("redirect `{origin}/auth/callback`, logout `{origin}/`"));
    assert_eq!(c["PreventUserExistenceErrors"], "ENABLED");
    assert_eq!(c["EnableTokenRevocation"], true);
    let minutes = |validity: &str, unit: &str| {
        let n = c[validity].as_u64().unwrap();
        match c["TokenValidityUnits"][unit].as_str().unwrap() {
            "minutes" => n,
            "hours" => n * 60,
            "days" => n * 1440,
            other => panic!("{other}"),
        }
    };
    assert_eq!(minutes("AccessTokenValidity", "AccessToken"), 60);
    assert!(minutes("IdTokenValidity", "IdToken") <= 60);
    let refresh = minutes("RefreshTokenValidity", "RefreshToken");
    assert!(
        (60..=24 * 60).contains(&refresh),
        "refresh token {refresh} min"
    );
    // The API accepts access tokens of this client from this pool.
    let jwt = &t["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["CognitoJwt"]
        ["JwtConfiguration"];
    let audience = jwt["audience"].as_sequence().unwrap();
    assert_eq!(audience.len(), 1);
    assert!(is_ref(&audience[0], "UserPoolClient"));
    assert_eq!(
        sub(&jwt["issuer"]).unwrap().0,
        "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
    );
}

#[test]
fn managed_login_is_served_from_a_user_pool_domain_with_a_style() {
    let t = template();
    let domains = resources_of_type(&t, "AWS::Cognito::UserPoolDomain");
    assert_eq!(domains.len(), 1);
    let d = &domains[0].1["Properties"];
    assert!(is_ref(&d["UserPoolId"], "UserPool"));
    assert_eq!(d["ManagedLoginVersion"], 2);
    let (condition, custom, _) = if_branches(&d["Domain"]).unwrap();
    assert_eq!(condition, "HasAuthDomainName");
    assert!(is_ref(&custom, "AuthDomainName"));
    let (condition, config, _) = if_branches(&d["CustomDomainConfig"]).unwrap();
    assert_eq!(condition, "HasAuthDomainName");
    assert!(is_ref(&config["CertificateArn"], "AuthCertificateArn"));
    let brandings = resources_of_type(&t, "AWS::Cognito::ManagedLoginBranding");
    assert_eq!(brandings.len(), 1);
    let b = &brandings[0].1["Properties"];
    assert!(is_ref(&b["UserPoolId"], "UserPool"));
    assert!(is_ref(&b["ClientId"], "UserPoolClient"));
    assert_eq!(b["UseCognitoProvidedValues"], true);
}

/// The Content-Security-Policy, with `${AWS::Region}` as CloudFormation substitutes it: the
/// browser sends document bytes to the uploads bucket on presigned requests (`connect-src`) and
/// shows presigned thumbnails from it when downloads do not go through CloudFront (`img-src`).
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data: https://${UploadsBucket.RegionalDomainName}; connect-src 'self' \
    https://${UploadsBucket.RegionalDomainName} https://*.amazoncognito.com \
    https://cognito-idp.${AWS::Region}.amazonaws.com; frame-ancestors 'none'; base-uri 'self'; \
    form-action 'self'; object-src 'none'";

#[test]
fn every_cloudfront_answer_carries_the_security_headers() {
    let t = template();
    let policies = resources_of_type(&t, "AWS::CloudFront::ResponseHeadersPolicy");
    let ids: Vec<&str> = policies.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids.len(),
        2,
        "the app's and the documents' headers: {ids:?}"
    );
    let (policy_id, policy) = policies
        .iter()
        .find(|(id, _)| id == "SecurityHeadersPolicy")
        .expect("the app's security headers");
    let config = &policy["Properties"]["ResponseHeadersPolicyConfig"];
    assert!(
        config["CustomHeadersConfig"].is_null(),
        "exactly the security headers"
    );
    let h = &config["SecurityHeadersConfig"];
    let kinds: BTreeSet<String> = h
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "ContentSecurityPolicy",
            "ContentTypeOptions",
            "FrameOptions",
            "ReferrerPolicy",
            "StrictTransportSecurity"
        ]
        .map(String::from)
        .into()
    );
    for kind in &kinds {
        assert_eq!(h[kind.as_str()]["Override"], true, "{kind}");
    }
    // Without a custom auth domain the CSP is exactly CSP; with one, that domain is added.
    let (template, vars) = sub(&h["ContentSecurityPolicy"]["ContentSecurityPolicy"]).unwrap();
    assert_eq!(template.replace("${CustomAuthSource}", ""), CSP);
    let (condition, with_domain, without) = if_branches(&vars["CustomAuthSource"]).unwrap();
    assert_eq!(condition, "HasAuthDomainName");
    assert_eq!(sub(&with_domain).unwrap().0, " https://${AuthDomainName}");
    assert_eq!(without, "");
    let hsts = &h["StrictTransportSecurity"];
    assert_eq!(hsts["AccessControlMaxAgeSec"], 63072000);
    assert_eq!(hsts["IncludeSubdomains"], true);
    assert_eq!(hsts["Preload"], true);
    assert_eq!(
        h["ReferrerPolicy"]["ReferrerPolicy"],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(h["FrameOptions"]["FrameOption"], "DENY");
    // On every behaviour.
    let config = &t["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let mut behaviours = vec![config["DefaultCacheBehavior"].clone()];
    behaviours.extend(present(&config["CacheBehaviors"]));
    for b in &behaviours {
        let documents = matches!(
            b["PathPattern"].as_str(),
            Some("/nominations/*" | "/thumbnails/*")
        );
        let expected = if documents {
            "DocumentHeadersPolicy"
        } else {
            policy_id.as_str()
        };
        assert!(
            is_ref(&b["ResponseHeadersPolicyId"], expected),
            "{:?} lacks the security headers",
            b["PathPattern"]
        );
    }
}

#[test]
fn documents_open_in_the_browsers_viewer_but_run_no_script_and_are_framed_by_nobody() {
    let t = template();
    let config = &t["Resources"]["DocumentHeadersPolicy"]["Properties"]
        ["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
    let csp = config["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        .as_str()
        .unwrap();
    let directives: BTreeSet<&str> = csp.split("; ").collect();
    for d in [
        "default-src 'none'",
        "object-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(directives.contains(d), "{d} in {csp}");
    }
    assert!(!csp.contains("script-src"), "no script at all: {csp}");
    assert_eq!(config["ContentTypeOptions"]["Override"], true);
    assert_eq!(config["FrameOptions"]["FrameOption"], "DENY");
    assert_eq!(
        config["StrictTransportSecurity"]["AccessControlMaxAgeSec"],
        63072000
    );
}

const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

#[test]
fn cloudfront_never_caches_an_api_answer_nor_the_files_a_deploy_changes_in_place() {
    let t = template();
    let config = &t["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let by_path: BTreeMap<String, Value> = present(&config["CacheBehaviors"])
        .into_iter()
        .map(|b| (b["PathPattern"].as_str().unwrap().to_owned(), b))
        .collect();
    let api = &by_path["/api/*"];
    assert_eq!(api["TargetOriginId"], "api");
    assert_eq!(api["CachePolicyId"], CACHING_DISABLED);
    assert_eq!(api["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST_HEADER);
    for path in ["/index.html", "/config.json"] {
        assert_eq!(by_path[path]["CachePolicyId"], CACHING_DISABLED, "{path}");
    }
    // Error answers are not kept (CloudFront's default is 10 s, for every caller).
    let codes: BTreeSet<u64> = config["CustomErrorResponses"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["ErrorCachingMinTTL"], 0, "{e:?}");
            assert!(e["ResponsePagePath"].is_null(), "{e:?}");
            e["ErrorCode"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(
        codes,
        [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504].into()
    );
    // Everything else of the site is cached exactly as long as the uploaded Cache-Control says.
    for b in [&config["DefaultCacheBehavior"], &by_path["/pkg/*"]] {
        let (f, policy) = intrinsic(&b["CachePolicyId"]).unwrap();
        assert_eq!(f, "Ref");
        let p = &t["Resources"][policy.as_str().unwrap()]["Properties"]["CachePolicyConfig"];
        assert_eq!(p["MinTTL"], 0);
        assert_eq!(p["DefaultTTL"], 0);
    }
    let deploy = std::fs::read_to_string(root().join("scripts/deploy-spa.sh")).unwrap();
    assert!(deploy.contains("max-age=31536000, immutable"));
    assert!(deploy.contains("no-cache"));
}

#[test]
fn the_api_is_throttled_and_its_access_logged() {
    let t = template();
    let api = &t["Resources"]["HttpApi"]["Properties"];
    let defaults = &api["DefaultRouteSettings"];
    for (setting, parameter) in [
        ("ThrottlingBurstLimit", "ApiThrottlingBurstLimit"),
        ("ThrottlingRateLimit", "ApiThrottlingRateLimit"),
    ] {
        assert!(is_ref(&defaults[setting], parameter), "{setting}");
        let p = &t["Parameters"][parameter];
        assert_eq!(p["Type"], "Number");
        assert!(p["Default"].as_u64().unwrap() > 0, "{parameter}");
    }
    let logs = &api["AccessLogSettings"];
    assert!(
        log_group_with_retention(&t, &logs["DestinationArn"]).is_some(),
        "access logs go to a log group with a retention"
    );
    let format = logs["Format"].as_str().unwrap();
    for field in ["$context.requestId", "$context.status", "$context.routeKey"] {
        assert!(format.contains(field), "{field}");
    }
    assert!(
        api["CorsConfiguration"].is_null(),
        "same origin through CloudFront"
    );
}

#[test]
fn every_function_logs_to_a_log_group_with_a_retention() {
    let t = template();
    assert!(
        t["Parameters"]["LogRetentionDays"]["Default"]
            .as_u64()
            .unwrap()
            >= 30
    );
    for (id, _, f) in functions(&t) {
        let group = log_group_with_retention(&t, &f["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap_or_else(|| panic!("{id}: no log group with a retention"));
        let (name, _) = sub(&group["Properties"]["LogGroupName"]).unwrap();
        let (function_name, _) = sub(&f["Properties"]["FunctionName"]).unwrap();
        assert_eq!(name, format!("/aws/lambda/{function_name}"), "{id}");
    }
}

#[test]
fn no_concurrency_is_reserved_by_default() {
    let t = template();
    for (id, _, f) in functions(&t) {
        let reserved = &f["Properties"]["ReservedConcurrentExecutions"];
        if reserved.is_null() {
            continue;
        }
        let (condition, then, otherwise) =
            if_branches(reserved).unwrap_or_else(|| panic!("{id}: reservation is conditional"));
        assert!(is_ref(&otherwise, "AWS::NoValue"), "{id}");
        let (f, parameter) = intrinsic(&then).unwrap();
        assert_eq!(f, "Ref");
        let parameter = parameter.as_str().unwrap();
        let default = &t["Parameters"][parameter]["Default"];
        assert_eq!(
            default.as_i64(),
            Some(-1),
            "{id}: {parameter} defaults to none"
        );
        // The condition is "the parameter is not its default".
        let (not, args) = intrinsic(&t["Conditions"][condition.as_str()]).unwrap();
        assert_eq!(not, "Not");
        let (equals, pair) = intrinsic(&args[0]).unwrap();
        assert_eq!(equals, "Equals");
        assert!(is_ref(&pair[0], parameter));
        assert_eq!(pair[1], "-1");
    }
}

#[test]
fn the_stack_outputs_what_the_scripts_read() {
    let t = template();
    let read = Regex::new(r"\boutput ([A-Z][A-Za-z]+)").unwrap();
    let mut needed = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("scripts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sh") {
            let text = std::fs::read_to_string(&path).unwrap();
            needed.extend(read.captures_iter(&text).map(|c| c[1].to_owned()));
        }
    }
    for output in [
        "UserPoolId",
        "UserPoolClientId",
        "Issuer",
        "AuthDomain",
        "SiteBucketName",
        "DistributionId",
        "ApiUrl",
    ] {
        needed.insert(output.to_owned());
    }
    let outputs = t["Outputs"].as_mapping().unwrap();
    let missing: Vec<_> = needed
        .iter()
        .filter(|o| !outputs.contains_key(o.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "scripts read outputs {missing:?} the template lacks"
    );
}

#[test]
fn uploads_abort_when_abandoned_tier_themselves_and_old_versions_expire() {
    let t = template();
    let bucket = &t["Resources"]["UploadsBucket"]["Properties"];
    let rules = bucket["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .unwrap();
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["Id"] == id)
            .unwrap_or_else(|| panic!("lifecycle rule {id}"))
            .clone()
    };
    assert_eq!(
        rule("abort-incomplete-multipart")["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
        7
    );
    let tiering = rule("intelligent-tiering");
    assert_eq!(
        tiering["Transitions"][0]["StorageClass"],
        "INTELLIGENT_TIERING"
    );
    assert_eq!(tiering["Transitions"][0]["TransitionInDays"], 0);
    assert!(is_ref(
        &rule("expire-replaced-versions")["NoncurrentVersionExpiration"]["NoncurrentDays"],
        "ReplacedDocumentDays"
    ));
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Enabled");
    let cors = &bucket["CorsConfiguration"]["CorsRules"][0];
    assert!(is_ref(&cors["AllowedOrigins"][0], "SiteOrigin"));
    assert!(strings(&cors["ExposedHeaders"]).contains(&"ETag".to_string()));
    assert!(strings(&cors["AllowedMethods"]).contains(&"PUT".to_string()));
}

// ------------------------------------------------------------------ documents through CloudFront

/// The prefixes (`nominations`, `thumbnails`) under which the uploads function's code and
/// core's document keys write.
fn uploads_key_prefixes() -> BTreeSet<String> {
    let mut keys = rust_sources(&root().join("functions/uploads/src"), &[]);
    keys.push_str(&std::fs::read_to_string(root().join("functions/core/src/document.rs")).unwrap());
    Regex::new(r#"format!\("([a-z]+)/\{"#)
        .unwrap()
        .captures_iter(&keys)
        .map(|c| c[1].to_owned())
        .collect()
}

const PRIVATE_KEY_PARAMETER: &str = "/ovop/${Stage}/downloads/private-key";

#[test]
fn documents_are_read_through_cloudfront_only_with_a_url_the_uploads_function_signed() {
    let t = template();
    let r = &t["Resources"];
    // The feature is on exactly when the stack has a public key.
    let p = &t["Parameters"]["DownloadsPublicKey"];
    assert_eq!(p["Type"], "CommaDelimitedList");
    assert_eq!(p["Default"], "");
    let (not, args) = intrinsic(&t["Conditions"]["HasDownloadsKey"]).unwrap();
    assert_eq!(not, "Not");
    let (equals, pair) = intrinsic(&args[0]).unwrap();
    assert_eq!(equals, "Equals");
    let (join, joined) = intrinsic(&pair[0]).unwrap();
    assert_eq!(join, "Join");
    assert_eq!(joined[0], "");
    assert!(is_ref(&joined[1], "DownloadsPublicKey"));
    assert_eq!(pair[1], "");

    // The public key, rebuilt as PEM (lines, then a final newline), in the one key group.
    let key = &r["DownloadsSigningKey"];
    assert_eq!(key["Type"], "AWS::CloudFront::PublicKey");
    assert_eq!(key["Condition"], "HasDownloadsKey");
    let (pem, vars) = sub(&key["Properties"]["PublicKeyConfig"]["EncodedKey"]).unwrap();
    assert_eq!(
        pem,
        "-----BEGIN PUBLIC KEY-----\n${Body}\n-----END PUBLIC KEY-----\n"
    );
    let (join, body) = intrinsic(&vars["Body"]).unwrap();
    assert_eq!(join, "Join");
    assert_eq!(body[0], "\n");
    assert!(is_ref(&body[1], "DownloadsPublicKey"));
    let group = &r["DownloadsKeyGroup"];
    assert_eq!(group["Type"], "AWS::CloudFront::KeyGroup");
    assert_eq!(group["Condition"], "HasDownloadsKey");
    let items = group["Properties"]["KeyGroupConfig"]["Items"]
        .as_sequence()
        .unwrap();
    assert_eq!(items.len(), 1);
    assert!(is_ref(&items[0], "DownloadsSigningKey"));

    // The uploads bucket as an origin, through the origin access control (signed requests).
    let config = &r["Distribution"]["Properties"]["DistributionConfig"];
    let (condition, origin) = conditional_item(&config["Origins"], |o| o["Id"] == "uploads");
    assert_eq!(condition, "HasDownloadsKey");
    assert!(is_get_att(
        &origin["DomainName"],
        "UploadsBucket.RegionalDomainName"
    ));
    assert!(is_get_att(
        &origin["OriginAccessControlId"],
        "OriginAccessControl.Id"
    ));
    let oac = &r["OriginAccessControl"]["Properties"]["OriginAccessControlConfig"];
    assert_eq!(oac["SigningBehavior"], "always");

    // One behaviour per prefix the code writes, each trusting only the key group, never
    // caching, forwarding only the signed disposition.
    let prefixes = uploads_key_prefixes();
    assert_eq!(
        prefixes,
        ["nominations", "thumbnails"].map(String::from).into()
    );
    let signer =
        std::fs::read_to_string(root().join("functions/platform/src/objects/cloudfront.rs"))
            .unwrap();
    assert!(signer.contains("?response-content-disposition={}"));
    let to_uploads: Vec<Value> = present(&config["CacheBehaviors"])
        .into_iter()
        .filter(|b| b["TargetOriginId"] == "uploads")
        .collect();
    assert_eq!(to_uploads.len(), prefixes.len());
    for prefix in &prefixes {
        let path = format!("/{prefix}/*");
        let (condition, b) =
            conditional_item(&config["CacheBehaviors"], |b| b["PathPattern"] == *path);
        assert_eq!(condition, "HasDownloadsKey", "{path}");
        assert_eq!(b["TargetOriginId"], "uploads", "{path}");
        assert_eq!(b["ViewerProtocolPolicy"], "https-only", "{path}");
        let groups = b["TrustedKeyGroups"].as_sequence().unwrap();
        assert_eq!(groups.len(), 1, "{path}");
        assert!(
            is_ref(&groups[0], "DownloadsKeyGroup"),
            "{path}: the key group"
        );
        assert!(b["TrustedSigners"].is_null(), "{path}: no account signers");
        assert_eq!(b["CachePolicyId"], CACHING_DISABLED, "{path}");
        assert!(
            strings(&b["AllowedMethods"]).is_empty(),
            "{path}: GET and HEAD only"
        );
        let (f, policy) = intrinsic(&b["OriginRequestPolicyId"]).unwrap();
        assert_eq!(f, "Ref");
        let policy = &r[policy.as_str().unwrap()];
        assert_eq!(policy["Condition"], "HasDownloadsKey");
        let forwarded = &policy["Properties"]["OriginRequestPolicyConfig"];
        assert_eq!(forwarded["HeadersConfig"]["HeaderBehavior"], "none");
        assert_eq!(forwarded["CookiesConfig"]["CookieBehavior"], "none");
        assert_eq!(
            forwarded["QueryStringsConfig"]["QueryStringBehavior"],
            "whitelist"
        );
        assert_eq!(
            strings(&forwarded["QueryStringsConfig"]["QueryStrings"]),
            ["response-content-disposition"]
        );
    }

    // The bucket lets this distribution, and nothing else new, read those prefixes.
    let statements = &r["UploadsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    let (condition, allow) = conditional_item(statements, |s| s["Effect"] == "Allow");
    assert_eq!(condition, "HasDownloadsKey");
    assert_eq!(allow["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(strings(&allow["Action"]), ["s3:GetObject"]);
    let resources: BTreeSet<String> = allow["Resource"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| sub(v).unwrap().0)
        .collect();
    let expected: BTreeSet<String> = prefixes
        .iter()
        .map(|p| format!("${{UploadsBucket.Arn}}/{p}/*"))
        .collect();
    assert_eq!(resources, expected);
    assert_eq!(
        sub(&allow["Condition"]["StringEquals"]["AWS:SourceArn"])
            .unwrap()
            .0,
        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"
    );
    let allows = present(statements)
        .into_iter()
        .filter(|s| s["Effect"] == "Allow")
        .count();
    assert_eq!(
        allows, 1,
        "the bucket policy allows only CloudFront's reads"
    );
}

/// IAM actions behind the SSM SDK calls in the sources.
fn ssm_actions(sources: &str) -> BTreeSet<String> {
    Regex::new(r"\.(get_parameter|get_parameters|get_parameters_by_path|put_parameter)\(\)")
        .unwrap()
        .captures_iter(sources)
        .map(|cap| {
            let action = match &cap[1] {
                "get_parameter" => "GetParameter",
                "get_parameters" => "GetParameters",
                "get_parameters_by_path" => "GetParametersByPath",
                "put_parameter" => "PutParameter",
                other => panic!("unmapped call {other}"),
            };
            format!("ssm:{action}")
        })
        .collect()
}

#[test]
fn the_uploads_function_signs_with_a_key_read_from_exactly_one_parameter() {
    let t = template();
    let mut signers = 0;
    for (id, dir, f) in functions(&t) {
        let used = ssm_actions(&function_sources(&dir));
        let allowed: BTreeSet<String> = allowed_actions(&f)
            .into_iter()
            .filter(|a| a.starts_with("ssm:") || a.starts_with("kms:"))
            .collect();
        assert_eq!(
            allowed, used,
            "{id}: SSM actions allowed = those its code calls"
        );
        if used.is_empty() {
            continue;
        }
        signers += 1;
        // Exactly the parameter the function is told to read, and only with a downloads key.
        let (condition, statement) =
            conditional_item(&f["Properties"]["Policies"][0]["Statement"], |s| {
                strings(&s["Action"]).iter().any(|a| a.starts_with("ssm:"))
            });
        assert_eq!(condition, "HasDownloadsKey", "{id}");
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(strings(&statement["Action"]), ["ssm:GetParameter"]);
        assert_eq!(
            sub(&statement["Resource"]).unwrap().0,
            format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{PRIVATE_KEY_PARAMETER}"
            ),
            "{id}: one parameter, no wildcard"
        );
        let vars = &f["Properties"]["Environment"]["Variables"];
        let branch = |name: &str| {
            let (condition, then, otherwise) = if_branches(&vars[name])
                .unwrap_or_else(|| panic!("{id}: {name} is set only with a downloads key"));
            assert_eq!(condition, "HasDownloadsKey", "{id}: {name}");
            assert!(is_ref(&otherwise, "AWS::NoValue"), "{id}: {name}");
            then
        };
        assert_eq!(
            sub(&branch("DOWNLOADS_PRIVATE_KEY_PARAMETER")).unwrap().0,
            PRIVATE_KEY_PARAMETER
        );
        assert!(is_ref(
            &branch("DOWNLOADS_KEY_PAIR_ID"),
            "DownloadsSigningKey"
        ));
        // The site's own origin: the distribution serves the SPA and the documents.
        assert!(is_ref(&branch("DOWNLOADS_DOMAIN"), "SiteOrigin"));
    }
    assert_eq!(signers, 1, "the uploads function reads the key");
    // The key script stores the private key under that name.
    let script = std::fs::read_to_string(root().join("scripts/cloudfront-keys.sh")).unwrap();
    assert!(
        script.contains("/ovop/${stage}/downloads/private-key"),
        "scripts/cloudfront-keys.sh writes {PRIVATE_KEY_PARAMETER}"
    );
    assert!(script.contains("--type SecureString"));
}

#[test]
fn malware_scanning_closes_unscanned_documents_to_all_but_the_uploads_function_and_the_scanner() {
    let t = template();
    let r = &t["Resources"];
    let p = &t["Parameters"]["MalwareScanning"];
    assert_eq!(p["Default"], "off");
    assert_eq!(strings(&p["AllowedValues"]), ["off", "on"]);
    let (equals, pair) = intrinsic(&t["Conditions"]["ScanMalware"]).unwrap();
    assert_eq!(equals, "Equals");
    assert!(is_ref(&pair[0], "MalwareScanning"));
    assert_eq!(pair[1], "on");

    // The plan scans and tags the prefix of the documents' keys.
    let prefixes = uploads_key_prefixes();
    assert!(prefixes.contains("nominations"));
    let plans = resources_of_type(&t, "AWS::GuardDuty::MalwareProtectionPlan");
    assert_eq!(plans.len(), 1);
    let plan = plans[0].1;
    assert_eq!(plan["Condition"], "ScanMalware");
    let bucket = &plan["Properties"]["ProtectedResource"]["S3Bucket"];
    assert!(is_ref(&bucket["BucketName"], "UploadsBucket"));
    assert_eq!(strings(&bucket["ObjectPrefixes"]), ["nominations/"]);
    assert_eq!(
        plan["Properties"]["Actions"]["Tagging"]["Status"],
        "ENABLED"
    );
    assert!(is_get_att(
        &plan["Properties"]["Role"],
        "MalwareProtectionRole.Arn"
    ));
    let role = &r["MalwareProtectionRole"];
    assert_eq!(role["Condition"], "ScanMalware");
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Principal"]["Service"],
        "malware-protection-plan.guardduty.amazonaws.com"
    );
    assert!(is_ref(
        &trust["Condition"]["StringEquals"]["aws:SourceAccount"],
        "AWS::AccountId"
    ));
    // The scanner reads and tags objects of nominations/ only.
    for statement in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap()
    {
        let object_actions = strings(&statement["Action"])
            .iter()
            .any(|a| a.starts_with("s3:") && a.contains("Object"));
        if object_actions {
            let (resource, _) = sub(&statement["Resource"]).unwrap();
            assert!(
                resource == "${UploadsBucket.Arn}/nominations/*"
                    || resource
                        == "${UploadsBucket.Arn}/malware-protection-resource-validation-object",
                "{resource}"
            );
        }
    }
    // The scan starts from the bucket's EventBridge events.
    let (condition, notifications, _) =
        if_branches(&r["UploadsBucket"]["Properties"]["NotificationConfiguration"]).unwrap();
    assert_eq!(condition, "ScanMalware");
    assert_eq!(
        notifications["EventBridgeConfiguration"]["EventBridgeEnabled"],
        true
    );

    // Reads of a document without GuardDuty's NO_THREATS_FOUND tag are denied to everyone but
    // the uploads function's role (it checks the bytes at complete) and the scanner's.
    let uploads = &r["UploadsFunction"]["Properties"];
    assert!(
        uploads["Role"].is_null(),
        "SAM makes the uploads function's role, UploadsFunctionRole"
    );
    let statements = &r["UploadsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    let unscanned = |s: &Value| {
        s["Effect"] == "Deny"
            && strings(&s["Action"]).contains(&"s3:GetObject".to_owned())
            && s["Condition"]["StringNotEquals"]["s3:ExistingObjectTag/GuardDutyMalwareScanStatus"]
                == "NO_THREATS_FOUND"
    };
    let denies: Vec<Value> = present(statements)
        .into_iter()
        .filter(|s| unscanned(s))
        .collect();
    assert_eq!(denies.len(), 2, "{denies:?}");
    for deny in &denies {
        assert_eq!(deny["Principal"], "*");
        assert_eq!(
            strings(&deny["Action"]),
            ["s3:GetObject", "s3:GetObjectVersion"]
        );
        assert_eq!(
            sub(&deny["Resource"]).unwrap().0,
            "${UploadsBucket.Arn}/nominations/*"
        );
    }
    let (condition, deny) = conditional_item(statements, |s| {
        unscanned(s) && !s["Condition"]["ArnNotEquals"].is_null()
    });
    assert_eq!(condition, "ScanMalware");
    let excepted = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        .as_sequence()
        .unwrap();
    assert_eq!(excepted.len(), 2);
    assert!(is_get_att(&excepted[0], "UploadsFunctionRole.Arn"));
    assert!(is_get_att(&excepted[1], "MalwareProtectionRole.Arn"));
    // …and through a presigned URL to everyone, the uploads function's presigned GETs included.
    let (condition, deny) = conditional_item(statements, |s| {
        unscanned(s) && !s["Condition"]["StringEquals"].is_null()
    });
    assert_eq!(condition, "ScanMalware");
    assert_eq!(
        deny["Condition"]["StringEquals"]["s3:authType"],
        "REST-QUERY-STRING"
    );
    assert!(deny["Condition"]["ArnNotEquals"].is_null());
    // Only the scanner sets or removes the tag.
    let (condition, deny) = conditional_item(statements, |s| {
        strings(&s["Action"]).contains(&"s3:PutObjectTagging".to_owned())
    });
    assert_eq!(condition, "ScanMalware");
    assert_eq!(deny["Effect"], "Deny");
    for action in [
        "s3:DeleteObjectTagging",
        "s3:DeleteObjectVersionTagging",
        "s3:PutObjectVersionTagging",
    ] {
        assert!(
            strings(&deny["Action"]).contains(&action.to_owned()),
            "{action}"
        );
    }
    assert!(is_get_att(
        &deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"],
        "MalwareProtectionRole.Arn"
    ));
    // The uploads function never tags (its S3 actions are derived from its code above).
    let uploads_actions = allowed_actions(&r["UploadsFunction"]);
    assert!(!uploads_actions.iter().any(|a| a.contains("Tagging")));
}
