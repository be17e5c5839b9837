//! The client's update check against the real service's release feed (tessera-server on a
//! loopback port): the service's own version is what this client is, a configured newer release
//! is offered, a stopped service is unreachable.

use std::sync::Arc;

use tessera_core::update::{CURRENT_VERSION, UpdateOutcome, check};
use tessera_server::store::Store;
use tessera_server::{AppState, StateParts};

async fn serve(state: AppState) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app =
        tessera_server::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

/// The client's blocking check, off the runtime's threads, over the native transport.
async fn checked(url: &str) -> UpdateOutcome {
    tessera::net::install();
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || check(&url))
        .await
        .unwrap()
}

async fn state() -> AppState {
    let store = Store::open_memory().await.unwrap();
    AppState::new(StateParts::ephemeral(store).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reads_the_services_release_feed() {
    // Without [release] the service offers its own version: the same workspace version.
    let (url, task) = serve(state().await).await;
    match checked(&url).await {
        UpdateOutcome::UpToDate { latest } => assert_eq!(latest, CURRENT_VERSION),
        other => panic!("{other:?}"),
    }
    task.abort();
    let _ = task.await;
    // Once stopped, the service is unreachable, and says so.
    assert!(matches!(
        checked(&url).await,
        UpdateOutcome::Unreachable { .. }
    ));

    // A configured newer release is offered with its page.
    let mut newer = state().await;
    newer.configure().unwrap().release = Arc::new(tessera_proto::Release {
        version: "99.2.0".to_owned(),
        published: "2026-11-20T00:00:00Z".to_owned(),
        url: "https://example.invalid/tessera/99.2.0".to_owned(),
        notes: [("zh-CN".to_owned(), "修复若干问题".to_owned())].into(),
        critical: true,
    });
    let (url, _task) = serve(newer).await;
    match checked(&url).await {
        UpdateOutcome::Available { release } => {
            assert_eq!(release.version, "99.2.0");
            assert!(release.critical && release.url.ends_with("99.2.0"));
        }
        other => panic!("{other:?}"),
    }
}
