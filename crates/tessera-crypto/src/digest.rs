//! Message digests: SHA-1/-256/-384/-512 (FIPS 180-4), SM3 (GB/T 32905) and MD5 (RFC 1321).
//!
//! MD5 and SHA-1 exist for certificate thumbprints, which users compare with other tools; they
//! are never used for signatures made by Tessera.

use digest::{Digest, DynDigest};

/// A digest algorithm by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Sm3,
    Md5,
}

impl DigestAlgorithm {
    /// Every algorithm, in the order a thumbprint menu lists them (SHA-1 first, the default).
    pub const ALL: [DigestAlgorithm; 6] = [
        DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sm3,
        DigestAlgorithm::Md5,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ];

    /// Lowercase name as used on the command line and in JSON (`sha1`, `sm3`...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Sm3 => "sm3",
            Self::Md5 => "md5",
        }
    }

    /// Parses a name as printed by [`DigestAlgorithm::name`], ignoring case and a `-`.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase().replace('-', "");
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha256 | Self::Sm3 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Box<dyn DynDigest + Send> {
        match self {
            Self::Sha1 => Box::new(sha1::Sha1::new()),
            Self::Sha256 => Box::new(sha2::Sha256::new()),
            Self::Sha384 => Box::new(sha2::Sha384::new()),
            Self::Sha512 => Box::new(sha2::Sha512::new()),
            Self::Sm3 => Box::new(sm3::Sm3::new()),
            Self::Md5 => Box::new(md5::Md5::new()),
        }
    }

    /// The digest of `data` in one call.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finalize().into_vec()
    }
}

impl std::fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// SM3 of `data` (GB/T 32905).
pub fn sm3(data: &[u8]) -> [u8; 32] {
    sm3::Sm3::digest(data).into()
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}
