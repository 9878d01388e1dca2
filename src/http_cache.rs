//! Conditional GETs and the choice of compression.
//!
//! Every GET or HEAD answer with a body in memory gets a
//! strong `ETag` (a hash of the body, so it changes when anything on it
//! does, a renamed participant included) and a `Cache-Control`; a request
//! whose `If-None-Match` names it gets a 304 with no body. A streamed
//! answer is never held whole, so its handler tags it from what it is
//! made of (`Tag::of`) and answers the 304 itself.
//!
//! The tag hashes the uncompressed body. A compressed answer is another
//! representation and needs another strong tag (RFC 9110 §8.8.3), so
//! `tag_coding`, outside the compression, appends the coding (`"…-br"`),
//! and `conditional` ignores that suffix when it compares.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, AcceptEncoding, Encoding, HeaderMap, HeaderValue, Preference, Quality, QualityItem, TryIntoHeaderValue,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use actix_web::{HttpResponse, web};

/// The codings the compression may apply, as they are appended to a tag.
const CODINGS: [&str; 4] = ["br", "gzip", "zstd", "deflate"];

/// `Cache-Control` of a cacheable answer.
#[derive(Clone, Debug)]
pub struct CachePolicy(pub HeaderValue);

impl CachePolicy {
    /// Public for `max_age` seconds; 0: cache, but ask every time.
    pub fn max_age(seconds: u32) -> CachePolicy {
        let value = if seconds == 0 { "no-cache".to_owned() } else { format!("public, max-age={seconds}") };
        CachePolicy(HeaderValue::from_str(&value).expect("ASCII"))
    }
}

pub async fn conditional(req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.call(req).await;
    }
    let policy = req.app_data::<web::Data<CachePolicy>>().map(|p| p.0.clone());
    let asked = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut res = next.call(req).await?;
    if let Some(policy) = policy
        && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED)
        && !res.headers().contains_key(header::CACHE_CONTROL)
    {
        res.headers_mut().insert(header::CACHE_CONTROL, policy);
    }
    // A handler that tagged its answer (a streamed export) answered 304 itself.
    if res.status() != StatusCode::OK || res.headers().contains_key(header::ETAG) {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return Ok(ServiceResponse::new(req, head.set_body(body))),
    };
    let tag = Tag(format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&bytes)));
    if let Some(not_modified) = tag.not_modified(asked.as_ref(), head.headers()) {
        return Ok(ServiceResponse::new(req, not_modified));
    }
    head.headers_mut().insert(header::ETAG, tag.value());
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
}

/// HEAD is GET without the body (RFC 9110 §9.3.2), so it is routed as a
/// GET. The connection writes the headers of an answer held in memory and
/// drops its body; a streamed body is dropped here, before anything reads
/// it, so a HEAD of an export reads no events.
pub async fn head_as_get(mut req: ServiceRequest, next: Next<BoxBody>) -> Result<ServiceResponse<BoxBody>, Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?;
    if !head || !matches!(res.response().body().size(), BodySize::Stream) {
        return Ok(res);
    }
    Ok(res.map_body(|_, _| BoxBody::new(actix_web::body::None::new())))
}

/// A strong entity tag, in its quotes.
pub struct Tag(String);

impl Tag {
    /// The tag of an answer made from `parts`, for a handler that knows
    /// what its body is built of before it builds it (a streamed export).
    pub fn of(parts: &[&[u8]]) -> Tag {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Tag(format!("\"{:032x}\"", hasher.digest128()))
    }

    pub fn value(&self) -> HeaderValue {
        HeaderValue::from_str(&self.0).expect("hex in quotes")
    }

    /// The 304 for a request whose `If-None-Match` (`asked`) names this
    /// tag, carrying the caching headers of the full answer (`kept`).
    pub fn not_modified(&self, asked: Option<&HeaderValue>, kept: &HeaderMap) -> Option<HttpResponse> {
        let matched = matching(asked?.to_str().ok()?, &self.0)?;
        let mut not_modified = HttpResponse::NotModified();
        // The tag the client holds (ours with its coding); `*` names none.
        let held = if matched == "*" { None } else { HeaderValue::from_str(matched).ok() };
        not_modified.insert_header((header::ETAG, held.unwrap_or_else(|| self.value())));
        for name in [header::CACHE_CONTROL, header::VARY, header::LINK] {
            if let Some(value) = kept.get(&name) {
                not_modified.insert_header((name, value.clone()));
            }
        }
        Some(not_modified.finish())
    }
}

/// The tag of `If-None-Match` that names `tag` (weakly, as RFC 9110 §13.1.2
/// compares), with any coding suffix of ours ignored; `*` matches any.
fn matching<'a>(asked: &'a str, tag: &str) -> Option<&'a str> {
    let bare = tag.trim_matches('"');
    asked.split(',').map(str::trim).find(|candidate| {
        if *candidate == "*" {
            return true;
        }
        let opaque = candidate.trim_start_matches("W/").trim_matches('"');
        let opaque = CODINGS.iter().find_map(|c| opaque.strip_suffix(&format!("-{c}")[..])).unwrap_or(opaque);
        opaque == bare
    })
}

/// Brotli as actix-web sets it up (quality 3, a 4 MiB window) costs ~8× what
/// zstd or gzip cost on a timeline page for the same or a ~50 % larger
/// body (bench/README.md), and browsers accept all three alike. So when a
/// client accepts zstd or gzip too, brotli is struck from its list; a
/// client that accepts only brotli still gets it.
pub async fn prefer_cheap_coding(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(accepted) = req.get_header::<AcceptEncoding>()
        && let Some(cheaper) = without_brotli(accepted)
        && let Ok(value) = cheaper.try_into_value()
    {
        req.headers_mut().insert(header::ACCEPT_ENCODING, value);
    }
    next.call(req).await
}

/// The list less `br`, when it accepts `zstd` or `gzip` too.
fn without_brotli(AcceptEncoding(items): AcceptEncoding) -> Option<AcceptEncoding> {
    let is = |item: &QualityItem<Preference<Encoding>>, coding: &Encoding| matches!(&item.item, Preference::Specific(e) if e == coding);
    let has_br = items.iter().any(|i| is(i, &Encoding::brotli()));
    let cheaper =
        items.iter().any(|i| (is(i, &Encoding::zstd()) || is(i, &Encoding::gzip())) && i.quality > Quality::ZERO);
    (has_br && cheaper).then(|| AcceptEncoding(items.into_iter().filter(|i| !is(i, &Encoding::brotli())).collect()))
}

/// Appends the content coding to the tag of a compressed answer.
pub async fn tag_coding(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    let coding = res.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let tag = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if let (Some(coding), Some(tag)) = (coding, tag)
        && CODINGS.contains(&coding.as_str())
        && let Ok(value) = HeaderValue::from_str(&format!("{}-{coding}\"", tag.trim_end_matches('"')))
    {
        res.headers_mut().insert(header::ETAG, value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::{AcceptEncoding, matching, without_brotli};

    fn cheaper(accepted: &str) -> Option<String> {
        use actix_web::http::header::Header;
        let req =
            actix_web::test::TestRequest::default().insert_header(("Accept-Encoding", accepted)).to_http_request();
        let parsed = AcceptEncoding::parse(&req).expect("a valid header");
        without_brotli(parsed).map(|list| list.to_string())
    }

    #[test]
    fn brotli_gives_way_to_zstd_or_gzip_when_both_are_accepted() {
        assert_eq!(cheaper("gzip, deflate, br, zstd").as_deref(), Some("gzip, deflate, zstd"));
        assert_eq!(cheaper("br;q=1.0, gzip;q=0.8").as_deref(), Some("gzip; q=0.8"));
        assert_eq!(cheaper("br"), None);
        assert_eq!(cheaper("br, gzip;q=0"), None);
        assert_eq!(cheaper("br, gzip;q=0.000"), None);
        assert_eq!(cheaper("gzip, zstd"), None);
    }

    #[test]
    fn if_none_match_compares_weakly_and_ignores_our_coding_suffix() {
        let tag = "\"abc\"";
        assert_eq!(matching("\"abc\"", tag), Some("\"abc\""));
        assert_eq!(matching("W/\"abc\"", tag), Some("W/\"abc\""));
        assert_eq!(matching("\"x\", \"abc-br\"", tag), Some("\"abc-br\""));
        assert_eq!(matching("*", tag), Some("*"));
        assert_eq!(matching("\"abd\", \"abc-xz\"", tag), None);
    }
}
