//! Building and running the HTTP server.

use crate::db::Db;
use crate::error::{ApiError, path_error};
use crate::extract::BODY_LIMIT;
use crate::{openapi, routes, telemetry};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, web};
use std::net::TcpListener;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `bind` (port 0 picks a free port) and prepares the server.
    pub fn build(db: Db, bind: &str) -> std::io::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        let db = web::Data::new(db);
        let spec = openapi::spec();
        let server = actix_web::HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .app_data(db.clone())
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .service(scope("/api/v1").configure(routes::configure))
                .split_for_parts();
            app.service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", spec.clone()))
                .route("/", web::get().to(home))
                .default_service(web::to(not_found))
                .wrap(from_fn(telemetry::log_request))
        })
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

async fn home() -> HttpResponse {
    HttpResponse::Found().insert_header(("Location", "/swagger-ui/")).finish()
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(
        "no such endpoint; the API lives under /api/v1 and is described at /api-docs/openapi.json".into(),
    ))
}
