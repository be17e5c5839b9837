//! `tessera ui`: the web face of the client, served on 127.0.0.1 to this computer's browser.
//!
//! Server-rendered pages (askama templates in `ui/templates`) with a little progressive
//! enhancement (`ui/static/app.js`: copy on tap, thumbprint switch, auto-submitting selects);
//! every page works without script. The handlers extract, call the app core, and render: the
//! flows are in [`tessera_core::holder`], [`tessera_core::start`], [`tessera_core::logs`], [`tessera_core::update`].
//!
//! Safety of a local web app ([`guard`]): the listener is bound to a loopback address only; each
//! launch draws a random token, carried in the opening URL and good for one visit, which trades
//! it for a separate session secret kept in an `HttpOnly`, `SameSite=Strict` cookie; the `Host` header must name the listener (DNS rebinding); every state
//! change is a POST carrying the launch's CSRF token; PINs travel only in POST bodies and are
//! never logged; the content security policy allows no inline script.

mod guard;
mod pages;
mod self_service;
mod settings_pages;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::routing::{get, post};

use tessera_core::app::{App, AppError};
use tessera_core::i18n::{Lang, Localizer};

/// How `tessera ui` was asked to run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UiOptions {
    /// Where to listen; must be a loopback address. Port 0 picks a free port.
    pub listen: SocketAddr,
    /// The data directory (default as for every command).
    pub data_dir: Option<PathBuf>,
    /// Language when the settings name none (from `--lang` or the locale).
    pub lang: Lang,
}

impl UiOptions {
    /// Options for `listen`, the default data directory and `lang`.
    pub fn new(listen: SocketAddr, lang: Lang) -> Self {
        Self {
            listen,
            data_dir: None,
            lang,
        }
    }

    /// Uses `dir` as the data directory.
    pub fn data_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.data_dir = dir;
        self
    }
}

/// Why the UI could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UiError {
    /// The listen address is not a loopback address.
    #[error("the UI listens on 127.0.0.1 only, not {addr}")]
    NotLoopback {
        /// The address given.
        addr: SocketAddr,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The async runtime or the server failed.
    #[error("server failed: {0}")]
    Server(#[from] std::io::Error),
    /// The app core could not open.
    #[error(transparent)]
    App(#[from] AppError),
}

/// What every request shares: the app core and the launch's secrets.
pub(crate) struct Shared {
    app: Mutex<App>,
    /// Random per launch; carried by the opening URL, good for one visit only.
    token: String,
    /// Whether the opening URL has been used (it is then refused: a copy of the URL taken
    /// from history, a log or a process list opens nothing).
    opened: std::sync::atomic::AtomicBool,
    /// Random per launch; the session cookie the first visit of the opening URL sets.
    session: String,
    /// Random per launch; every form carries it.
    csrf: String,
    /// The only `Host` header accepted: `127.0.0.1:PORT`.
    host: String,
    /// Language when the settings name none.
    default_lang: Lang,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

pub(crate) type State = Arc<Shared>;

impl Shared {
    /// Runs `f` on the app core, off the async workers (media calls block).
    pub(crate) fn core<T>(&self, f: impl FnOnce(&mut App) -> T) -> T {
        tokio::task::block_in_place(|| {
            let mut app = self.app.lock().unwrap_or_else(PoisonError::into_inner);
            // The CLI may have changed settings while the UI runs: show and build on those.
            app.refresh_settings();
            f(&mut app)
        })
    }

    /// The language in force: the setting, else the launch's.
    pub(crate) fn lang(&self) -> Lang {
        self.core(|app| app.settings().language)
            .unwrap_or(self.default_lang)
    }

    /// A localizer for the language in force.
    pub(crate) fn localizer(&self) -> Localizer {
        Localizer::new(self.lang())
    }
}

/// A random value of 32 bytes as hex, from the OS.
fn random_hex() -> Result<String, UiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| UiError::Server(std::io::Error::other(e)))?;
    Ok(hex::encode(bytes))
}

fn router(state: State) -> Router {
    Router::new()
        .route("/", get(pages::root))
        .route("/open", get(guard::open))
        .route("/start", get(pages::start).post(pages::choose))
        .route("/privacy", get(pages::privacy).post(pages::accept_privacy))
        .route("/home", get(pages::home))
        .route(
            "/media/{medium}/pin",
            get(pages::pin_form).post(pages::pin_change),
        )
        .route("/media/{medium}/certs/{cert}", get(pages::certificate))
        .route(
            "/media/{medium}/certs/{cert}/delete",
            get(pages::delete_form).post(pages::delete),
        )
        .route("/pin-strength", post(pages::pin_strength))
        .route("/unavailable/{feature}", get(pages::unavailable))
        .route("/settings", get(settings_pages::settings))
        .route("/settings/set", post(settings_pages::set))
        .route("/settings/update-check", post(settings_pages::check_now))
        .route("/settings/logs/export", post(settings_pages::export_logs))
        .route(
            "/settings/logs/exports/{name}",
            get(settings_pages::download),
        )
        .route(
            "/settings/return-to-start",
            post(settings_pages::return_to_start),
        )
        .route("/settings/doc/{doc}", get(settings_pages::document))
        .route("/settings/personal", get(settings_pages::personal))
        .route("/settings/third-party", get(settings_pages::third_party))
        .route("/settings/about", get(settings_pages::about))
        .route("/static/{file}", get(guard::static_file))
        .merge(self_service::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}

/// Serves the UI until Ctrl-C. Calls `ready` once with the opening URL (which carries the
/// launch's token) when the listener is bound.
pub fn run(options: UiOptions, ready: impl FnOnce(&str)) -> Result<(), UiError> {
    if !options.listen.ip().is_loopback() {
        return Err(UiError::NotLoopback {
            addr: options.listen,
        });
    }
    crate::net::install();
    let app = App::open(options.data_dir.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|source| UiError::Bind {
                addr: options.listen,
                source,
            })?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            app: Mutex::new(app),
            token: random_hex()?,
            opened: std::sync::atomic::AtomicBool::new(false),
            session: random_hex()?,
            csrf: random_hex()?,
            host: addr.to_string(),
            default_lang: options.lang,
        });
        shared.core(|app| app.log("ui started"));
        let purger = Arc::clone(&shared);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
            loop {
                tick.tick().await;
                purger.core(App::purge_expired_pins);
            }
        });
        ready(&format!("http://{addr}/open?token={}", shared.token));
        axum::serve(listener, router(shared))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

/// Opens `url` in the desktop's browser; failure is not an error (the URL was printed).
pub fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let _ = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
