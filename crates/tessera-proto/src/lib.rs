//! Wire types shared by the Tessera client and service: the problem+json error body
//! (RFC 9457), health, SMS and captcha bodies, and the signed enrollment-QR payload.
//!
//! serde only; with the `openapi` feature each type also derives `utoipa::ToSchema`.
#![forbid(unsafe_code)]

pub mod cloud;
pub mod enroll;
pub mod health;
pub mod hex;
pub mod problem;
pub mod ra;
pub mod release;
pub mod secret;
pub mod sms;
pub mod text;

pub use enroll::EnrollmentQr;
pub use health::Health;
pub use problem::{PROBLEM_CONTENT_TYPE, Problem, ProblemCode};
pub use release::Release;
