//! The SHA-256 of every shipped data file, compiled into the binary from `www/data/SHA256SUMS`. The page and the
//! command line check each file they read against it, so a damaged download, or a file swapped together with its
//! line in `SHA256SUMS` on the server, is refused with the file's name and both digests. Files in a folder of your
//! own (`bpfree train --data DIR --unverified-data`) can skip the check, and the run says so.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};

/// `www/data/SHA256SUMS` as it was when this binary was built (`sha256sum` format: digest, two spaces, path).
pub const SHA256SUMS: &str = include_str!("../../www/data/SHA256SUMS");

/// The expected lowercase hex SHA-256 of `path` (relative to the data root), if the file is a shipped one.
pub fn expected_sha256(path: &str) -> Option<&'static str> {
    SHA256SUMS.lines().find_map(|line| {
        let (digest, name) = line.split_once("  ")?;
        (name.trim() == path).then_some(digest.trim())
    })
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `bytes` against the built-in digest of `path`: an unknown path or a different digest is an
/// [`Error::Data`] that names the file and both digests.
pub fn verify(path: &str, bytes: &[u8]) -> Result<()> {
    let Some(expected) = expected_sha256(path) else {
        return Err(Error::Data {
            path: path.to_string(),
            detail: "not a shipped data file (it has no line in www/data/SHA256SUMS)".into(),
        });
    };
    let actual = sha256_hex(bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(Error::Data {
            path: path.to_string(),
            detail: format!(
                "checksum mismatch: expected SHA-256 {expected}, got {actual} ({} bytes): the file is damaged or \
                 not the one bpfree ships",
                bytes.len()
            ),
        })
    }
}
