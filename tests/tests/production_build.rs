//! Nothing local in the production build: each Lambda crate's dependency tree, as cargo
//! resolves it for `cargo lambda build` (`sam build`) — the function's package alone, normal
//! dependencies, the arm64 Linux target — has neither the embedded store (redb and lz4_flex:
//! `ovop-platform`'s `embedded` feature, off by default) nor the embedded S3 endpoint (s3s,
//! s3s-fs) nor the local issuer (its RSA keys, in `ovop-local`) nor the local server's
//! allocator (mimalloc). It does have the DynamoDB client and the Lambda runtime (and, for
//! uploads, the S3 SDK), so the check cannot pass on an empty tree.
//!
//! `crc32fast` is not a marker of the embedded store, though the `embedded` feature enables it:
//! the S3 SDK (checksums) and `image` (PNG) bring it into the uploads Lambda legitimately.
//! redb and lz4_flex come only with the embedded store.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Package names in `cargo tree -p <package>` for the Lambda target.
fn lambda_dependency_tree(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(cargo)
        .current_dir(&workspace)
        .args([
            "tree",
            "--offline",
            "-p",
            package,
            "-e",
            "normal",
            "--target",
            "aarch64-unknown-linux-gnu",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// Crates only the local app and the tests may link (see the module's notes on `crc32fast`).
const LOCAL_ONLY: [&str; 8] = [
    "ovop-local",
    "redb",
    "lz4_flex",
    "rsa",
    "mimalloc",
    "libmimalloc-sys",
    "s3s",
    "s3s-fs",
];

/// `package`'s Lambda tree has every crate of `present` and none of [`LOCAL_ONLY`] nor of
/// `absent`.
fn check_lambda_tree(package: &str, present: &[&str], absent: &[&str]) {
    let tree = lambda_dependency_tree(package);
    for name in present {
        assert!(
            tree.contains(*name),
            "{name} missing: is this {package}'s Lambda tree? {tree:?}"
        );
    }
    let local: Vec<&str> = LOCAL_ONLY
        .iter()
        .chain(absent)
        .copied()
        .filter(|name| tree.contains(*name))
        .collect();
    assert!(
        local.is_empty(),
        "{package}'s Lambda build pulls in crates it must not: {local:?}"
    );
}

#[test]
fn the_lambda_build_has_no_local_store_issuer_or_allocator() {
    // Nor the S3 SDK: only the functions that touch S3 link it (`ovop-platform`'s `s3`
    // feature), and intake serves the uploads paths' OpenAPI from a JSON copy, not the crate.
    check_lambda_tree(
        "ovop-intake",
        &["ovop-platform", "aws-sdk-dynamodb", "lambda_http"],
        &["aws-sdk-s3", "ovop-uploads", "ovop-scoring", "image"],
    );
}

#[test]
fn the_scoring_lambda_build_has_neither_the_s3_sdk_nor_the_local_store_issuer_or_allocator() {
    check_lambda_tree(
        "ovop-scoring",
        &["ovop-platform", "aws-sdk-dynamodb", "lambda_http"],
        &["aws-sdk-s3", "ovop-intake", "ovop-uploads", "image"],
    );
}

#[test]
fn the_uploads_lambda_build_has_the_s3_sdk_but_no_local_store_endpoint_issuer_or_allocator() {
    check_lambda_tree(
        "ovop-uploads",
        &[
            "ovop-platform",
            "aws-sdk-s3",
            "aws-sdk-dynamodb",
            "lambda_http",
        ],
        &["ovop-intake"],
    );
}

#[test]
fn the_awards_lambda_build_has_the_pdf_and_s3_crates_but_no_local_store_endpoint_issuer_or_allocator(
) {
    check_lambda_tree(
        "ovop-awards",
        &[
            "ovop-platform",
            "aws-sdk-s3",
            "aws-sdk-dynamodb",
            "lambda_http",
            "krilla",
            "qrcode",
        ],
        &["ovop-intake", "ovop-uploads", "ovop-scoring"],
    );
}

/// The names above are the real crates: the local app's tree has every one of them.
#[test]
fn the_local_app_has_the_crates_the_lambda_build_must_not() {
    let tree = lambda_dependency_tree("ovop-local");
    for name in LOCAL_ONLY.into_iter().skip(1) {
        assert!(tree.contains(name), "ovop-local lacks {name}");
    }
}
