//! The timeline page (`/`) and the embeddable widget (`/widget.js`), built
//! into the binary from `web/`: serving them needs no Node.js and no
//! network. The page's libraries are the pinned copies in `web/vendor/`.

use actix_web::{HttpResponse, web};

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const ASSETS: [Asset; 6] = [
    Asset { path: "/", content_type: "text/html; charset=utf-8", body: include_bytes!("../web/index.html") },
    Asset { path: "/app.js", content_type: JS, body: include_bytes!("../web/app.js") },
    Asset { path: "/app.css", content_type: CSS, body: include_bytes!("../web/app.css") },
    Asset { path: "/widget.js", content_type: JS, body: include_bytes!("../web/widget.js") },
    Asset {
        path: "/vendor/vis-timeline/vis-timeline-graph2d.min.js",
        content_type: JS,
        body: include_bytes!("../web/vendor/vis-timeline/vis-timeline-graph2d.min.js"),
    },
    Asset {
        path: "/vendor/vis-timeline/vis-timeline-graph2d.min.css",
        content_type: CSS,
        body: include_bytes!("../web/vendor/vis-timeline/vis-timeline-graph2d.min.css"),
    },
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    for asset in &ASSETS {
        cfg.route(
            asset.path,
            web::get().to(move || async move { HttpResponse::Ok().content_type(asset.content_type).body(asset.body) }),
        );
    }
}
