//! Signature algorithms for path validation, implemented on `tessera-crypto` and offered to
//! rustls-webpki as [`SignatureVerificationAlgorithm`]s.
//!
//! webpki picks an algorithm by comparing the certificate's `signatureAlgorithm` and the issuer's
//! SubjectPublicKeyInfo `algorithm` byte for byte with [`signature_alg_id`] and
//! [`public_key_alg_id`] (the DER content of each AlgorithmIdentifier, without the outer
//! SEQUENCE). Every encoding met in practice is therefore registered as its own entry.
//!
//! Supported (RFC 5280 §4.1.1.2, RFC 3279, RFC 4055, RFC 5758, GM/T 0015):
//!
//! - SM2-with-SM3 (1.2.156.10197.1.501, GM/T 0006), `Z_A` over the default ID
//!   `1234567812345678` (GM/T 0009 §10), signature DER `SEQUENCE { r, s }`. The key may be
//!   id-ecPublicKey with the SM2 curve, or the SM2 curve OID itself (with no parameters, NULL,
//!   or the curve OID again), as real certificates do.
//! - ECDSA on P-256 and P-384 with SHA-256, SHA-384 and SHA-512 (RFC 5758 §3.2), every
//!   curve/digest pair.
//! - RSA PKCS#1 v1.5 with SHA-256/384/512, parameters NULL or absent (RFC 4055 §5), and
//!   RSASSA-PSS with SHA-256/384/512 and MGF1 of the same digest (RFC 4055 §3.1), on
//!   rsaEncryption keys of 2048 to 8192 bits, a whole number of bytes. The PSS parameters
//!   must be the usual ones (salt as long as the digest, as webpki's identifiers spell them);
//!   the salt length inside the signature is then recovered, not compared.
//!
//! Deliberately absent: SHA-1 and MD5 signatures (collisions are practical, SHAttered 2017;
//! the CA/Browser Forum stopped SHA-1 in 2016). Trust anchors are not affected: a root's own
//! signature is never checked (RFC 5280 §6.1.1 (d)), so SHA-1-signed roots stay usable.
//! Elliptic-curve points must be uncompressed (RFC 5480 §2.2 makes compression optional; we
//! follow webpki, which rejects it).
//!
//! [`signature_alg_id`]: SignatureVerificationAlgorithm::signature_alg_id
//! [`public_key_alg_id`]: SignatureVerificationAlgorithm::public_key_alg_id

use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};
use tessera_crypto::{
    digest::DigestAlgorithm,
    ecdsa::{EcCurve, EcdsaPublicKey, SignatureEncoding},
    rsa::{RsaPadding, RsaPublicKey},
    sm2::{DEFAULT_ID, Sm2PublicKey, Sm2Signature},
};

/// How a signature is checked once the algorithm identifiers matched.
#[derive(Debug, Clone, Copy)]
enum Scheme {
    Sm2Sm3,
    Ecdsa(EcCurve, DigestAlgorithm),
    RsaPkcs1(DigestAlgorithm),
    RsaPss(DigestAlgorithm),
}

/// One registered (key encoding, signature encoding) pair.
#[derive(Debug)]
struct Algorithm {
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
    scheme: Scheme,
}

/// Smallest RSA modulus accepted, in bits (NIST SP 800-131A Rev. 2 §3).
const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (bounds the cost of one verification).
const RSA_MAX_BITS: usize = 8192;

impl SignatureVerificationAlgorithm for Algorithm {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        match self.scheme {
            Scheme::Sm2Sm3 => {
                let key = uncompressed_point(public_key)
                    .and_then(|p| Sm2PublicKey::from_sec1_bytes(p).ok());
                let key = key.ok_or(InvalidSignature)?;
                let sig = Sm2Signature::from_der(signature).map_err(|_| InvalidSignature)?;
                key.verify(DEFAULT_ID, message, &sig)
                    .map_err(|_| InvalidSignature)
            }
            Scheme::Ecdsa(curve, digest) => {
                let key = uncompressed_point(public_key)
                    .and_then(|p| EcdsaPublicKey::from_sec1_bytes(curve, p).ok());
                let key = key.ok_or(InvalidSignature)?;
                key.verify(digest, message, signature, SignatureEncoding::Der)
                    .map_err(|_| InvalidSignature)
            }
            Scheme::RsaPkcs1(digest) => rsa_key(public_key)?
                .verify(RsaPadding::Pkcs1v15, digest, message, signature)
                .map_err(|_| InvalidSignature),
            Scheme::RsaPss(digest) => rsa_key(public_key)?
                .verify(RsaPadding::Pss, digest, message, signature)
                .map_err(|_| InvalidSignature),
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }

    fn fips(&self) -> bool {
        false
    }
}

/// The SEC1 point if it is in uncompressed form `04 || x || y` (SEC 1 §2.3.3).
fn uncompressed_point(bytes: &[u8]) -> Option<&[u8]> {
    (bytes.first() == Some(&0x04)).then_some(bytes)
}

/// A PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) of an accepted size.
fn rsa_key(der: &[u8]) -> Result<RsaPublicKey, InvalidSignature> {
    let key = RsaPublicKey::from_der(der).map_err(|_| InvalidSignature)?;
    let bits = key.bits();
    if (RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) && bits % 8 == 0 {
        Ok(key)
    } else {
        Err(InvalidSignature)
    }
}

// DER content of AlgorithmIdentifier values (the bytes inside the outer SEQUENCE).

/// id-ecPublicKey (RFC 5480 §2.1.1) with namedCurve sm2p256v1 (GM/T 0006).
const SM2_KEY_EC: &[u8] = &[
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, // 1.2.840.10045.2.1
    0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, // 1.2.156.10197.1.301
];
/// The SM2 curve OID as the key algorithm, no parameters.
const SM2_KEY_CURVE: &[u8] = &[0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
/// The SM2 curve OID as the key algorithm, NULL parameters.
const SM2_KEY_CURVE_NULL: &[u8] = &[
    0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x05, 0x00,
];
/// The SM2 curve OID as the key algorithm, the curve OID again as parameters.
const SM2_KEY_CURVE_CURVE: &[u8] = &[
    0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, //
    0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d,
];
/// SM2-with-SM3, 1.2.156.10197.1.501, no parameters (GM/T 0015 §6.2).
const SM2_SM3: &[u8] = &[0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75];
/// SM2-with-SM3 with NULL parameters, as some issuers write it.
const SM2_SM3_NULL: &[u8] = &[
    0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75, 0x05, 0x00,
];
/// sha256WithRSAEncryption without parameters (RFC 4055 §5 says NULL; some omit it).
const RSA_PKCS1_SHA256_ABSENT: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
];
/// sha384WithRSAEncryption without parameters.
const RSA_PKCS1_SHA384_ABSENT: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c,
];
/// sha512WithRSAEncryption without parameters.
const RSA_PKCS1_SHA512_ABSENT: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d,
];

const fn id(bytes: &'static [u8]) -> AlgorithmIdentifier {
    AlgorithmIdentifier::from_slice(bytes)
}

const fn alg(
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
    scheme: Scheme,
) -> Algorithm {
    Algorithm {
        public_key_alg_id,
        signature_alg_id,
        scheme,
    }
}

use DigestAlgorithm::{Sha256, Sha384, Sha512};
use EcCurve::{P256, P384};

const COUNT: usize = 23;

static ALGORITHMS: [Algorithm; COUNT] = [
    // SM2-with-SM3: 4 key encodings x 2 signature encodings.
    alg(id(SM2_KEY_EC), id(SM2_SM3), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_EC), id(SM2_SM3_NULL), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_CURVE), id(SM2_SM3), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_CURVE), id(SM2_SM3_NULL), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_CURVE_NULL), id(SM2_SM3), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_CURVE_NULL), id(SM2_SM3_NULL), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_CURVE_CURVE), id(SM2_SM3), Scheme::Sm2Sm3),
    alg(id(SM2_KEY_CURVE_CURVE), id(SM2_SM3_NULL), Scheme::Sm2Sm3),
    // ECDSA (RFC 5758 §3.2): every curve with every SHA-2 digest.
    alg(
        alg_id::ECDSA_P256,
        alg_id::ECDSA_SHA256,
        Scheme::Ecdsa(P256, Sha256),
    ),
    alg(
        alg_id::ECDSA_P256,
        alg_id::ECDSA_SHA384,
        Scheme::Ecdsa(P256, Sha384),
    ),
    alg(
        alg_id::ECDSA_P256,
        alg_id::ECDSA_SHA512,
        Scheme::Ecdsa(P256, Sha512),
    ),
    alg(
        alg_id::ECDSA_P384,
        alg_id::ECDSA_SHA256,
        Scheme::Ecdsa(P384, Sha256),
    ),
    alg(
        alg_id::ECDSA_P384,
        alg_id::ECDSA_SHA384,
        Scheme::Ecdsa(P384, Sha384),
    ),
    alg(
        alg_id::ECDSA_P384,
        alg_id::ECDSA_SHA512,
        Scheme::Ecdsa(P384, Sha512),
    ),
    // RSA PKCS#1 v1.5 (RFC 4055 §5), parameters NULL or absent.
    alg(
        alg_id::RSA_ENCRYPTION,
        alg_id::RSA_PKCS1_SHA256,
        Scheme::RsaPkcs1(Sha256),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        alg_id::RSA_PKCS1_SHA384,
        Scheme::RsaPkcs1(Sha384),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        alg_id::RSA_PKCS1_SHA512,
        Scheme::RsaPkcs1(Sha512),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        id(RSA_PKCS1_SHA256_ABSENT),
        Scheme::RsaPkcs1(Sha256),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        id(RSA_PKCS1_SHA384_ABSENT),
        Scheme::RsaPkcs1(Sha384),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        id(RSA_PKCS1_SHA512_ABSENT),
        Scheme::RsaPkcs1(Sha512),
    ),
    // RSASSA-PSS (RFC 4055 §3.1) on rsaEncryption keys; the parameters name the digest.
    alg(
        alg_id::RSA_ENCRYPTION,
        alg_id::RSA_PSS_SHA256,
        Scheme::RsaPss(Sha256),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        alg_id::RSA_PSS_SHA384,
        Scheme::RsaPss(Sha384),
    ),
    alg(
        alg_id::RSA_ENCRYPTION,
        alg_id::RSA_PSS_SHA512,
        Scheme::RsaPss(Sha512),
    ),
];

static ALL: [&dyn SignatureVerificationAlgorithm; COUNT] = {
    let mut out: [&dyn SignatureVerificationAlgorithm; COUNT] = [&ALGORITHMS[0]; COUNT];
    let mut i = 0;
    while i < ALGORITHMS.len() {
        out[i] = &ALGORITHMS[i];
        i += 1;
    }
    out
};

/// Every signature algorithm Tessera accepts in certificates and CRLs, in the form rustls-webpki
/// takes. See the module documentation for the list and what is left out on purpose.
pub fn supported() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    &ALL
}

/// Checks that an end entity's key (SubjectPublicKeyInfo algorithm content and key bits) is
/// one Tessera can verify signatures with: SM2, P-256 or P-384 uncompressed points on the
/// curve, or RSA of an accepted size.
pub(crate) fn check_public_key(alg_id: &[u8], key: &[u8]) -> Result<(), &'static str> {
    let scheme = ALGORITHMS
        .iter()
        .find(|a| a.public_key_alg_id.as_ref() == alg_id)
        .map(|a| a.scheme)
        .ok_or("key algorithm or curve not supported (SM2, P-256, P-384, RSA)")?;
    let point = || uncompressed_point(key).ok_or("elliptic-curve point is not uncompressed");
    match scheme {
        Scheme::Sm2Sm3 => Sm2PublicKey::from_sec1_bytes(point()?)
            .map(|_| ())
            .map_err(|_| "not an SM2 point"),
        Scheme::Ecdsa(curve, _) => EcdsaPublicKey::from_sec1_bytes(curve, point()?)
            .map(|_| ())
            .map_err(|_| "not a point on the curve"),
        Scheme::RsaPkcs1(_) | Scheme::RsaPss(_) => rsa_key(key)
            .map(|_| ())
            .map_err(|_| "RSA key malformed or not 2048 to 8192 bits in whole bytes"),
    }
}
