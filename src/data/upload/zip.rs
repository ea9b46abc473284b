//! The entries of an uploaded ZIP archive (a folder of images zipped by the user): the central directory is
//! read from the end-of-central-directory record, every entry is checked — no ZIP64, no encryption, stored or
//! deflated only — and the sizes the archive declares are summed against [`MAX_UNPACKED_BYTES`] before anything
//! is inflated; each entry is then inflated to at most its declared size and checked against its size and CRC-32.

use super::{err, thousands, Named, MAX_UNPACKED_BYTES, MAX_ZIP_BYTES};
use crate::error::Result;
use std::io::Read;

/// Most entries of an archive's central directory.
const MAX_ENTRIES: usize = 100_000;
/// The end-of-central-directory record: 22 bytes and a comment of at most 65,535.
const EOCD_LEN: usize = 22;
const EOCD_SCAN: usize = EOCD_LEN + 65_535;
const ZIP64: &str = "ZIP64 archives are not read; zip fewer/smaller files";

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?) as usize)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// One central-directory entry to unpack.
struct Entry {
    name: String,
    method: usize,
    crc: u32,
    packed: usize,
    size: usize,
    local: usize,
}

/// Whether an entry is skipped: a folder, macOS metadata (`__MACOSX/`), or a hidden file (`.DS_Store`).
fn skipped(name: &str) -> bool {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    name.ends_with('/') || name.ends_with('\\') || name.starts_with("__MACOSX/") || last.starts_with('.')
}

/// The files of a ZIP archive as `(path, bytes)`, in the order of its central directory; folders, `__MACOSX/`
/// and hidden files are left out.
pub fn read_zip(file: Named) -> Result<Vec<(String, Vec<u8>)>> {
    let (path, b) = (file.name, file.bytes);
    super::check_size(path, b.len() as u64, MAX_ZIP_BYTES)?;
    let corrupt = |what: &str| err(path, format!("not a ZIP archive, or a truncated one: {what}"));
    let floor = b.len().saturating_sub(EOCD_SCAN);
    let eocd = (floor..=b.len().saturating_sub(EOCD_LEN))
        .rev()
        .find(|&i| u32_at(b, i) == Some(0x0605_4b50))
        .ok_or_else(|| corrupt("no end-of-central-directory record"))?;
    let field = |at: usize| u16_at(b, eocd + at).unwrap_or(0);
    let (disk, cd_disk, on_disk, count) = (field(4), field(6), field(8), field(10));
    let cd_size = u32_at(b, eocd + 12).unwrap_or(0);
    let cd_offset = u32_at(b, eocd + 16).unwrap_or(0);
    let zip64_locator = eocd >= 20 && u32_at(b, eocd - 20) == Some(0x0706_4b50);
    if count == 0xFFFF || on_disk == 0xFFFF || cd_size == u32::MAX || cd_offset == u32::MAX || zip64_locator {
        return Err(err(path, ZIP64));
    }
    if disk != 0 || cd_disk != 0 || on_disk != count {
        return Err(err(path, "a split (multi-part) archive; zip the files into one archive"));
    }
    if count > MAX_ENTRIES {
        return Err(err(path, format!("{} entries; the limit is {}", thousands(count), thousands(MAX_ENTRIES))));
    }
    let (cd_offset, cd_size) = (cd_offset as usize, cd_size as usize);
    if cd_offset.checked_add(cd_size).is_none_or(|end| end > eocd) {
        return Err(corrupt("the central directory lies outside the file"));
    }
    let mut entries = Vec::new();
    let mut at = cd_offset;
    let mut declared = 0u64;
    for _ in 0..count {
        if u32_at(b, at) != Some(0x0201_4b50) {
            return Err(corrupt("a damaged central directory"));
        }
        let base = at;
        let h = |o: usize| u16_at(b, base + o).unwrap_or(0);
        let w = |o: usize| u32_at(b, base + o).unwrap_or(0);
        let (flags, method, name_len, extra_len, comment_len) = (h(8), h(10), h(28), h(30), h(32));
        let raw = b.get(at + 46..at + 46 + name_len).ok_or_else(|| corrupt("a damaged central directory"))?;
        let name = String::from_utf8_lossy(raw).into_owned();
        at += 46 + name_len + extra_len + comment_len;
        if skipped(&name) {
            continue;
        }
        let entry = |what: &str| err(path, format!("entry `{name}`: {what}"));
        let (crc, packed, size, local) = (w(16), w(20), w(24), w(42));
        if packed == u32::MAX || size == u32::MAX || local == u32::MAX || h(34) == 0xFFFF {
            return Err(entry(ZIP64));
        }
        if flags & 1 != 0 {
            return Err(entry("encrypted; zip it without a password"));
        }
        if method != 0 && method != 8 {
            return Err(entry(&format!("compression method {method}; only stored (0) and deflate (8) are read")));
        }
        declared += u64::from(size);
        if declared > MAX_UNPACKED_BYTES {
            let limit = MAX_UNPACKED_BYTES >> 20;
            return Err(err(path, format!("its files unpack to more than {limit} MiB (the limit), by its directory")));
        }
        entries.push(Entry { name, method, crc, packed: packed as usize, size: size as usize, local: local as usize });
    }
    entries.into_iter().map(|e| unpack(path, b, e)).collect()
}

/// Inflates (or copies) one entry and checks its size and CRC-32.
fn unpack(path: &str, b: &[u8], e: Entry) -> Result<(String, Vec<u8>)> {
    let entry = |what: String| err(path, format!("entry `{}`: {what}", e.name));
    if u32_at(b, e.local) != Some(0x0403_4b50) {
        return Err(entry("its local header is missing (a damaged or truncated archive)".into()));
    }
    let skip = u16_at(b, e.local + 26).unwrap_or(0) + u16_at(b, e.local + 28).unwrap_or(0);
    let start = e.local + 30 + skip;
    let data = start
        .checked_add(e.packed)
        .and_then(|end| b.get(start..end))
        .ok_or_else(|| entry("its data runs past the end of the file (a truncated archive)".into()))?;
    let out = if e.method == 0 {
        data.to_vec()
    } else {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(data)
            .take(e.size as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|x| entry(format!("corrupted deflate data: {x}")))?;
        out
    };
    if out.len() != e.size {
        return Err(entry(format!("unpacks to {} bytes, but the archive says {}", out.len(), e.size)));
    }
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    if crc.sum() != e.crc {
        return Err(entry(format!("CRC-32 {:08x}, but the archive says {:08x} (a damaged archive)", crc.sum(), e.crc)));
    }
    Ok((e.name, out))
}
