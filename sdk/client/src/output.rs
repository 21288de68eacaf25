//! Printing data as text or JSON.

use serde_json::{Map, Value};

use crate::args::OutputFormat;

/// Named values in display order.
pub type Fields = Vec<(&'static str, Value)>;

/// Prints `fields` as one JSON object, or as aligned `key: value` lines in their order.
pub fn print(format: OutputFormat, fields: &Fields) {
    match format {
        OutputFormat::Json => print_json(&object(fields)),
        OutputFormat::Text => {
            use std::io::Write as _;
            let _ = write!(std::io::stdout(), "{}", text(fields));
        }
    }
}

/// Prints pretty JSON.
pub fn print_json(value: &Value) {
    out!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// The fields as a JSON object.
pub fn object(fields: &Fields) -> Value {
    Value::Object(fields.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect::<Map<_, _>>())
}

/// `key: value` lines, aligned; nested values as compact JSON.
pub fn text(fields: &Fields) -> String {
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    let mut out = String::new();
    for (key, value) in fields {
        let line = format!("{:<width$} {}", format!("{key}:"), scalar(value));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Prints a query answer: JSON as it is, or text: an object as aligned `key: value` lines
/// (nested objects flattened with dotted keys), a list as such blocks separated by blank
/// lines (`(none)` when empty), a page as its items then `next:`.
pub fn print_value(format: OutputFormat, value: &Value) {
    match format {
        OutputFormat::Json => print_json(value),
        OutputFormat::Text => {
            use std::io::Write as _;
            let _ = write!(std::io::stdout(), "{}", value_text(value));
        }
    }
}

/// The text form of [`print_value`].
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Array(items) if items.is_empty() => "(none)\n".to_string(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join("\n"),
        Value::Object(map) if map.contains_key("items") && map.len() == 2 && map.contains_key("next") => {
            let mut out = value_text(&map["items"]);
            if !map["next"].is_null() {
                out.push_str(&format!("\nnext: {}\n", scalar(&map["next"])));
            }
            out
        }
        Value::Object(_) => {
            let mut lines: Vec<(String, String)> = Vec::new();
            let mut tables: Vec<(String, &[Value])> = Vec::new();
            flatten("", value, &mut lines, &mut tables);
            let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
            let mut out = String::new();
            for (key, text) in lines {
                let line = format!("{:<width$} {text}", format!("{key}:"));
                out.push_str(line.trim_end());
                out.push('\n');
            }
            for (key, rows) in tables {
                out.push_str(&format!("{key}:\n"));
                out.push_str(&table(rows));
            }
            out
        }
        other => format!("{}\n", scalar(other)),
    }
}

/// Scalars (and nested objects, flattened) go to `out`; non-empty lists of objects, such as
/// a validator set's members, to `tables`, printed after the scalars.
fn flatten<'a>(
    prefix: &str,
    value: &'a Value,
    out: &mut Vec<(String, String)>,
    tables: &mut Vec<(String, &'a [Value])>,
) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                let key = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&key, item, out, tables);
            }
        }
        Value::Array(rows) if !rows.is_empty() && rows.iter().all(Value::is_object) => {
            tables.push((prefix.to_string(), rows));
        }
        other => out.push((prefix.to_string(), scalar(other))),
    }
}

/// Rows of objects as an indented table: a header of the first row's keys, one aligned
/// column each (nested values as compact JSON).
fn table(rows: &[Value]) -> String {
    let columns: Vec<&String> = rows.first().and_then(Value::as_object).map(|m| m.keys().collect()).unwrap_or_default();
    let cells: Vec<Vec<String>> =
        rows.iter().map(|row| columns.iter().map(|c| scalar(&row[c.as_str()])).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| r[i].len()).max().unwrap_or(0).max(c.len()))
        .collect();
    let line = |texts: Vec<&str>| -> String {
        let joined: Vec<String> = texts.iter().zip(&widths).map(|(t, w)| format!("{t:<w$}")).collect();
        format!("  {}\n", joined.join("  ").trim_end())
    };
    let mut out = line(columns.iter().map(|c| c.as_str()).collect());
    for row in &cells {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
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

    #[test]
    fn query_answers_as_text() {
        let info = json!({"candidate": {"operator": "ab", "tokens": "5"}, "power": 1});
        assert_eq!(value_text(&info), "candidate.operator: ab\ncandidate.tokens:   5\npower:              1\n");
        assert_eq!(value_text(&json!([])), "(none)\n");
        assert_eq!(value_text(&json!([{"id": 1}, {"id": 2}])), "id: 1\n\nid: 2\n");
        assert_eq!(value_text(&json!({"items": [{"a": 1}], "next": "x"})), "a: 1\n\nnext: x\n");
        assert_eq!(value_text(&json!(null)), "\n");
        let set =
            json!({"epoch": 2, "validators": [{"operator": "ab", "power": 100}, {"operator": "cdef", "power": 7}]});
        assert_eq!(value_text(&set), "epoch: 2\nvalidators:\n  operator  power\n  ab        100\n  cdef      7\n");
    }
}
