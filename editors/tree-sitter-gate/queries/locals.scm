; Scopes, definitions and references for gate.

; The capture names are the ones tree-sitter-highlight reads: @local.scope,
; @local.definition and @local.reference.
;
; Scopes: the file (top-level lets, types, enum values, imports, evidence
; fields), each rule (its lets, seen by the statements after them), each def
; (its parameters) and each lambda (its parameter). A def's own name is not a
; local: it is inside the def's scope, where its parameters are, and would
; not be seen from the rules that call it.
(source_file) @local.scope

(rule_item) @local.scope

(def_item) @local.scope

(lambda) @local.scope

; Definitions

(let_item
  name: (identifier) @local.definition)

(let_statement
  name: (identifier) @local.definition)

(parameter
  name: (identifier) @local.definition)

(lambda
  parameter: (identifier) @local.definition)

(record_item
  name: (type_identifier) @local.definition)

(enum_item
  name: (type_identifier) @local.definition)

(enum_variant
  (identifier) @local.definition)

; Evidence fields are names in scope in the whole gate.
(evidence_block
  (field_declaration
    name: (identifier) @local.definition))

; `import std.secrets` binds `secrets`; `import … as ev` binds `ev`.
(import_item
  source: (dotted_name
    (identifier) @local.definition .)
  !alias)

(import_item
  alias: (identifier) @local.definition)

; References: a name where an expression or a type stands. Field names after
; `.` are not references.

(named_type
  name: (type_identifier) @local.reference)

(named_type
  module: (identifier) @local.reference)

(generic_type
  name: (type_identifier) @local.reference)

(call
  function: (identifier) @local.reference)

(binary_expression
  left: (identifier) @local.reference)

(binary_expression
  right: (identifier) @local.reference)

(unary_expression
  operand: (identifier) @local.reference)

(if_expression
  condition: (identifier) @local.reference)

(if_expression
  consequence: (identifier) @local.reference)

(if_expression
  alternative: (identifier) @local.reference)

(field_access
  object: (identifier) @local.reference)

(method_call
  receiver: (identifier) @local.reference)

(index_expression
  object: (identifier) @local.reference)

(index_expression
  index: (identifier) @local.reference)

(arguments
  (identifier) @local.reference)

(list
  (identifier) @local.reference)

(map_entry
  value: (identifier) @local.reference)

(parenthesized_expression
  (identifier) @local.reference)

(let_item
  value: (identifier) @local.reference)

(let_statement
  value: (identifier) @local.reference)

(def_item
  body: (identifier) @local.reference)

(lambda
  body: (identifier) @local.reference)

(when_statement
  condition: (identifier) @local.reference)

(require_statement
  condition: (identifier) @local.reference)

(directive
  condition: (identifier) @local.reference)

(interpolation
  expression: (identifier) @local.reference)
