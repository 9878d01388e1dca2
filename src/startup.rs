//! Building and running the HTTP server.

use crate::cors::{self, CorsPolicy};
use crate::db::Db;
use crate::error::{ApiError, path_error};
use crate::extract::BODY_LIMIT;
use crate::http_cache::{self, CachePolicy};
use crate::import::ImportLimit;
use crate::metrics::Metrics;
use crate::replica::{self, Replica};
use crate::{openapi, routes, site, telemetry};
use actix_web::dev::ResourceDef;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, web};
use std::net::TcpListener;
use std::time::Duration;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
    db: web::Data<Db>,
    replica: Replica,
}

/// How the server talks to browsers, and how long it gives requests to
/// finish when told to stop.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub cors: CorsPolicy,
    pub cache: CachePolicy,
    pub shutdown_timeout: Duration,
    pub import_limit: ImportLimit,
}

impl Default for HttpOptions {
    /// Any origin reads, none writes; answers are fresh for a minute;
    /// requests get 30 s to finish; an import is at most 2 GiB.
    fn default() -> HttpOptions {
        HttpOptions {
            cors: CorsPolicy::new("*", "").expect("valid"),
            cache: CachePolicy::max_age(60),
            shutdown_timeout: Duration::from_secs(30),
            import_limit: ImportLimit(2 << 30),
        }
    }
}

impl Application {
    /// Binds `bind` (port 0 picks a free port) and prepares the server;
    /// reads go to `replica` when there is one (see `replica`).
    pub fn build(db: Db, replica: Option<Db>, bind: &str, options: HttpOptions) -> std::io::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        let db = web::Data::new(db);
        let replica = Replica(replica.map(web::Data::new));
        let app_replica = web::Data::new(replica.clone());
        let cache = web::Data::new(options.cache);
        let metrics = web::Data::new(Metrics::default());
        let app_db = db.clone();
        let spec = openapi::spec();
        let known = web::Data::new(KnownPaths::of(&spec));
        let server = actix_web::HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .app_data(app_db.clone())
                .app_data(app_replica.clone())
                .app_data(cache.clone())
                .app_data(metrics.clone())
                .app_data(known.clone())
                .app_data(web::Data::new(options.import_limit))
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .service(scope("/api/v1").configure(routes::configure))
                .configure(routes::configure_operations)
                .split_for_parts();
            app.service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", spec.clone()))
                .configure(site::configure)
                .default_service(web::to(not_found))
                // The first wrap is innermost: tags are made on the plain
                // body, then it is compressed, then the tag names the coding.
                // CORS sits inside the compression, which adds its `Vary`
                // after CORS has written its own; the choice of coding is
                // made just before the compression reads it.
                .wrap(from_fn(http_cache::head_as_get))
                .wrap(from_fn(replica::say_preference_applied))
                .wrap(from_fn(http_cache::conditional))
                .wrap(options.cors.middleware())
                .wrap(from_fn(cors::refusal_as_problem))
                .wrap(Compress::default())
                .wrap(from_fn(http_cache::prefer_cheap_coding))
                .wrap(from_fn(http_cache::tag_coding))
                .wrap(from_fn(telemetry::log_request))
        })
        // A compressed answer is written in chunks; with Nagle's algorithm
        // each waited ~40 ms for the client's delayed ACK (bench/README.md).
        .tcp_nodelay(true)
        .listen(listener)?
        .shutdown_timeout(options.shutdown_timeout.as_secs())
        .run();
        Ok(Application { port, server, db, replica })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then stops taking connections, lets
    /// requests in flight finish (for up to the shutdown timeout) and
    /// closes the database.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await?;
        self.db.close().await.map_err(std::io::Error::other)?;
        if let Some(replica) = &self.replica.0 {
            replica.close().await.map_err(std::io::Error::other)?;
        }
        tracing::info!("stopped; the database is closed");
        Ok(())
    }
}

/// The spec's paths and the methods each takes, so that a method a path
/// does not take is told apart from a path that does not exist.
struct KnownPaths(Vec<(ResourceDef, Vec<&'static str>)>);

impl KnownPaths {
    fn of(spec: &utoipa::openapi::OpenApi) -> KnownPaths {
        let paths = spec.paths.paths.iter().map(|(path, item)| {
            let taken = [
                ("GET", item.get.is_some()),
                ("HEAD", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            let methods = taken.into_iter().filter(|(_, taken)| *taken).map(|(m, _)| m).collect();
            (ResourceDef::new(path.as_str()), methods)
        });
        KnownPaths(paths.collect())
    }
}

async fn not_found(req: HttpRequest, known: web::Data<KnownPaths>) -> Result<HttpResponse, ApiError> {
    if let Some((_, methods)) = known.0.iter().find(|(def, _)| def.is_match(req.path())) {
        return Err(ApiError::MethodNotAllowed {
            detail: format!("{} is not a method of this path; it takes {}", req.method(), methods.join(", ")),
            allowed: methods.join(", "),
        });
    }
    Err(ApiError::NotFound(
        "no such endpoint; the API lives under /api/v1 and is described at /api-docs/openapi.json".into(),
    ))
}
