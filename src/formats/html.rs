//! Text for the formats whose strings a widget shows as HTML (TimelineJS
//! slides, vis-timeline items): everything from the data is escaped, and
//! only http(s) links are made.

use crate::models::{Event, EventSource};

/// Plain text, safe inside an element or a quoted attribute.
pub fn text(raw: &str) -> String {
    html_escape::encode_quoted_attribute(raw).into_owned()
}

/// A slide's body: the summary, who took part, and each source as a link
/// with the passage it rests on.
pub fn event_text(event: &Event) -> String {
    let mut html = String::new();
    if let Some(summary) = &event.summary {
        html.push_str(&format!("<p>{}</p>", text(summary)));
    }
    if !event.participants.is_empty() {
        let names: Vec<String> = event
            .participants
            .iter()
            .map(|p| match &p.role {
                Some(role) => format!("{} ({})", text(&p.name), text(role)),
                None => text(&p.name),
            })
            .collect();
        html.push_str(&format!("<p class=\"participants\">{}</p>", names.join(", ")));
    }
    if !event.sources.is_empty() {
        html.push_str("<ul class=\"sources\">");
        for source in &event.sources {
            html.push_str(&format!("<li>{}</li>", source_item(source)));
        }
        html.push_str("</ul>");
    }
    html
}

/// A source: its title (a link when it has a URL), publisher and date, and
/// the quoted passage.
fn source_item(s: &EventSource) -> String {
    let source = &s.source;
    let label = text(source.title.as_deref().or(source.url.as_deref()).unwrap_or("source"));
    let mut item = match source.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        Some(url) => format!("<a href=\"{}\" target=\"_blank\" rel=\"noopener\">{label}</a>", text(url)),
        None => label,
    };
    let about: Vec<&str> = [source.publisher.as_deref(), source.published.as_deref()].into_iter().flatten().collect();
    if !about.is_empty() {
        item.push_str(&format!(" ({})", text(&about.join(", "))));
    }
    if let Some(quote) = &s.quote {
        item.push_str(&format!("<blockquote>{}</blockquote>", text(quote)));
    }
    item
}
