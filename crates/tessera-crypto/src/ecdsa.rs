//! ECDSA over NIST P-256 and P-384 (FIPS 186-4 §6, SEC 1 §4.1).
//!
//! Signatures are DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3) as in certificates, or fixed-width
//! `r || s` (IEEE P1363) as some device interfaces want. Nonces are RFC 6979 hedged with fresh
//! OS randomness.

use signature::hazmat::{PrehashVerifier as _, RandomizedPrehashSigner as _};

use crate::{CryptoError, Result, digest::DigestAlgorithm, rng::SysRng};

const ALG: &str = "ECDSA";

/// A NIST curve Tessera supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    P256,
    P384,
}

impl EcCurve {
    /// Name as shown to users (`P-256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }

    /// Field size in bits.
    pub fn bits(self) -> u32 {
        match self {
            Self::P256 => 256,
            Self::P384 => 384,
        }
    }

    /// Named-curve OID (RFC 5480 §2.1.1.1).
    pub fn oid(self) -> const_oid::ObjectIdentifier {
        match self {
            Self::P256 => const_oid::db::rfc5912::SECP_256_R_1,
            Self::P384 => const_oid::db::rfc5912::SECP_384_R_1,
        }
    }

    /// The curve named by `oid`, if supported.
    pub fn from_oid(oid: &const_oid::ObjectIdentifier) -> Option<Self> {
        [Self::P256, Self::P384]
            .into_iter()
            .find(|c| c.oid() == *oid)
    }

    /// The digest conventionally paired with this curve (RFC 5480 §4).
    pub fn default_digest(self) -> DigestAlgorithm {
        match self {
            Self::P256 => DigestAlgorithm::Sha256,
            Self::P384 => DigestAlgorithm::Sha384,
        }
    }
}

/// How an ECDSA signature is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureEncoding {
    /// DER `SEQUENCE { r INTEGER, s INTEGER }`.
    Der,
    /// `r || s`, each left-padded to the field size.
    P1363,
}

/// An ECDSA private key.
#[derive(Clone)]
#[non_exhaustive]
pub enum EcdsaPrivateKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for EcdsaPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcdsaPrivateKey({})", self.curve().name())
    }
}

/// An ECDSA public key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcdsaPublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

fn invalid(reason: &'static str) -> CryptoError {
    CryptoError::InvalidKey {
        algorithm: ALG,
        reason,
    }
}

fn malformed() -> CryptoError {
    CryptoError::MalformedSignature { algorithm: ALG }
}

fn bad() -> CryptoError {
    CryptoError::BadSignature { algorithm: ALG }
}

impl EcdsaPrivateKey {
    /// A fresh key on `curve` from the OS CSPRNG.
    pub fn generate(curve: EcCurve) -> Result<Self> {
        use elliptic_curve::Generate as _;
        Ok(match curve {
            EcCurve::P256 => Self::P256(
                p256::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng)
                    .map_err(|_| CryptoError::Rng)?,
            ),
            EcCurve::P384 => Self::P384(
                p384::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng)
                    .map_err(|_| CryptoError::Rng)?,
            ),
        })
    }

    /// From DER PKCS#8 or SEC1 `ECPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        use p256::pkcs8::DecodePrivateKey as _;
        if let Ok(k) =
            p256::SecretKey::from_pkcs8_der(der).or_else(|_| p256::SecretKey::from_sec1_der(der))
        {
            return Ok(Self::P256(k.into()));
        }
        if let Ok(k) =
            p384::SecretKey::from_pkcs8_der(der).or_else(|_| p384::SecretKey::from_sec1_der(der))
        {
            return Ok(Self::P384(k.into()));
        }
        Err(invalid("not a P-256 or P-384 private key"))
    }

    /// DER PKCS#8.
    pub fn to_pkcs8_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        use p256::pkcs8::EncodePrivateKey as _;
        let doc = match self {
            Self::P256(k) => k.to_pkcs8_der(),
            Self::P384(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| invalid("encoding"))?;
        Ok(zeroize::Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The curve of this key.
    pub fn curve(&self) -> EcCurve {
        match self {
            Self::P256(_) => EcCurve::P256,
            Self::P384(_) => EcCurve::P384,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> EcdsaPublicKey {
        match self {
            Self::P256(k) => EcdsaPublicKey::P256(*k.verifying_key()),
            Self::P384(k) => EcdsaPublicKey::P384(*k.verifying_key()),
        }
    }

    /// Hashes `msg` with `digest` and signs the hash.
    pub fn sign(
        &self,
        digest: DigestAlgorithm,
        msg: &[u8],
        enc: SignatureEncoding,
    ) -> Result<Vec<u8>> {
        self.sign_prehash(&digest.digest(msg), enc)
    }

    /// Signs a hash computed elsewhere (as a token without on-board hashing needs).
    pub fn sign_prehash(&self, hash: &[u8], enc: SignatureEncoding) -> Result<Vec<u8>> {
        let fail = |_| CryptoError::InvalidInput {
            algorithm: ALG,
            reason: "hash too short",
        };
        // `ecdsa` 0.17 no longer checks the length (and RFC 6979's bits2int asserts on an empty
        // hash): refuse anything shorter than half the field size, as `ecdsa` 0.16 did.
        if hash.len() < self.curve().bits() as usize / 16 {
            return Err(CryptoError::InvalidInput {
                algorithm: ALG,
                reason: "hash too short",
            });
        }
        Ok(match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash_with_rng(&mut SysRng, hash).map_err(fail)?;
                encode(sig.to_der().as_bytes(), &sig.to_bytes(), enc)
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.sign_prehash_with_rng(&mut SysRng, hash).map_err(fail)?;
                encode(sig.to_der().as_bytes(), &sig.to_bytes(), enc)
            }
        })
    }
}

fn encode(der: &[u8], raw: &[u8], enc: SignatureEncoding) -> Vec<u8> {
    match enc {
        SignatureEncoding::Der => der.to_vec(),
        SignatureEncoding::P1363 => raw.to_vec(),
    }
}

impl EcdsaPublicKey {
    /// From a SEC1 point on `curve`, checked to lie on the curve.
    pub fn from_sec1_bytes(curve: EcCurve, bytes: &[u8]) -> Result<Self> {
        let not_on_curve = |_| invalid("not a point on the curve");
        Ok(match curve {
            EcCurve::P256 => {
                Self::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(not_on_curve)?)
            }
            EcCurve::P384 => {
                Self::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(not_on_curve)?)
            }
        })
    }

    /// From DER SubjectPublicKeyInfo (id-ecPublicKey with a named curve).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        use der::Decode as _;
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| invalid("malformed SubjectPublicKeyInfo"))?;
        let (oid, param) = spki
            .algorithm
            .oids()
            .map_err(|_| invalid("malformed algorithm"))?;
        if oid != crate::sm2::EC_PUBLIC_KEY_OID {
            return Err(invalid("not an EC key"));
        }
        let curve = param
            .as_ref()
            .and_then(EcCurve::from_oid)
            .ok_or(invalid("unsupported curve"))?;
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or(invalid("public key has unused bits"))?;
        Self::from_sec1_bytes(curve, point)
    }

    /// DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        use p256::pkcs8::EncodePublicKey as _;
        let doc = match self {
            Self::P256(k) => k.to_public_key_der(),
            Self::P384(k) => k.to_public_key_der(),
        }
        .map_err(|_| invalid("encoding"))?;
        Ok(doc.as_bytes().to_vec())
    }

    /// The curve of this key.
    pub fn curve(&self) -> EcCurve {
        match self {
            Self::P256(_) => EcCurve::P256,
            Self::P384(_) => EcCurve::P384,
        }
    }

    /// Verifies `sig` over `msg` hashed with `digest`.
    pub fn verify(
        &self,
        digest: DigestAlgorithm,
        msg: &[u8],
        sig: &[u8],
        enc: SignatureEncoding,
    ) -> Result<()> {
        self.verify_prehash(&digest.digest(msg), sig, enc)
    }

    /// Verifies `sig` over a hash computed elsewhere. DER must be strict (X.690 §10).
    pub fn verify_prehash(&self, hash: &[u8], sig: &[u8], enc: SignatureEncoding) -> Result<()> {
        match self {
            Self::P256(k) => {
                let sig = match enc {
                    SignatureEncoding::Der => p256::ecdsa::Signature::from_der(sig),
                    SignatureEncoding::P1363 => p256::ecdsa::Signature::from_slice(sig),
                }
                .map_err(|_| malformed())?;
                k.verify_prehash(hash, &sig).map_err(|_| bad())
            }
            Self::P384(k) => {
                let sig = match enc {
                    SignatureEncoding::Der => p384::ecdsa::Signature::from_der(sig),
                    SignatureEncoding::P1363 => p384::ecdsa::Signature::from_slice(sig),
                }
                .map_err(|_| malformed())?;
                k.verify_prehash(hash, &sig).map_err(|_| bad())
            }
        }
    }
}
