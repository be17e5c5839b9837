//! Reading objects off a token: attributes (PKCS#11 v2.40 §4.1), public keys as
//! SubjectPublicKeyInfo (§2.3 EC keys, §2.1 RSA keys), DER helpers.

use const_oid::ObjectIdentifier;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{AnyRef, BitString, OctetStringRef, UintRef};
use der::{Decode as _, Encode as _};

use crate::{FormatError, KeyAlgorithm, Result};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const P384_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

pub(crate) fn invalid(what: &'static str, reason: impl ToString) -> FormatError {
    FormatError::Invalid {
        what,
        reason: reason.to_string(),
    }
}

/// The attributes of `handle` that the token gives; missing or sensitive ones are left out.
pub(crate) fn attrs(
    session: &Session,
    handle: ObjectHandle,
    types: &[AttributeType],
) -> cryptoki::error::Result<Vec<Attribute>> {
    session.get_attributes(handle, types)
}

/// Picks the bytes of a byte-valued attribute out of `attrs`.
pub(crate) fn bytes(attrs: &[Attribute], t: AttributeType) -> Option<&[u8]> {
    attrs.iter().find_map(|a| match (a, t) {
        (Attribute::Id(v), AttributeType::Id)
        | (Attribute::Value(v), AttributeType::Value)
        | (Attribute::Label(v), AttributeType::Label)
        | (Attribute::EcParams(v), AttributeType::EcParams)
        | (Attribute::EcPoint(v), AttributeType::EcPoint)
        | (Attribute::Modulus(v), AttributeType::Modulus)
        | (Attribute::PublicExponent(v), AttributeType::PublicExponent) => Some(v.as_slice()),
        _ => None,
    })
}

/// Picks a boolean attribute out of `attrs`.
pub(crate) fn flag(attrs: &[Attribute], t: AttributeType) -> Option<bool> {
    attrs.iter().find_map(|a| match (a, t) {
        (Attribute::Sensitive(v), AttributeType::Sensitive)
        | (Attribute::Extractable(v), AttributeType::Extractable)
        | (Attribute::Private(v), AttributeType::Private) => Some(*v),
        _ => None,
    })
}

pub(crate) fn key_type(attrs: &[Attribute]) -> Option<KeyType> {
    attrs.iter().find_map(|a| match a {
        Attribute::KeyType(k) => Some(*k),
        _ => None,
    })
}

/// Every object of `class`, optionally with this `CKA_ID`.
pub(crate) fn find(
    session: &Session,
    class: ObjectClass,
    id: Option<&[u8]>,
) -> cryptoki::error::Result<Vec<ObjectHandle>> {
    let mut template = vec![Attribute::Class(class)];
    if let Some(id) = id {
        template.push(Attribute::Id(id.to_vec()));
    }
    session.find_objects(&template)
}

/// The named curve in `CKA_EC_PARAMS` (DER `ECParameters`, PKCS#11 v2.40 §2.3.3): only the
/// `namedCurve` choice is accepted.
pub(crate) fn curve_oid(ec_params: &[u8]) -> Result<ObjectIdentifier> {
    Ok(ObjectIdentifier::from_der(ec_params).map_err(|e| invalid("CKA_EC_PARAMS", e))?)
}

/// The algorithm of an EC key from its curve.
pub(crate) fn ec_algorithm(curve: &ObjectIdentifier) -> Option<KeyAlgorithm> {
    if *curve == P256_OID {
        Some(KeyAlgorithm::P256)
    } else if *curve == P384_OID {
        Some(KeyAlgorithm::P384)
    } else if *curve == tessera_crypto::sm2::CURVE_OID {
        Some(KeyAlgorithm::Sm2)
    } else {
        None
    }
}

/// The point in `CKA_EC_POINT`: v2.40 §2.3.3 says DER `OCTET STRING`; some modules give the raw
/// uncompressed point, which we accept too.
pub(crate) fn ec_point(raw: &[u8]) -> Vec<u8> {
    match <&OctetStringRef>::from_der(raw) {
        Ok(os) if matches!(os.as_bytes().first(), Some(0x04)) => os.as_bytes().to_vec(),
        _ => raw.to_vec(),
    }
}

/// DER SubjectPublicKeyInfo for an EC point on `curve` (RFC 5480 §2).
pub(crate) fn ec_spki(curve: &ObjectIdentifier, point: &[u8]) -> Result<Vec<u8>> {
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: ID_EC_PUBLIC_KEY,
            parameters: Some(AnyRef::from(curve).into()),
        },
        subject_public_key: BitString::from_bytes(point).map_err(|e| invalid("EC point", e))?,
    };
    Ok(spki.to_der().map_err(|e| invalid("EC public key", e))?)
}

/// DER of a SEQUENCE of unsigned INTEGERs (RSAPublicKey, RFC 8017 §A.1.1; ECDSA-Sig-Value,
/// RFC 5480 §2.2).
pub(crate) fn uint_sequence(parts: &[&[u8]]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    for p in parts {
        UintRef::new(p)
            .and_then(|u| u.encode_to_vec(&mut body))
            .map_err(|e| invalid("INTEGER", e))?;
    }
    let mut out = Vec::new();
    let len = der::Length::try_from(body.len()).map_err(|e| invalid("SEQUENCE", e))?;
    der::Header::new(der::Tag::Sequence, len)
        .encode_to_vec(&mut out)
        .map_err(|e| invalid("SEQUENCE", e))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// DER SubjectPublicKeyInfo for an RSA key (RFC 8017 §A.1.1, RFC 3279 §2.3.1).
pub(crate) fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<Vec<u8>> {
    let key = uint_sequence(&[modulus, exponent])?;
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        },
        subject_public_key: BitString::from_bytes(&key).map_err(|e| invalid("RSA key", e))?,
    };
    Ok(spki.to_der().map_err(|e| invalid("RSA public key", e))?)
}

/// What a key object says about its public half, read from the object itself.
pub(crate) struct PublicHalf {
    pub(crate) algorithm: KeyAlgorithm,
    pub(crate) spki: Vec<u8>,
}

/// The public half of a public-key object (`CKO_PUBLIC_KEY`), or `None` for key types we do not
/// handle.
pub(crate) fn public_half(session: &Session, handle: ObjectHandle) -> Result<Option<PublicHalf>> {
    let a = attrs(
        session,
        handle,
        &[
            AttributeType::KeyType,
            AttributeType::EcParams,
            AttributeType::EcPoint,
            AttributeType::Modulus,
            AttributeType::PublicExponent,
        ],
    )
    .map_err(|e| invalid("public key object", e))?;
    let Some(kt) = key_type(&a) else {
        return Ok(None);
    };
    if kt == KeyType::EC {
        let (Some(params), Some(point)) = (
            bytes(&a, AttributeType::EcParams),
            bytes(&a, AttributeType::EcPoint),
        ) else {
            return Ok(None);
        };
        let curve = curve_oid(params)?;
        let Some(algorithm) = ec_algorithm(&curve) else {
            return Ok(None);
        };
        let spki = ec_spki(&curve, &ec_point(point))?;
        return Ok(Some(PublicHalf { algorithm, spki }));
    }
    if kt == KeyType::RSA {
        let (Some(n), Some(e)) = (
            bytes(&a, AttributeType::Modulus),
            bytes(&a, AttributeType::PublicExponent),
        ) else {
            return Ok(None);
        };
        let bits = rsa_bits(n);
        let spki = rsa_spki(n, e)?;
        return Ok(Some(PublicHalf {
            algorithm: KeyAlgorithm::Rsa { bits },
            spki,
        }));
    }
    Ok(None)
}

/// Bit length of a big-endian modulus.
pub(crate) fn rsa_bits(n: &[u8]) -> u32 {
    let n = match n.iter().position(|b| *b != 0) {
        Some(i) => &n[i..],
        None => return 0,
    };
    let lead = n.first().map_or(0, |b| 8 - b.leading_zeros());
    u32::try_from(n.len().saturating_sub(1) * 8).unwrap_or(u32::MAX) + lead
}

/// The subjectPublicKey bits of a DER SubjectPublicKeyInfo, which identify a key whatever OID
/// form its algorithm is written in.
pub(crate) fn spki_bits(spki_der: &[u8]) -> Option<Vec<u8>> {
    spki::SubjectPublicKeyInfoRef::from_der(spki_der)
        .ok()
        .map(|s| s.subject_public_key.raw_bytes().to_vec())
}
