//! Nothing local in the production build: the Lambda crate's dependency tree, as cargo
//! resolves it for `cargo lambda build` (`sam build`) — the intake package alone, normal
//! dependencies, the arm64 Linux target — has neither the embedded store (redb, lz4_flex,
//! crc32fast: `ovop-platform`'s `embedded` feature, off by default) nor the local issuer (its
//! RSA keys, in `ovop-local`) nor the local server's allocator (mimalloc). It does have the
//! DynamoDB client and the Lambda runtime, so the check cannot pass on an empty tree.

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

#[test]
fn the_lambda_build_has_no_local_store_issuer_or_allocator() {
    let tree = lambda_dependency_tree("ovop-intake");
    for present in ["ovop-platform", "aws-sdk-dynamodb", "lambda_http"] {
        assert!(
            tree.contains(present),
            "{present} missing: is this the Lambda's tree? {tree:?}"
        );
    }
    let local: Vec<&str> = [
        "ovop-local",
        "redb",
        "lz4_flex",
        "crc32fast",
        "rsa",
        "mimalloc",
        "libmimalloc-sys",
        "s3s",
        "s3s-fs",
    ]
    .into_iter()
    .filter(|name| tree.contains(*name))
    .collect();
    assert!(
        local.is_empty(),
        "the Lambda build pulls in local-only crates {local:?}"
    );
}

/// The names above are the real crates: the local app's tree has every one of them.
#[test]
fn the_local_app_has_the_crates_the_lambda_build_must_not() {
    let tree = lambda_dependency_tree("ovop-local");
    for name in [
        "redb",
        "lz4_flex",
        "crc32fast",
        "rsa",
        "mimalloc",
        "s3s",
        "s3s-fs",
    ] {
        assert!(tree.contains(name), "ovop-local lacks {name}");
    }
}
