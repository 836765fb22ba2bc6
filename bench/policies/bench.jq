# The benchmark's release gate in jq: an array of [rule, item] pairs.
(.evaluated_at | fromdateiso8601) as $now
| (90 * 86400) as $max
| .artefact.digest as $digest
| .approvals as $approvals
| .deployment as $d
| [
    (.secrets[] | select(.vaulted != true) | ["secrets-vaulted", .id]),
    (.secrets[] | select($now - (.rotated_at | fromdateiso8601) > $max) | ["secrets-rotated", .id]),
    (.service_accounts[] | select((.owner | type) != "string" or .owner == "") | ["accounts-owned", .id]),
    (.service_accounts[]
      | select(.privileged == true
          and ((.last_review_at | type) != "string"
            or $now - (.last_review_at | fromdateiso8601) > $max))
      | ["privileged-reviewed", .id]),
    (("security", "owner", "ops") as $r
      | select(any($approvals[]; .role == $r and .state == "approved") | not)
      | ["approvals-complete", $r]),
    ($approvals[] | select(.artefact_digest != $digest) | ["approvals-digest", .role]),
    (select(($d.rollback.planned == true and $d.rollback.tested == true) | not)
      | ["rollback-ready", "deployment.rollback"]),
    (select($d.monitoring.destination != "siem") | ["monitoring-siem", "deployment.monitoring"]),
    (select(($d.oncall | type) != "string" or $d.oncall == "") | ["oncall-set", "deployment.oncall"])
  ]
