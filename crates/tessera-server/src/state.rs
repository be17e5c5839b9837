//! `AppState`: what every handler shares.

use std::sync::Arc;

use crate::captcha::Captchas;
use crate::clock::{Clock, SystemClock};
use crate::identity::ServiceKey;
use crate::metrics::Metrics;
use crate::pepper::Pepper;
use crate::sms::{OutboxSender, SmsCodes, SmsLimits, SmsSender};
use crate::store::Store;

/// Default captcha lifetime, seconds.
pub const CAPTCHA_TTL: i64 = 120;

/// The shared state of the service: one `Arc`, so the clones axum makes for every extractor of
/// every request cost one reference count. Fields are read through `Deref`.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Shared {
    /// The database.
    pub store: Store,
    /// The clock every expiry is measured with.
    pub clock: Arc<dyn Clock>,
    /// The audit trail: every state change is recorded through it.
    pub audit: crate::audit::Audit,
    /// SMS codes.
    pub sms: SmsCodes,
    /// Image captchas.
    pub captchas: Captchas,
    /// Request metrics.
    pub metrics: Metrics,
    /// The service's signing key, for enrollment QR payloads.
    pub service_key: Arc<ServiceKey>,
    /// Base URL clients reach the service at, e.g. `http://127.0.0.1:8443`.
    pub public_url: String,
    /// The CA, installed at start by [`crate::ca::Ca::load_or_create`].
    pub ca: crate::ca::CaSlot,
    /// The master key that wraps cloud-key shares, installed at start.
    pub cloud: crate::cloud::CloudSlot,
    /// RA validity and renewal window (`[ra]` of the config).
    pub ra: crate::ra::RaSettings,
    /// What `GET /v1/releases/latest` answers (`[release]` of the config).
    pub release: Arc<tessera_proto::Release>,
    /// Per-address limits on the unauthenticated routes that do work (`[limits.rate]` of the
    /// config). Off unless configured: the binary sets it from the config, whose defaults are on.
    pub rate: crate::api::rate::RateLimiter,
}

/// Everything [`AppState::new`] does not default.
#[derive(Debug, Clone)]
pub struct StateParts {
    /// The database.
    pub store: Store,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Key for hashing codes and captcha answers.
    pub pepper: Pepper,
    /// SMS sender; `None` for the outbox in `store`.
    pub sms_sender: Option<Arc<dyn SmsSender>>,
    /// SMS limits.
    pub sms_limits: SmsLimits,
    /// Signing key.
    pub service_key: Arc<ServiceKey>,
    /// Base URL.
    pub public_url: String,
}

impl StateParts {
    /// Parts for tests and tools: system clock, random pepper and key, outbox sender.
    pub fn ephemeral(store: Store) -> Result<Self, crate::identity::IdentityError> {
        Ok(Self {
            store,
            clock: Arc::new(SystemClock),
            pepper: Pepper::random()?,
            sms_sender: None,
            sms_limits: SmsLimits::default(),
            service_key: Arc::new(ServiceKey::generate()?),
            public_url: "http://127.0.0.1".into(),
        })
    }
}

impl AppState {
    /// Assembles the state.
    pub fn new(parts: StateParts) -> Self {
        let StateParts {
            store,
            clock,
            pepper,
            sms_sender,
            sms_limits,
            service_key,
            public_url,
        } = parts;
        let sender = sms_sender.unwrap_or_else(|| {
            Arc::new(OutboxSender::new(store.clone(), clock.clone())) as Arc<dyn SmsSender>
        });
        let sms = SmsCodes::new(
            store.clone(),
            sender,
            clock.clone(),
            pepper.clone(),
            sms_limits,
        );
        let captchas = Captchas::new(store.clone(), clock.clone(), pepper, CAPTCHA_TTL);
        let release = Arc::new(crate::api::releases::own_release(clock.now()));
        let audit = crate::audit::Audit::new(store.clone(), clock.clone());
        Self(Arc::new(Shared {
            cloud: crate::cloud::CloudSlot::new(audit.clone()),
            audit,
            store,
            clock,
            sms,
            captchas,
            metrics: Metrics::default(),
            service_key,
            public_url,
            ca: crate::ca::CaSlot::default(),
            ra: crate::ra::RaSettings::default(),
            release,
            rate: crate::api::rate::RateLimiter::default(),
        }))
    }

    /// The fields, to finish configuring the state before it is served; `None` once the state
    /// has been cloned (a router holds it), since a change would not reach the clones.
    pub fn configure(&mut self) -> Option<&mut Shared> {
        Arc::get_mut(&mut self.0)
    }
}
