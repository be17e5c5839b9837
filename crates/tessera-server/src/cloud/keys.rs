//! Key rules of the cloud-key area: two-party key generation, the certificate for the joint key
//! (the service builds the subject), co-signing and co-decryption (DESIGN.md, "Two-party SM2").
//! No HTTP here: `super::api` maps requests onto these functions.
//!
//! The service half `d2` is wrapped under the master key (`tessera_crypto::wrap`, SM4-GCM, bound
//! to `cloud:<account id>`) the moment it is made, stored in its own table keyed by (account,
//! grant) and unwrapped only for one operation. A use fetches the share and counts it in one statement, in the transaction that
//! stores the request's device nonce ([`crate::store::Store::admit_device_requests`]); the
//! answer is withheld until the use's audit row has committed.

use std::str::FromStr as _;
use std::sync::Arc;

use tessera_crypto::sm2::two_party::{PartialSignature, ServiceShare};
use tessera_proto::cloud::{
    AccountStatus, CertificateRequest, CloudCertificate, CodecryptRequest, CodecryptResponse,
    CosignRequest, CosignResponse, KeygenRequest, KeygenResponse,
};
use tessera_x509::Certificate;
use tessera_x509::issue::Profile;

use super::accounts::actor;
use super::{CERT_DAYS, CloudError, blocking, decode_hex};
use crate::AppState;
use crate::audit::{Action, Event, Origin};
use crate::ca::wrap::MasterKey;
use crate::error::ApiError;
use crate::store::{CloudAccountRow, ShareKey};

type Result<T, E = ApiError> = std::result::Result<T, E>;

/// The share a key operation of `account_id`'s owner uses (no grant).
pub fn own_share(account_id: &str) -> ShareKey {
    ShareKey::own(account_id)
}

fn approved(row: &CloudAccountRow) -> Result<(), CloudError> {
    if row.status == AccountStatus::Approved.as_str() {
        Ok(())
    } else {
        Err(CloudError::NotApproved {
            status: row.status.clone(),
        })
    }
}

/// The name `d2` is wrapped under (its associated data).
fn wrap_name(account_id: &str) -> String {
    format!("cloud:{account_id}")
}

/// Two-party key generation, service side: checks `P1`, draws `d2`, wraps it. Returns the
/// joint public key (SEC1 uncompressed) and the wrapped share.
pub async fn generate_share(
    master: Arc<MasterKey>,
    account_id: &str,
    p1: [u8; 65],
) -> Result<(Vec<u8>, Vec<u8>), CloudError> {
    let name = wrap_name(account_id);
    blocking(move || {
        let (d2, public) =
            ServiceShare::generate(&p1).map_err(|e| CloudError::BadPoint(format!("P1: {e}")))?;
        let wrapped = master
            .wrap(&name, d2.to_bytes().as_slice())
            .map_err(|e| CloudError::Internal(e.to_string()))?;
        Ok((public.to_sec1_uncompressed(), wrapped))
    })
    .await
}

fn unwrap_share(
    master: &MasterKey,
    account_id: &str,
    wrapped: &[u8],
) -> Result<ServiceShare, CloudError> {
    let plain = master
        .unwrap(&wrap_name(account_id), wrapped)
        .map_err(|e| CloudError::Internal(e.to_string()))?;
    ServiceShare::from_bytes(&plain).map_err(|e| CloudError::Internal(e.to_string()))
}

/// Signing step 2 with the account's wrapped share. Runs on the caller's thread, like the
/// device signature check before it: two scalar multiplications (well under a millisecond)
/// cost less there than a round trip through the blocking pool, whose threads would outnumber
/// the cores under load.
pub fn cosign(
    master: &MasterKey,
    account_id: &str,
    wrapped: &[u8],
    e: &[u8; 32],
    q1: &[u8],
) -> Result<PartialSignature, CloudError> {
    let d2 = unwrap_share(master, account_id, wrapped)?;
    d2.cosign(e, q1)
        .map_err(|e| CloudError::BadPoint(format!("Q1: {e}")))
}

/// Decryption step with the account's wrapped share: `T2 = d2^-1 · T1`, on the caller's
/// thread as [`cosign`].
pub fn codecrypt(
    master: &MasterKey,
    account_id: &str,
    wrapped: &[u8],
    t1: &[u8],
) -> Result<[u8; 65], CloudError> {
    let d2 = unwrap_share(master, account_id, wrapped)?;
    d2.decrypt_step(t1)
        .map_err(|e| CloudError::BadPoint(format!("T1: {e}")))
}

/// Key generation, step 2 (service): checks `P1`, draws and wraps `d2`, stores it as the
/// owner's share, returns `P`.
pub async fn keygen(
    state: &AppState,
    row: &CloudAccountRow,
    body: &KeygenRequest,
    origin: &Origin,
) -> Result<KeygenResponse> {
    approved(row)?;
    if row.public_key.is_some() {
        return Err(CloudError::KeyState("the account has a key already").into());
    }
    let p1 = decode_hex("p1", &body.p1)?;
    let (public, sealed) = generate_share(state.cloud.master()?, &row.id, p1).await?;
    if !state
        .store
        .set_cloud_key(&row.id, &public, &sealed, state.clock.now())
        .await?
    {
        return Err(CloudError::KeyState("the account has a key already").into());
    }
    state
        .audit
        .record(Event {
            actor: &actor(row),
            action: Action::CloudKeyGenerate,
            subject: &row.id,
            origin,
        })
        .await;
    Ok(KeygenResponse {
        public_key: public
            .as_slice()
            .try_into()
            .map_err(|e| CloudError::Internal(format!("joint key: {e}")))?,
    })
}

/// The subject of an account's certificate, set by the service (never taken from the CSR):
/// `CN=<name>,OU=<user ID>,O=<org>,C=CN`.
pub fn subject_of(row: &CloudAccountRow) -> Result<tessera_x509::issue::Name, CloudError> {
    let text = format!("CN={},OU={},O={},C=CN", row.name, row.user_id, row.org);
    tessera_x509::issue::Name::from_str(&text).map_err(|e| CloudError::Invalid(e.to_string()))
}

/// Issues the certificate for the joint key from a CSR co-signed with it; the subject is
/// [`subject_of`] the account.
pub async fn request_certificate(
    state: &AppState,
    row: &CloudAccountRow,
    body: &CertificateRequest,
    origin: &Origin,
) -> Result<CloudCertificate> {
    approved(row)?;
    let public = row
        .public_key
        .as_deref()
        .ok_or(CloudError::KeyState("the account has no key yet"))?;
    let csr = crate::ca::verify_csr(body.csr_pem.as_bytes()).await?;
    let expected = tessera_crypto::sm2::Sm2PublicKey::from_sec1_bytes(public)
        .and_then(|k| k.to_spki_der())
        .map_err(|e| CloudError::Internal(e.to_string()))?;
    if csr.spki_der != expected {
        return Err(CloudError::Invalid("the CSR is not for the account's key".into()).into());
    }
    let subject = subject_of(row)?;
    let ca = state.ca.get()?;
    let issued = ca
        .issue_for_key(
            subject,
            csr.spki_der,
            Profile::signing(),
            "cloud-signing",
            CERT_DAYS,
            state.clock.now(),
        )
        .await?;
    state
        .store
        .set_cloud_certificate(&row.id, &issued.serial, state.clock.now())
        .await?;
    state
        .audit
        .record(Event {
            actor: &actor(row),
            action: Action::CloudCertificateIssue,
            subject: &issued.serial,
            origin,
        })
        .await;
    Ok(CloudCertificate {
        serial: issued.serial,
        certificate_pem: issued.certificate.to_pem(),
        chain_pem: ca.chain_pem(),
    })
}

/// The account's current certificate and its chain.
pub async fn certificate(state: &AppState, row: &CloudAccountRow) -> Result<CloudCertificate> {
    let serial = row
        .certificate_serial
        .clone()
        .ok_or_else(|| ApiError::Missing("certificate".into()))?;
    let der = state
        .store
        .certificate_der(&serial)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("certificate {serial}")))?;
    let cert = Certificate::from_der(&der).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(CloudCertificate {
        serial,
        certificate_pem: cert.to_pem(),
        chain_pem: state.ca.get()?.chain_pem(),
    })
}

/// A use of d2: the audit row commits before the answer is given (fails closed).
async fn audit_use(
    state: &AppState,
    row: &CloudAccountRow,
    action: Action,
    origin: &Origin,
) -> Result<()> {
    state
        .audit
        .record_or_fail(Event {
            actor: &actor(row),
            action,
            subject: &row.id,
            origin,
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Signing, step 2 (service): `(r, s2, s3)` for `(e, Q1)` with the share fetched (and its
/// use counted) when the request was admitted; `None` when the account has no key.
pub async fn sign(
    state: &AppState,
    row: &CloudAccountRow,
    sealed: Option<&[u8]>,
    body: &CosignRequest,
    origin: &Origin,
) -> Result<CosignResponse> {
    approved(row)?;
    let e = decode_hex("e", &body.e)?;
    let q1 = decode_hex("q1", &body.q1)?;
    let sealed = sealed.ok_or(CloudError::KeyState("the account has no key yet"))?;
    let answer = cosign(state.cloud.master()?.as_ref(), &row.id, sealed, &e, &q1)?;
    audit_use(state, row, Action::CloudSign, origin).await?;
    Ok(CosignResponse {
        r: answer.r.into(),
        s2: answer.s2.into(),
        s3: answer.s3.into(),
    })
}

/// Decryption, service step: `T2 = d2^-1 · T1`, with the share as [`sign`].
pub async fn decrypt(
    state: &AppState,
    row: &CloudAccountRow,
    sealed: Option<&[u8]>,
    body: &CodecryptRequest,
    origin: &Origin,
) -> Result<CodecryptResponse> {
    approved(row)?;
    let t1 = decode_hex("t1", &body.t1)?;
    let sealed = sealed.ok_or(CloudError::KeyState("the account has no key yet"))?;
    let t2 = codecrypt(state.cloud.master()?.as_ref(), &row.id, sealed, &t1)?;
    audit_use(state, row, Action::CloudDecrypt, origin).await?;
    Ok(CodecryptResponse { t2: t2.into() })
}
