; Foldable regions for gate.
[
  (gate_header)
  (enum_item)
  (record_item)
  (evidence_block)
  (def_item)
  (rule_item)
  (waive_item)
  (record_type)
  (require_statement)
  (list)
  (map)
  (arguments)
] @fold
