//! `tessera-server`: parse config, open the data folder, print what a newcomer needs, serve.
#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    reason = "the binary's face prints to the operator"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser as _;
use tessera_server::audit::Audit;
use tessera_server::bootstrap::{self, FirstStart};
use tessera_server::clock::{Clock, SystemClock};
use tessera_server::config::{
    AccountsCommand, AdminCommand, ApplicationsCommand, Cli, Command, CommonArgs, Config,
    LogFormat, SmsCommand, TlsMode,
};
use tessera_server::sms::{HttpGateway, SmsSender};
use tessera_server::store::Store;
use tessera_server::{AppState, StateParts, app, tls};

/// Logs to stderr; `RUST_LOG` overrides `default` (the service says `info`, operator tools
/// only `warn`, so their output is theirs).
fn init_logging(format: LogFormat, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Compact => builder.compact().init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sms {
            command:
                SmsCommand::Tail {
                    lines,
                    follow,
                    json,
                },
        }) => {
            init_logging(LogFormat::Compact, "warn");
            sms_tail(&cli.common, lines, follow, json).await
        }
        Some(Command::Admin {
            command: AdminCommand::Applications { command },
        }) => {
            init_logging(LogFormat::Compact, "warn");
            applications(&cli.common, command).await
        }
        Some(Command::Admin {
            command: AdminCommand::Accounts { command },
        }) => {
            init_logging(LogFormat::Compact, "warn");
            accounts(&cli.common, command).await
        }
        None => {
            let config = Config::resolve(&cli.common, &cli.serve)?;
            init_logging(config.log_format, "info,sqlx=warn");
            serve(config).await
        }
    }
}

/// The store of an existing data folder; an operator command never creates one.
async fn open_for_tool(config: &Config) -> anyhow::Result<Store> {
    Ok(bootstrap::open_existing_store(config).await?)
}

async fn sms_tail(common: &CommonArgs, lines: i64, follow: bool, json: bool) -> anyhow::Result<()> {
    let config = Config::resolve(common, &Default::default())?;
    let store = open_for_tool(&config).await?;
    let mut last = 0;
    let mut batch = store.outbox_tail(lines.max(0)).await?;
    loop {
        for m in &batch {
            if json {
                println!("{}", serde_json::to_string(m)?);
            } else {
                let at = time::OffsetDateTime::from_unix_timestamp(m.created_at)
                    .ok()
                    .and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_else(|| m.created_at.to_string());
                println!("#{} {at} {}: {}", m.id, m.phone, m.body);
            }
            last = m.id;
        }
        if !follow {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        batch = store.outbox_after(last, 1000).await?;
    }
}

/// `tessera-server admin applications …`: the same rules as the admin API, on the data folder.
async fn applications(common: &CommonArgs, command: ApplicationsCommand) -> anyhow::Result<()> {
    use tessera_server::ra::{self, Decision, Origin};
    let config = Config::resolve(common, &Default::default())?;
    let store = open_for_tool(&config).await?;
    let audit = Audit::new(store.clone(), Arc::new(SystemClock));
    let sender = sms_sender(&config, &store, Arc::new(SystemClock))?;
    let actor = format!(
        "admin-cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    );
    let (id, decision) = match command {
        ApplicationsCommand::List { status, json } => {
            let list = ra::list(&store, status.as_deref(), 1000)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no applications");
            } else {
                for a in &list {
                    println!(
                        "{}  {:<8}  {}  {}  {}  {}  {}",
                        a.id,
                        a.status.as_str(),
                        a.project,
                        a.name,
                        a.id_number.as_deref().unwrap_or(&a.id_number_masked),
                        a.phone.as_deref().unwrap_or(&a.phone_masked),
                        a.organization
                    );
                }
            }
            return Ok(());
        }
        ApplicationsCommand::Approve { id } => (id, Decision::Approve),
        ApplicationsCommand::Reject { id, reason } => (id, Decision::Reject(reason)),
    };
    let a = ra::review(
        &store,
        sender.as_ref(),
        &audit,
        &id,
        &decision,
        &actor,
        &Origin::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{} {}", a.id, a.status.as_str());
    store.close().await;
    Ok(())
}

/// `tessera-server admin accounts …`: cloud-key accounts, as `/v1/admin/cloud/accounts`.
async fn accounts(common: &CommonArgs, command: AccountsCommand) -> anyhow::Result<()> {
    use tessera_proto::cloud::AccountStatus;
    use tessera_server::cloud::accounts;
    let config = Config::resolve(common, &Default::default())?;
    let store = open_for_tool(&config).await?;
    let actor = format!(
        "admin-cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    );
    let (id, to) = match command {
        AccountsCommand::List { status, json } => {
            let rows = store.list_cloud_accounts(status.as_deref()).await?;
            let list: Vec<_> = rows.iter().map(accounts::account_view).collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no accounts");
            } else {
                for a in &list {
                    println!(
                        "{}  {:<8}  {}  {}  {}",
                        a.id,
                        a.status.as_str(),
                        a.org,
                        a.user_id,
                        a.name
                    );
                }
            }
            store.close().await;
            return Ok(());
        }
        AccountsCommand::Approve { id } => (id, AccountStatus::Approved),
        AccountsCommand::Reject { id } => (id, AccountStatus::Rejected),
    };
    let audit = Audit::new(store.clone(), Arc::new(SystemClock));
    let row = accounts::review_account(&store, &audit, &id, to, &actor, &Default::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{} {}", row.id, row.status);
    store.close().await;
    Ok(())
}

/// The configured SMS sender: the HTTP gateway, or the outbox in `store`.
fn sms_sender(
    config: &Config,
    store: &Store,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn SmsSender>> {
    Ok(match &config.sms.gateway {
        Some(gateway) => Arc::new(HttpGateway::new(gateway.clone())?),
        None => Arc::new(tessera_server::sms::OutboxSender::new(store.clone(), clock)),
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let store = bootstrap::open_store(&config).await?;
    let pepper = bootstrap::load_pepper(&config.data_dir)?;
    let service_key = bootstrap::load_service_key(&config.data_dir)?;
    let listener = std::net::TcpListener::bind(config.listen)
        .with_context(|| format!("listening on {}", config.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let scheme = if config.tls == TlsMode::Off {
        "http"
    } else {
        "https"
    };
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{addr}"));
    let host = url_host(&public_url);
    let tls = match &config.tls {
        TlsMode::Off => None,
        TlsMode::Auto => Some(tls::auto(&config.data_dir, addr, host.as_deref())?),
        TlsMode::Files { cert, key } => Some(tls::from_files(cert, key)?),
    };
    // First line of stdout: tests and scripts read the bound address from it.
    println!("tessera-server listening on {scheme}://{addr}");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let first = bootstrap::first_start(
        &store,
        &config.data_dir,
        &service_key,
        &public_url,
        clock.as_ref(),
    )
    .await?;
    print_banner(&config, &public_url, &store, first.as_ref(), tls.as_ref());
    let ca = tessera_server::ca::load(&config, &store, &public_url, clock.now()).await?;

    let sms_sender = sms_sender(&config, &store, clock.clone())?;
    let mut state = AppState::new(StateParts {
        store: store.clone(),
        clock: clock.clone(),
        pepper,
        sms_sender: Some(sms_sender),
        sms_limits: config.sms.limits,
        service_key,
        public_url,
    });
    state.ca.install(ca);
    let (master, _) = tessera_server::ca::MasterKey::load_or_create(
        &config.data_dir,
        config.ca.master_key.as_deref(),
    )?;
    state.cloud.install(Arc::new(master), &store);
    let shared = state
        .configure()
        .context("the service state is shared before it is configured")?;
    shared.ra = config.ra;
    shared.rate = tessera_server::api::rate::RateLimiter::new(config.limits.rate);
    tessera_server::password::set_limits(config.limits.argon2);
    if let Some(release) = config.release.clone() {
        shared.release = Arc::new(release);
    }
    tokio::spawn(purge_loop(store.clone(), clock));
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown_signal())
                .await?;
        }
        Some(tls) => {
            let handle = axum_server::Handle::new();
            let on_signal = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                on_signal.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            let rustls = axum_server::tls_rustls::RustlsConfig::from_config(tls.config);
            axum_server::tls_rustls::from_tcp_rustls(listener, rustls)?
                .handle(handle)
                .serve(service)
                .await?;
        }
    }
    store.close().await;
    Ok(())
}

fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    Some(host.to_owned())
}

fn print_banner(
    config: &Config,
    url: &str,
    store: &Store,
    first: Option<&FirstStart>,
    tls: Option<&tls::TlsSetup>,
) {
    println!("  data folder:  {}", config.data_dir.display());
    println!("  store:        {}", store.backend_name());
    println!("  health:       {url}/healthz");
    println!("  API document: {url}/openapi.json");
    println!("  metrics:      {url}/metrics");
    println!("  review:       {url}/admin");
    if let Some(tls) = tls {
        println!("  TLS SHA-256:  {}", tls.fingerprint);
        if let Some(ca) = &tls.ca_cert {
            println!("  TLS CA:       {}", ca.display());
        }
    }
    if let Some(first) = first {
        println!();
        println!(
            "First start: created a demo organization and project {}.",
            first.project.code
        );
        println!(
            "Admin token (shown once; also in {}):",
            first.token_file.display()
        );
        println!("  {}", first.admin_token.expose());
        println!(
            "Enrollment QR of project {} (PNG: {}):",
            first.project.code,
            first.qr_png.display()
        );
        println!("{}", first.qr_terminal);
        println!("  {}", first.qr_text);
    }
}

async fn purge_loop(store: Store, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = clock.now();
        // SMS codes stay a day and an hour: the daily rate limit counts them
        if let Err(e) = store.purge_expired(now, now - 90_000).await {
            tracing::warn!(error = %e, "purging expired codes failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}
