//! The client's own failures (media, the app core, self-service, cloud keys) classified.

use tessera_media::{FormatError, MediumError};

use super::{Classified, Classify, exit, problem};
use crate::app::AppError;
use crate::cloud::CloudError;
use crate::enroll::EnrollError;
use crate::service::ServiceError;
use crate::settings::SettingsError;

impl Classify for MediumError {
    fn classify(&self) -> Classified {
        let c = Classified::new;
        match self {
            Self::PinIncorrect { retries_left } => c(
                "err-pin-incorrect",
                "rec-pin-incorrect",
                exit::PIN_INCORRECT,
            )
            .arg("retries", *retries_left),
            Self::SoPinIncorrect {
                retries_left: Some(left),
            } => c(
                "err-so-pin-incorrect-left",
                "rec-so-pin-incorrect",
                exit::PIN_INCORRECT,
            )
            .arg("retries", *left),
            Self::SoPinIncorrect { retries_left: None } => c(
                "err-so-pin-incorrect",
                "rec-so-pin-incorrect",
                exit::PIN_INCORRECT,
            ),
            Self::SoPinLocked => c("err-so-pin-locked", "rec-so-pin-locked", exit::LOCKED),
            // Only a cloud key's service locks this way: it reads as the service's refusal.
            Self::TemporarilyLocked { retry_after_secs } => super::problem(
                &tessera_proto::ProblemCode::AccountLocked,
                403,
                None,
                None,
                None,
                retry_after_secs.map(u64::from),
            ),
            Self::Format(FormatError::Pkcs12Password) => c(
                "err-pkcs12-password",
                "rec-pkcs12-password",
                exit::PIN_INCORRECT,
            ),
            Self::Format(FormatError::Corrupt { reason }) => {
                c("err-device-corrupt", "rec-device-corrupt", exit::REFUSED)
                    .arg("reason", reason.clone())
            }
            Self::Format(FormatError::NewerVersion { found, supported }) => {
                c("err-device-newer", "rec-device-newer", exit::REFUSED)
                    .arg("found", *found)
                    .arg("supported", *supported)
            }
            Self::Format(FormatError::Tampered) => {
                c("err-device-tampered", "rec-device-tampered", exit::REFUSED)
            }
            Self::Locked => c("err-locked", "rec-locked", exit::LOCKED),
            Self::NotLoggedIn => c("err-not-logged-in", "rec-not-logged-in", exit::REFUSED),
            Self::PinLength { min, max } => {
                c("err-pin-length", "rec-pin-length", exit::INPUT_REFUSED)
                    .arg("min", *min)
                    .arg("max", *max)
            }
            Self::NotFound { label } => c(
                "err-device-not-found",
                "rec-device-not-found",
                exit::NOT_FOUND,
            )
            .arg("label", label.clone()),
            Self::AlreadyExists { label } => {
                c("err-device-exists", "rec-device-exists", exit::REFUSED)
                    .arg("label", label.clone())
            }
            Self::NotExportable => c("err-not-exportable", "rec-not-exportable", exit::REFUSED),
            Self::NoMatchingKey { thumbprint } => {
                c("err-no-matching-key", "rec-no-matching-key", exit::REFUSED)
                    .arg("thumbprint", thumbprint.clone())
            }
            Self::NoSuchCertificate | Self::NoSuchKey => {
                c("err-medium", "rec-medium-not-found", exit::NOT_FOUND)
                    .arg("reason", self.to_string())
            }
            Self::Io { .. } => {
                c("err-medium", "rec-medium-io", exit::READ).arg("reason", self.to_string())
            }
            other => c("err-medium", "rec-medium", exit::REFUSED).arg("reason", other.to_string()),
        }
    }
}

impl Classify for AppError {
    fn classify(&self) -> Classified {
        let c = Classified::new;
        match self {
            Self::Medium(m) => m.classify(),
            Self::NoSuchCertificate { selector } => c(
                "err-no-such-certificate",
                "rec-no-such-certificate",
                exit::NOT_FOUND,
            )
            .arg("selector", selector.clone()),
            Self::AmbiguousCertificate { selector, count } => c(
                "err-ambiguous-certificate",
                "rec-ambiguous-certificate",
                exit::NOT_FOUND,
            )
            .arg("selector", selector.clone())
            .arg("count", *count),
            Self::PinUnavailable { reason } => {
                c("err-pin-unavailable", "rec-no-pin", exit::USAGE).arg("reason", reason.clone())
            }
            Self::PinMismatch => c("err-pin-mismatch", "rec-pin-mismatch", exit::USAGE),
            Self::NotImportable { source } => {
                let (message, detail) = crate::words::parse_error_id(source);
                c(message, "rec-parse", exit::PARSE).arg("detail", detail)
            }
            Self::WeakPin { weakness } => {
                let (message, min) = match weakness {
                    crate::holder::PinWeakness::TooShort { min } => ("err-pin-weak-short", *min),
                    crate::holder::PinWeakness::Repeated => ("err-pin-weak-repeated", 0),
                    _ => ("err-pin-weak-sequence", 0),
                };
                c(message, "rec-pin-weak", exit::INPUT_REFUSED).arg("min", min)
            }
            Self::Settings(SettingsError::UnknownKey { key }) => {
                c("err-setting-unknown", "rec-setting-unknown", exit::USAGE).arg("key", key.clone())
            }
            Self::Settings(SettingsError::InvalidValue {
                key,
                value,
                expected,
            }) => c("err-setting-invalid", "rec-setting-invalid", exit::USAGE)
                .arg("key", *key)
                .arg("value", value.clone())
                .arg("expected", *expected),
            Self::NoDataDir => c("err-no-data-dir", "rec-no-data-dir", exit::USAGE),
            other => {
                c("err-internal", "rec-internal", exit::INTERNAL).arg("reason", other.to_string())
            }
        }
    }
}

/// A service address that is not `https://` (or `http://` on a loopback host).
fn bad_url(url: &str) -> Classified {
    Classified::new("err-bad-url", "rec-bad-url", exit::USAGE).arg("url", url.to_owned())
}

/// No answer from the service; `message` says which service (self-service, cloud keys).
fn unreachable(message: &'static str, url: &str, reason: &str) -> Classified {
    Classified::new(message, "rec-unreachable", exit::UNREACHABLE)
        .arg("url", url.to_owned())
        .arg("reason", reason.to_owned())
}

impl Classify for ServiceError {
    fn classify(&self) -> Classified {
        let c = Classified::new;
        match self {
            Self::BadUrl { url } if url.is_empty() => {
                c("enroll-err-no-server", "rec-no-server", exit::USAGE)
            }
            Self::BadUrl { url } => bad_url(url),
            Self::Unreachable { url, reason } => unreachable("enroll-err-unreachable", url, reason),
            Self::Problem {
                status,
                code,
                detail,
                tries_left,
                days,
                retry_after,
                ..
            } => problem(
                code,
                *status,
                detail.as_deref(),
                *tries_left,
                *days,
                retry_after.map(u64::from),
            ),
            Self::Protocol(reason) => {
                c("err-protocol", "rec-protocol", exit::UNREACHABLE).arg("reason", reason.clone())
            }
            Self::CaFile { path, reason } => c("err-ca-file", "rec-ca-file", exit::USAGE)
                .arg("path", path.clone())
                .arg("reason", reason.clone()),
        }
    }
}

impl Classify for EnrollError {
    fn classify(&self) -> Classified {
        let c = Classified::new;
        match self {
            Self::Service(e) => e.classify(),
            Self::Medium(m) => m.classify(),
            Self::NotEnrollmentQr { reason } => c(
                "err-not-enrollment-qr",
                "rec-not-enrollment-qr",
                exit::PARSE,
            )
            .arg("reason", reason.clone()),
            Self::ForgedQr { url } => {
                c("enroll-err-forged-qr", "rec-forged-qr", exit::REFUSED).arg("url", url.clone())
            }
            Self::ServiceKeyChanged { url } => {
                c("enroll-err-key-changed", "rec-key-changed", exit::REFUSED)
                    .arg("url", url.clone())
            }
            Self::NoSuchApplication { id } => c(
                "enroll-err-no-application",
                "rec-no-application",
                exit::NOT_FOUND,
            )
            .arg("id", id.clone()),
            Self::NoSession => c("enroll-err-no-session", "rec-no-session", exit::REFUSED),
            Self::UnsupportedKeyAlgorithm(alg) => c(
                "err-enroll-key-algorithm",
                "rec-enroll-key-algorithm",
                exit::REFUSED,
            )
            .arg("alg", alg.clone()),
            Self::NoKey => c("err-enroll-no-key", "rec-enroll-no-key", exit::REFUSED),
            Self::Certificate(e) => c(
                "err-enroll-certificate",
                "rec-enroll-certificate",
                exit::PARSE,
            )
            .arg("reason", e.to_string()),
            Self::File { path, reason } => c("err-read", "rec-read", exit::READ)
                .arg("path", path.display().to_string())
                .arg("reason", reason.clone()),
        }
    }
}

impl Classify for CloudError {
    fn classify(&self) -> Classified {
        let c = Classified::new;
        match self {
            Self::BadUrl { url } => bad_url(url),
            Self::Unreachable { url, reason } => unreachable("err-cloud-unreachable", url, reason),
            Self::Service {
                status,
                code,
                detail,
                tries_left,
                retry_after,
            } => problem(
                code,
                *status,
                Some(detail),
                *tries_left,
                None,
                retry_after.map(u64::from),
            ),
            Self::PasswordIncorrect => c(
                "err-cloud-password",
                "rec-cloud-password",
                exit::PIN_INCORRECT,
            ),
            Self::ShareKeyMismatch => c("err-cloud-share-key", "rec-cloud-share", exit::REFUSED),
            Self::NoAccount(id) => c(
                "err-cloud-no-account",
                "rec-cloud-no-account",
                exit::NOT_FOUND,
            )
            .arg("id", id.clone()),
            Self::AmbiguousAccount { prefix, count } => c(
                "err-cloud-ambiguous-account",
                "rec-cloud-ambiguous-account",
                exit::NOT_FOUND,
            )
            .arg("id", prefix.clone())
            .arg("count", *count),
            Self::ShareElsewhere => c(
                "err-cloud-share-elsewhere",
                "rec-cloud-share",
                exit::REFUSED,
            ),
            Self::NoCertificate => c(
                "err-cloud-no-certificate",
                "rec-cloud-no-certificate",
                exit::NOT_FOUND,
            ),
            Self::Protocol(reason) => {
                c("err-protocol", "rec-protocol", exit::UNREACHABLE).arg("reason", reason.clone())
            }
            Self::Storage { path, reason } => {
                c("err-cloud-storage", "rec-cloud-storage", exit::INTERNAL)
                    .arg("path", path.clone())
                    .arg("reason", reason.clone())
            }
            Self::Qr(e) => e.classify(),
            Self::NoOrganization(org) => {
                c("err-cloud-no-org", "rec-cloud-no-org", exit::NOT_FOUND).arg("org", org.clone())
            }
            Self::Crypto(e) => {
                c("err-cloud-other", "rec-cloud-other", exit::INVALID).arg("reason", e.to_string())
            }
        }
    }
}
