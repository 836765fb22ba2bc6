# The benchmark's release gate in Rego: the set of failing items.
package bench

import rego.v1

max_age_ns := ((90 * 24) * 3600) * 1000000000

now_ns := time.parse_rfc3339_ns(input.evaluated_at)

violations contains ["secrets-vaulted", s.id] if {
	some s in input.secrets
	s.vaulted != true
}

violations contains ["secrets-rotated", s.id] if {
	some s in input.secrets
	now_ns - time.parse_rfc3339_ns(s.rotated_at) > max_age_ns
}

violations contains ["accounts-owned", a.id] if {
	some a in input.service_accounts
	not has_owner(a)
}

has_owner(a) if {
	is_string(a.owner)
	a.owner != ""
}

violations contains ["privileged-reviewed", a.id] if {
	some a in input.service_accounts
	a.privileged == true
	not recently_reviewed(a)
}

recently_reviewed(a) if {
	is_string(a.last_review_at)
	now_ns - time.parse_rfc3339_ns(a.last_review_at) <= max_age_ns
}

violations contains ["approvals-complete", role] if {
	some role in ["security", "owner", "ops"]
	not approved(role)
}

approved(role) if {
	some a in input.approvals
	a.role == role
	a.state == "approved"
}

violations contains ["approvals-digest", a.role] if {
	some a in input.approvals
	a.artefact_digest != input.artefact.digest
}

violations contains ["rollback-ready", "deployment.rollback"] if not rollback_ok

rollback_ok if {
	input.deployment.rollback.planned == true
	input.deployment.rollback.tested == true
}

violations contains ["monitoring-siem", "deployment.monitoring"] if {
	input.deployment.monitoring.destination != "siem"
}

violations contains ["oncall-set", "deployment.oncall"] if not oncall_ok

oncall_ok if {
	is_string(input.deployment.oncall)
	input.deployment.oncall != ""
}
