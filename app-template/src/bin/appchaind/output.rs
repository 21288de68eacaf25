//! Printing data as text or JSON.

use serde_json::{Map, Value};

use crate::cli::OutputFormat;

/// Named values in display order.
pub(crate) type Fields = Vec<(&'static str, Value)>;

/// Prints `fields` as one JSON object, or as aligned `key: value` lines in their order.
pub(crate) fn print(format: OutputFormat, fields: &Fields) {
    match format {
        OutputFormat::Json => print_json(&object(fields)),
        OutputFormat::Text => {
            use std::io::Write as _;
            let _ = write!(std::io::stdout(), "{}", text(fields));
        }
    }
}

/// Prints pretty JSON.
pub(crate) fn print_json(value: &Value) {
    out!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// The fields as a JSON object.
pub(crate) fn object(fields: &Fields) -> Value {
    Value::Object(fields.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect::<Map<_, _>>())
}

/// `key: value` lines, aligned; nested values as compact JSON.
pub(crate) fn text(fields: &Fields) -> String {
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    let mut out = String::new();
    for (key, value) in fields {
        let line = format!("{:<width$} {}", format!("{key}:"), scalar(value));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_lines_are_aligned_in_order() {
        let fields: Fields = vec![("hash", json!("AB")), ("height", json!(3)), ("log", json!(""))];
        assert_eq!(text(&fields), "hash:   AB\nheight: 3\nlog:\n");
        assert_eq!(object(&fields), json!({"hash": "AB", "height": 3, "log": ""}));
    }
}
