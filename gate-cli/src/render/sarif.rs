//! SARIF 2.1.0, for code-scanning dashboards: one run, the gate's rules as
//! the tool's rules, one result per failure and per evaluation error. A
//! result is located at the value that failed in the evidence file when the
//! file is in this folder (see [`super::evidence`]), with the predicate in
//! the `.gate` source as a related location; otherwise at the predicate.
//! The evidence path is a logical location and in the result's properties.
//! Waived failures carry a suppression with the waiver as justification.

use super::evidence::{EvidenceAt, Locator};
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
pub fn decision(
    d: &Decision,
    policy: Option<&Policy>,
    locator: &Locator,
) -> Result<String, String> {
    let log = log(d, policy, locator);
    let mut text = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

fn log(d: &Decision, policy: Option<&Policy>, locator: &Locator) -> sarif::Sarif {
    let rules: Vec<sarif::ReportingDescriptor> = match policy {
        Some(policy) => d.rules.iter().map(|r| descriptor(r, policy)).collect(),
        None => Vec::new(),
    };
    let mut results = Vec::new();
    for (index, r) in d.rules.iter().enumerate() {
        for f in &r.failures {
            results.push(failure_result(d, r, index, f, locator));
        }
        for e in &r.errors {
            results.push(error_result(d, r, index, e, locator));
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
    let mut descriptor = rule(&r.id, &title, &full, level(r.severity));
    descriptor.help = Some(
        sarif::MultiformatMessageString::builder()
            .text(help_text)
            .markdown(help_markdown)
            .build(),
    );
    descriptor.properties = Some(bag(
        Some(tags),
        [
            ("severity", json!(r.severity.as_str())),
            ("controls", json!(r.controls)),
        ],
    ));
    descriptor
}

fn failure_result(
    d: &Decision,
    r: &RuleResult,
    index: usize,
    f: &Failure,
    locator: &Locator,
) -> sarif::Result {
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
    let evidence = f
        .path
        .as_deref()
        .and_then(|p| locator.at(d, p, f.element.as_ref()));
    let (location, related) = at_evidence(location, evidence.as_ref(), &r.id);
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("gate/v1".to_string(), super::fingerprint(r, f));
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
    result.related_locations = related;
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

fn error_result(
    d: &Decision,
    r: &RuleResult,
    index: usize,
    e: &EvalError,
    locator: &Locator,
) -> sarif::Result {
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
    let evidence = e.path.as_deref().and_then(|p| locator.at(d, p, None));
    let (location, related) = at_evidence(
        location(&e.span, e.path.as_deref()),
        evidence.as_ref(),
        &r.id,
    );
    let mut result = sarif::Result::builder()
        .rule_id(r.id.clone())
        .rule_index(index_i64(index))
        .level(sarif::ResultLevel::Error)
        .kind(sarif::ResultKind::Fail)
        .message(message(&text))
        .locations(vec![location])
        .properties(bag(None, props))
        .build();
    result.related_locations = related;
    result
}

/// A result's location moved to the evidence file, when the value is in
/// one this folder holds, with the place in the policy as its related
/// location; else the location as it is.
fn at_evidence(
    mut policy: sarif::Location,
    evidence: Option<&EvidenceAt>,
    rule: &str,
) -> (sarif::Location, Option<Vec<sarif::Location>>) {
    let Some(ev) = evidence else {
        return (policy, None);
    };
    let mut region = sarif::Region::builder().build();
    if let Some((line, column)) = ev.line {
        region.start_line = Some(index_i64(line));
        region.start_column = Some(index_i64(column));
    } else {
        region.start_line = Some(1);
    }
    let uri = percent_encoding::utf8_percent_encode(&ev.file, URI).to_string();
    let mut at = sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                .region(region)
                .build(),
        )
        .build();
    at.logical_locations = policy.logical_locations.take();
    at.message = Some(message(&format!(
        "the evidence at {}",
        display_pointer(&ev.pointer)
    )));
    if policy.physical_location.is_none() {
        return (at, None);
    }
    at.id = Some(0);
    policy.id = Some(1);
    policy.logical_locations = None;
    policy.message = Some(message(&format!(
        "rule {rule}: the requirement that failed"
    )));
    (at, Some(vec![policy]))
}

/// A pointer as a reader sees it (`/` for the whole document).
fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "/"
    } else {
        pointer
    }
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

/// A SARIF log of one run of a command that is not a decision (`gate
/// lint`, `gate test`): the command as the tool, its rules and results.
/// `successful` is false when the command could not do all of its work.
pub fn tool_log(
    command: &str,
    rules: Vec<sarif::ReportingDescriptor>,
    results: Vec<sarif::Result>,
    successful: bool,
) -> Result<String, String> {
    let version = crate::version();
    let driver = sarif::ToolComponent::builder()
        .name("gate")
        .full_name(command)
        .version(version.clone())
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .invocations(vec![sarif::Invocation::builder()
            .execution_successful(successful)
            .build()])
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(format!("{}/", command.replace(' ', "/")))
                .build(),
        )
        .results(results)
        .build();
    let log = sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// A rule of a command's log: its id, a title, a description and its
/// default level (`error`, `warning`, `note`).
pub fn rule(id: &str, title: &str, description: &str, level: &str) -> sarif::ReportingDescriptor {
    sarif::ReportingDescriptor::builder()
        .id(id)
        .name(title)
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(title)
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(description)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(description)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level))
                .build(),
        )
        .build()
}

/// A result of a command's log, an error of rule `id` (the `index`th).
pub fn result(id: &str, index: usize, text: &str, at: sarif::Location) -> sarif::Result {
    result_at_level(id, index, text, at, sarif::ResultLevel::Error)
}

/// [`result`] at a level of its own.
pub fn result_at_level(
    id: &str,
    index: usize,
    text: &str,
    at: sarif::Location,
    level: sarif::ResultLevel,
) -> sarif::Result {
    let mut fingerprints = BTreeMap::new();
    let uri = at
        .physical_location
        .as_ref()
        .and_then(|p| p.artifact_location.as_ref())
        .and_then(|a| a.uri.clone())
        .unwrap_or_default();
    fingerprints.insert(
        "gate/v1".to_string(),
        gate_eval::sha256_hex(format!("{id}|{uri}|{text}").as_bytes()),
    );
    sarif::Result::builder()
        .rule_id(id)
        .rule_index(index_i64(index))
        .level(level)
        .kind(sarif::ResultKind::Fail)
        .message(message(text))
        .locations(vec![at])
        .fingerprints(fingerprints)
        .build()
}

/// A place in a file: its path (relative, `/`), and the line and column
/// when known (the whole file otherwise).
pub fn file_location(path: &str, line: Option<usize>, column: Option<usize>) -> sarif::Location {
    let uri = percent_encoding::utf8_percent_encode(path, URI).to_string();
    let mut region = sarif::Region::builder().build();
    region.start_line = Some(index_i64(line.unwrap_or(1)));
    region.start_column = column.map(index_i64);
    sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
                .region(region)
                .build(),
        )
        .build()
}

/// A span of a policy file as a location with its region.
pub fn span_location(at: &Location) -> sarif::Location {
    location(at, None)
}
