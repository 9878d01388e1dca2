//! Building and running the HTTP server.

use crate::cors::{self, CorsPolicy};
use crate::db::Db;
use crate::error::{ApiError, path_error};
use crate::extract::BODY_LIMIT;
use crate::http_cache::{self, CachePolicy};
use crate::{openapi, routes, site, telemetry};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, web};
use std::net::TcpListener;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
}

/// How the server talks to browsers.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub cors: CorsPolicy,
    pub cache: CachePolicy,
}

impl Default for HttpOptions {
    /// Any origin reads, none writes; answers are fresh for a minute.
    fn default() -> HttpOptions {
        HttpOptions { cors: CorsPolicy::new("*", "").expect("valid"), cache: CachePolicy::max_age(60) }
    }
}

impl Application {
    /// Binds `bind` (port 0 picks a free port) and prepares the server.
    pub fn build(db: Db, bind: &str, options: HttpOptions) -> std::io::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        let db = web::Data::new(db);
        let cache = web::Data::new(options.cache);
        let spec = openapi::spec();
        let server = actix_web::HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .app_data(db.clone())
                .app_data(cache.clone())
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .service(scope("/api/v1").configure(routes::configure))
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
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM; in-flight requests get 10 s to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(
        "no such endpoint; the API lives under /api/v1 and is described at /api-docs/openapi.json".into(),
    ))
}
