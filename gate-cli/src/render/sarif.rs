//! SARIF 2.1.0, for code-scanning dashboards: one run, the gate's rules as
//! the tool's rules, one result per failure and per evaluation error, each
//! located at the predicate in the `.gate` source, with the evidence path as
//! a logical location and in the result's properties. Waived failures carry
//! a suppression with the waiver as justification.

use super::{
    element_text, evidence_source, failure_location, rule_source, source_path, waiver_text,
};
use gate_eval::decision::RuleResult;
use gate_eval::explain::{EvalError, Failure};
use gate_eval::{Decision, Location, Policy, RuleSeverity};
use serde_json::{json, Value};
use serde_sarif::sarif;
use std::collections::BTreeMap;

/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders a decision as a SARIF log (pretty JSON with a final newline).
/// `policy` is `None` when gate could not decide (the policy did not
/// compile, the evidence could not be read): the log then says
/// `executionSuccessful: false` and the reasons are its results.
pub fn decision(d: &Decision, policy: Option<&Policy>) -> Result<String, String> {
    let log = log(d, policy);
    let mut text = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

fn log(d: &Decision, policy: Option<&Policy>) -> sarif::Sarif {
    let rules: Vec<sarif::ReportingDescriptor> = match policy {
        Some(policy) => d.rules.iter().map(|r| descriptor(r, policy)).collect(),
        None => Vec::new(),
    };
    let mut results = Vec::new();
    for (index, r) in d.rules.iter().enumerate() {
        for f in &r.failures {
            results.push(failure_result(d, r, index, f));
        }
        for e in &r.errors {
            results.push(error_result(d, r, index, e));
        }
    }
    for e in &d.errors {
        results.push(
            sarif::Result::builder()
                .rule_id(e.code.clone())
                .level(sarif::ResultLevel::Error)
                .kind(sarif::ResultKind::Fail)
                .message(message(&format!("{}: {}", e.code, e.message)))
                .build(),
        );
    }
    let driver = sarif::ToolComponent::builder()
        .name("gate")
        .version(d.engine.version.clone())
        .semantic_version(d.engine.version.clone())
        .rules(rules)
        .build();
    let mut notifications = Vec::new();
    for w in &d.warnings {
        notifications.push(notification("warning", w));
    }
    for issue in &d.evidence_issues {
        notifications.push(notification("evidence-issue", &issue.message()));
    }
    if policy.is_none() {
        for e in &d.errors {
            notifications.push(notification("error", &format!("{}: {}", e.code, e.message)));
        }
    }
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(policy.is_some())
        .end_time_utc(d.evaluated_at.clone())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(format!("gate/{}/", d.gate.name))
                .build(),
        )
        .results(results)
        .properties(bag(
            None,
            [
                ("gate", json!(d.gate)),
                ("outcome", json!(d.outcome.as_str())),
                ("evaluatedAt", json!(d.evaluated_at)),
                ("policyDigest", json!(d.policy.digest)),
                ("evidence", json!(d.evidence)),
                ("counts", json!(d.counts)),
            ],
        ))
        .build();
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn level(severity: RuleSeverity) -> &'static str {
    match severity {
        RuleSeverity::Block => "error",
        RuleSeverity::Warn => "warning",
        RuleSeverity::Info => "note",
    }
}

fn descriptor(r: &RuleResult, policy: &Policy) -> sarif::ReportingDescriptor {
    let title = r.title.clone().unwrap_or_else(|| r.id.clone());
    let controls = if r.controls.is_empty() {
        String::new()
    } else {
        format!("; controls: {}", r.controls.join(", "))
    };
    let full = format!("{title} (severity {}{controls}).", r.severity.as_str());
    let at = format!("{}:{}", r.span.file, r.span.line);
    let (help_text, help_markdown) = match rule_source(policy, &r.span) {
        Some(src) => {
            let fence = "`".repeat(longest_run(&src, '`').max(2) + 1);
            (
                format!("Rule {} ({at}):\n\n{src}", r.id),
                format!("Rule `{}` ({at}):\n\n{fence}\n{src}\n{fence}", r.id),
            )
        }
        None => (
            format!("Rule {} ({at}).", r.id),
            format!("Rule `{}` ({at}).", r.id),
        ),
    };
    let mut tags = vec![format!("gate:{}", r.severity.as_str())];
    tags.extend(r.controls.iter().cloned());
    sarif::ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(title.clone())
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(title)
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(full)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_markdown)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(r.severity)))
                .build(),
        )
        .properties(bag(
            Some(tags),
            [
                ("severity", json!(r.severity.as_str())),
                ("controls", json!(r.controls)),
            ],
        ))
        .build()
}

fn failure_result(d: &Decision, r: &RuleResult, index: usize, f: &Failure) -> sarif::Result {
    let mut text = f.message.clone();
    text.push_str(&format!("\nfound: {}\nrequired: {}", f.actual, f.expected));
    if let Some(e) = &f.element {
        text.push_str(&format!("\nelement: {}", element_text(e)));
    }
    if let Some(p) = &f.path {
        text.push_str(&format!("\nevidence: {p}"));
    }
    let title = r.title.as_deref().unwrap_or("");
    text.push_str(&format!("\nrule: {} {title}", r.id));
    let mut props: Vec<(&str, Value)> = vec![
        ("found", f.actual.clone()),
        ("required", json!(f.expected)),
        ("requirement", json!(f.requirement)),
    ];
    if f.actual_truncated {
        props.push(("foundTruncated", json!(true)));
    }
    if let Some(p) = &f.path {
        evidence_props(d, p, &mut props);
    }
    if let Some(e) = &f.element {
        props.push(("element", json!(e)));
    }
    if let Some(g) = f.any_of {
        props.push(("anyOf", json!(g)));
    }
    let mut location = location(failure_location(f), f.path.as_deref());
    if f.called_from.is_some() && !std::ptr::eq(failure_location(f), &f.span) {
        props.push(("predicate", json!(f.span)));
    }
    if location.physical_location.is_none() && location.logical_locations.is_none() {
        location.message = Some(message("in a standard module"));
    }
    let mut fingerprint = format!("{}|{}|", r.id, f.requirement);
    fingerprint.push_str(f.path.as_deref().unwrap_or(""));
    fingerprint.push('|');
    if let Some(e) = &f.element {
        fingerprint.push_str(&element_text(e));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        "gate/v1".to_string(),
        gate_eval::sha256_hex(fingerprint.as_bytes()),
    );
    let mut result = sarif::Result::builder()
        .rule_id(r.id.clone())
        .rule_index(index_i64(index))
        .level(result_level(r.severity))
        .kind(sarif::ResultKind::Fail)
        .message(message(&text))
        .locations(vec![location])
        .fingerprints(fingerprints)
        .properties(bag(None, props))
        .build();
    if let Some(id) = f.waived_by {
        let justification = waiver_text(d, id).unwrap_or_else(|| format!("waiver {id}"));
        let mut suppression = sarif::Suppression::builder()
            .kind(json!("external"))
            .status(json!("accepted"))
            .justification(justification)
            .build();
        if let Some(w) = d.waivers.get(id) {
            suppression.properties = Some(bag(
                None,
                [
                    ("ticket", json!(w.ticket)),
                    ("approvedBy", json!(w.approved_by)),
                    ("expires", json!(w.expires)),
                    ("source", json!(w.source)),
                ],
            ));
        }
        result.suppressions = Some(vec![suppression]);
    }
    result
}

fn error_result(d: &Decision, r: &RuleResult, index: usize, e: &EvalError) -> sarif::Result {
    let title = r.title.as_deref().unwrap_or("");
    let mut text = format!("could not be evaluated: {}: {}", e.code, e.message);
    if let Some(p) = &e.path {
        text.push_str(&format!("\nevidence: {p}"));
    }
    text.push_str(&format!("\nrule: {} {title}", r.id));
    let mut props: Vec<(&str, Value)> = vec![("code", json!(e.code))];
    if let Some(p) = &e.path {
        evidence_props(d, p, &mut props);
    }
    if let Some(q) = e.requirement {
        props.push(("requirement", json!(q)));
    }
    sarif::Result::builder()
        .rule_id(r.id.clone())
        .rule_index(index_i64(index))
        .level(sarif::ResultLevel::Error)
        .kind(sarif::ResultKind::Fail)
        .message(message(&text))
        .locations(vec![location(&e.span, e.path.as_deref())])
        .properties(bag(None, props))
        .build()
}

/// The evidence path, and the document and pointer in it where known.
fn evidence_props(d: &Decision, path: &str, props: &mut Vec<(&str, Value)>) {
    props.push(("evidencePath", json!(path)));
    if let Some((source, pointer)) = evidence_source(d, path) {
        props.push(("evidenceSource", json!(source)));
        props.push(("evidencePointer", json!(pointer)));
    }
}

fn result_level(severity: RuleSeverity) -> sarif::ResultLevel {
    match severity {
        RuleSeverity::Block => sarif::ResultLevel::Error,
        RuleSeverity::Warn => sarif::ResultLevel::Warning,
        RuleSeverity::Info => sarif::ResultLevel::Note,
    }
}

fn location(at: &Location, evidence: Option<&str>) -> sarif::Location {
    let mut loc = sarif::Location::builder().build();
    if let Some(path) = source_path(&at.file) {
        let uri = percent_encoding::utf8_percent_encode(&path, URI).to_string();
        loc.physical_location = Some(
            sarif::PhysicalLocation::builder()
                .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                .region(
                    sarif::Region::builder()
                        .start_line(i64::from(at.line))
                        .start_column(i64::from(at.column))
                        .end_line(i64::from(at.end_line))
                        .end_column(i64::from(at.end_column))
                        .build(),
                )
                .build(),
        );
    }
    if let Some(p) = evidence {
        loc.logical_locations = Some(vec![sarif::LogicalLocation::builder()
            .fully_qualified_name(p.to_string())
            .name(p.rsplit('/').next().unwrap_or(p).to_string())
            .kind("value")
            .build()]);
    }
    loc
}

/// Characters escaped in a relative URI: everything but unreserved
/// characters and `/`.
const URI: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn message(text: &str) -> sarif::Message {
    sarif::Message::builder().text(text.to_string()).build()
}

fn notification(id: &str, text: &str) -> sarif::Notification {
    let level = if id == "error" { "error" } else { "warning" };
    sarif::Notification::builder()
        .message(message(text))
        .level(json!(level))
        .descriptor(
            sarif::ReportingDescriptorReference::builder()
                .id(id)
                .build(),
        )
        .build()
}

fn bag<'a>(
    tags: Option<Vec<String>>,
    entries: impl IntoIterator<Item = (&'a str, Value)>,
) -> sarif::PropertyBag {
    let mut b = sarif::PropertyBag::builder().build();
    b.tags = tags;
    for (k, v) in entries {
        b.additional_properties.insert(k.to_string(), v);
    }
    b
}

fn index_i64(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}
