//! The API's own JSON.

/// A timeline page (`TimelinePage` in the spec) whose items are stored
/// documents, joined as they are rather than parsed and written again.
pub fn page_body(documents: &[String], next_cursor: Option<&str>) -> String {
    let mut body = String::with_capacity(documents.iter().map(|d| d.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"items\":[");
    for (i, document) in documents.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(document);
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&next_cursor).unwrap_or_else(|_| "null".into()));
    body.push('}');
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_valid_json_with_its_documents_in_order() {
        let body = page_body(&[r#"{"key":"a"}"#.into(), r#"{"key":"b"}"#.into()], Some("next\"one"));
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["items"][1]["key"], "b");
        assert_eq!(page["next_cursor"], "next\"one");
        let last: serde_json::Value = serde_json::from_str(&page_body(&[], None)).unwrap();
        assert_eq!(last, serde_json::json!({"items": [], "next_cursor": null}));
    }
}
