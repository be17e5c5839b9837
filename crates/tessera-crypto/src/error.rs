//! The one error type of the algorithm layer.

/// What went wrong in an algorithm. Carries no secret material.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key could not be decoded or is not valid for its algorithm (off-curve point, zero scalar,
    /// wrong length, unsupported RSA modulus size...).
    #[error("invalid {algorithm} key: {reason}")]
    InvalidKey {
        algorithm: &'static str,
        reason: &'static str,
    },
    /// A signature is not well formed (bad DER, wrong length, scalar out of range).
    #[error("malformed {algorithm} signature")]
    MalformedSignature { algorithm: &'static str },
    /// A well-formed signature that does not verify.
    #[error("{algorithm} signature does not verify")]
    BadSignature { algorithm: &'static str },
    /// Ciphertext that cannot be decrypted: malformed, tampered with, or for another key.
    #[error("{algorithm} decryption failed")]
    DecryptionFailed { algorithm: &'static str },
    /// An input outside what the algorithm accepts.
    #[error("invalid input for {algorithm}: {reason}")]
    InvalidInput {
        algorithm: &'static str,
        reason: &'static str,
    },
    /// The operating system's random source failed.
    #[error("the operating system's random number generator failed")]
    Rng,
}
