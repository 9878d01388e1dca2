//! `spawn_app()`: the real server on a free port with a fresh database of
//! its own, SQLite by default or PostgreSQL when TEST_DATABASE_URL names a
//! server (each test then gets a database of its own on it).

use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use timeline::db::Db;
use timeline::migrator::connect_and_migrate;
use timeline::startup::{Application, HttpOptions};

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub address: String,
    pub db_url: String,
    /// Sends a token that may write, made for the test, with every request.
    client: awc::Client,
    /// Sends only the headers a test names.
    anonymous: awc::Client,
    db: TestDb,
}

/// A database of one test's own, removed when the test ends.
pub struct TestDb {
    pub url: String,
    /// The PostgreSQL server's admin URL and the database's name.
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(file) = self.sqlite_path().map(|path| path.display().to_string()) {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{file}{suffix}"));
            }
        }
        if let Some((admin, name)) = self.postgres.take() {
            // Drop runs inside the test's runtime, so the async drop gets a
            // thread and a runtime of its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async {
                    use sea_orm::ConnectionTrait;
                    let db = Db::connect(&admin).await?;
                    db.conn().execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
                    db.close().await
                })
            });
            let _ = dropped.join();
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// Asserts a problem+json answer with this status naming this field.
    pub fn assert_problem(&self, status: u16, field: &str) {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        assert_eq!(self.header("content-type").as_deref(), Some("application/problem+json"));
        assert_eq!(self.body["status"], status);
        assert_eq!(self.body["field"], field, "wrong field in {}", self.body);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }

    /// The `key` of every item of a page.
    pub fn keys(&self) -> Vec<String> {
        self.body["items"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap().to_owned()).collect()
    }
}

/// How many migrations, counted from the newest, undo the seed: its
/// events, then its Russian names, are the last two steps.
pub const DOWN_TO_BEFORE_SEED: u32 = 2;

/// A fresh, empty database for one test.
pub async fn fresh_database() -> TestDb {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("timeline_test_{}_{n}_{nanos}", std::process::id());
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let admin_db = Db::connect(&admin).await.expect("TEST_DATABASE_URL must reach a PostgreSQL server");
            use sea_orm::ConnectionTrait;
            admin_db.conn().execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            admin_db.close().await.unwrap();
            let (base, _) = admin.rsplit_once('/').expect("a database URL ends in /DBNAME");
            TestDb { url: format!("{base}/{name}"), postgres: Some((admin.clone(), name)) }
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            TestDb { url: format!("sqlite://{}?mode=rwc", path.display()), postgres: None }
        }
    }
}

/// Test logs are off unless `TEST_LOG` is set (`TEST_LOG=1 cargo test`).
fn init_test_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        timeline::telemetry::init("info", std::io::stdout, false, false);
    }
}

/// SQLite in memory: the database lives and dies with the server's pool.
pub fn memory_database() -> TestDb {
    TestDb { url: "sqlite::memory:".into(), postgres: None }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(fresh_database().await).await
}

/// The server on a database of the test's own making (migrated as it is).
pub async fn spawn_app_on(test_db: TestDb) -> TestApp {
    spawn_app_with(test_db, HttpOptions::default()).await
}

/// The server with its browser-facing options (CORS, caching) set.
pub async fn spawn_app_with(test_db: TestDb, options: HttpOptions) -> TestApp {
    init_test_logs();
    let db_url = test_db.url.clone();
    let db = connect_and_migrate(&db_url).await.expect("migrations run");
    let token = timeline::store::create_token(&db, "tests", false).await.expect("a token").expose().to_owned();
    let app = Application::build(db, None, "127.0.0.1:0", options).expect("binds");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_rt::spawn(app.run_until_stopped());
    let timeout = std::time::Duration::from_secs(30);
    let client = awc::Client::builder()
        .timeout(timeout)
        .add_default_header(("Authorization", format!("Bearer {token}")))
        .finish();
    let anonymous = awc::Client::builder().timeout(timeout).finish();
    TestApp { address, db_url, client, anonymous, db: test_db }
}

impl TestDb {
    /// The database's file, when it is one.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.url.strip_prefix("sqlite://").map(|rest| rest.trim_end_matches("?mode=rwc").into())
    }

    /// A SQLite file, whatever backend the suite runs on: for a test that
    /// compares the two.
    pub fn sqlite_file(path: &std::path::Path) -> TestDb {
        TestDb { url: format!("sqlite://{}?mode=rwc", path.display()), postgres: None }
    }

    /// The PostgreSQL server's admin URL and the database's name, when the
    /// database is on PostgreSQL.
    pub fn postgres(&self) -> Option<(String, String)> {
        self.postgres.clone()
    }
}

impl TestApp {
    pub fn database(&self) -> &TestDb {
        &self.db
    }

    pub async fn get(&self, path: &str) -> Reply {
        let response = self.client.get(format!("{}{path}", self.address)).send().await.expect("request");
        read(response).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send_json(self.client.post(format!("{}{path}", self.address)), body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send_json(self.client.put(format!("{}{path}", self.address)), body).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        let response = self.client.delete(format!("{}{path}", self.address)).send().await.expect("request");
        read(response).await
    }

    /// Sends raw bytes with a content type of the caller's choosing.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .insert_header(("Content-Type", content_type))
            .send_body(body)
            .await
            .expect("request");
        read(response).await
    }

    /// Sends `chunks` as a chunked body: no Content-Length, as a client
    /// streaming a file sends it.
    pub async fn post_stream(&self, path: &str, content_type: &str, chunks: Vec<Vec<u8>>) -> Reply {
        let stream = futures_util::stream::iter(chunks.into_iter().map(|c| Ok::<_, std::io::Error>(c.into())));
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .insert_header(("Content-Type", content_type))
            .send_stream(stream)
            .await
            .expect("request");
        read(response).await
    }

    async fn send_json(&self, request: awc::ClientRequest, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap();
        let response =
            request.insert_header(("Content-Type", "application/json")).send_body(bytes).await.expect("request");
        read(response).await
    }

    /// Every page of a timeline query, following `next_cursor`, and checks
    /// that the `Link` header agrees with it.
    pub async fn all_pages(&self, query: &str) -> (Vec<String>, usize) {
        let mut keys = Vec::new();
        let mut pages = 0;
        let mut path = format!("/api/v1/timeline?{query}");
        loop {
            let page = self.get(&path).await;
            assert_eq!(page.status, 200, "{}", page.body);
            pages += 1;
            keys.extend(page.keys());
            match page.body["next_cursor"].as_str() {
                Some(cursor) => {
                    let link = page.header("link").expect("a Link header when more pages follow");
                    assert!(link.contains(&format!("cursor={cursor}")) && link.ends_with("rel=\"next\""), "{link}");
                    let next = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
                    path = next;
                }
                None => {
                    assert!(page.header("link").is_none());
                    return (keys, pages);
                }
            }
        }
    }
}

async fn read(
    mut response: awc::ClientResponse<
        impl futures_core::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
    >,
) -> Reply {
    let bytes = response.body().limit(64 * 1024 * 1024).await.expect("body");
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
    Reply { status: response.status().as_u16(), headers: response.headers().clone(), body }
}

/// A minimal valid event body.
pub fn event_body(key: &str, start: &str, countries: &[&str]) -> Value {
    let participants: Vec<Value> =
        countries.iter().map(|c| serde_json::json!({"kind": "country", "code": c, "role": "party"})).collect();
    serde_json::json!({
        "key": key,
        "kind": "meeting",
        "title": format!("Test event {key}"),
        "start": start,
        "participants": participants,
        "sources": [{"url": format!("https://example.org/{key}"), "title": "A report", "language": "en"}],
        "tags": ["test"]
    })
}

impl Reply {
    /// Asserts a problem+json answer with this status (no particular field).
    pub fn assert_problem_status(&self, status: u16) {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        assert_eq!(self.header("content-type").as_deref(), Some("application/problem+json"));
        assert_eq!(self.body["status"], status);
    }
}

impl TestApp {
    /// A body as text (NDJSON exports).
    pub async fn get_text(&self, path: &str) -> String {
        let mut response = self.client.get(format!("{}{path}", self.address)).send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200);
        let bytes = response.body().limit(64 * 1024 * 1024).await.expect("body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }
}

/// An answer as bytes, whatever its type.
pub struct RawReply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl RawReply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).expect("UTF-8")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).expect("JSON")
    }
}

impl TestApp {
    /// A request with headers of the caller's choosing (no token unless
    /// named), answered as bytes.
    pub async fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> RawReply {
        self.request_with_body(method, path, headers, Vec::new()).await
    }

    /// Like `request`, with a body.
    pub async fn request_with_body(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> RawReply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.anonymous.request(method, format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let mut response = request.send_body(body).await.expect("request");
        let bytes = response.body().limit(64 * 1024 * 1024).await.expect("body").to_vec();
        RawReply { status: response.status().as_u16(), headers: response.headers().clone(), bytes }
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> RawReply {
        self.request("GET", path, headers).await
    }
}
