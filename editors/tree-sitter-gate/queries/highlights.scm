; Highlights for gate. Where two patterns capture the same node, the first
; one wins (as in tree-sitter-highlight), so the specific patterns come first.

; Comments, `# lint: allow(…)` included
(comment) @comment

; Items and headers

(gate_header
  name: (gate_name) @module)

(module_header
  name: (dotted_name
    (identifier) @module))

(import_item
  source: (dotted_name
    (identifier) @module))

(import_item
  alias: (identifier) @module)

(rule_item
  id: (rule_id) @label)

(waive_item
  rule: (rule_id) @label)

(rule_item
  title: (_) @string.special)

; Settings: `severity block`, `title "…"`
(setting
  name: (identifier) @property)

(setting
  value: (identifier) @constant)

; Record directives: `key name when …`, `elements items`
(directive
  name: (identifier) @keyword)

(directive
  field: (identifier) @property)

(attribute
  "@" @attribute
  name: (identifier) @attribute)

(field_declaration
  name: (identifier) @property)

(enum_variant
  (identifier) @constant)

; Types

((type_identifier) @type.builtin
  (#any-of? @type.builtin "bool" "int" "float" "string" "time" "duration" "many" "map"))

(type_identifier) @type

(named_type
  module: (identifier) @module)

(generic_type
  [
    "<"
    ">"
  ] @punctuation.bracket)

; Functions

(def_item
  name: (identifier) @function)

((call
  function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "age" "all" "any" "base64_decode" "cidr_contains" "contains" "count" "days" "difference" "distinct_count" "ends_with" "filter" "first" "flat_map" "flatten" "glob" "group_by" "hours" "includes" "includes_all" "includes_any" "intersect" "is_digest" "is_empty" "is_wildcard" "keys" "len" "looks_like_secret" "lower" "map" "matches" "max" "min" "none" "now" "parse_time" "present" "seconds" "semver_cmp" "semver_satisfies" "sort" "split" "starts_with" "string" "sum" "trim" "union" "unique" "upper" "values" "well_typed"))

(call
  function: (identifier) @function)

((method_call
  method: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "age" "all" "any" "base64_decode" "cidr_contains" "contains" "count" "days" "difference" "distinct_count" "ends_with" "filter" "first" "flat_map" "flatten" "glob" "group_by" "hours" "includes" "includes_all" "includes_any" "intersect" "is_digest" "is_empty" "is_wildcard" "keys" "len" "looks_like_secret" "lower" "map" "matches" "max" "min" "none" "now" "parse_time" "present" "seconds" "semver_cmp" "semver_satisfies" "sort" "split" "starts_with" "string" "sum" "trim" "union" "unique" "upper" "values" "well_typed"))

(method_call
  method: (identifier) @function.method)

(parameter
  name: (identifier) @variable.parameter)

(lambda
  parameter: (identifier) @variable.parameter)

; Fields

(field_access
  field: (identifier) @property)

(map_entry
  key: (_) @property)

; Names

((identifier) @constant
  (#match? @constant "^[A-Z][A-Z0-9_]*$"))

(it) @variable.builtin

(identifier) @variable

; Literals

[
  (true)
  (false)
] @constant.builtin

(null) @constant.builtin

[
  (integer)
  (float)
  (duration)
] @number

(timestamp) @constant

(escape_sequence) @string.escape

(interpolation
  [
    "{"
    "}"
  ] @punctuation.special)

[
  (string)
  (raw_string)
  (template)
] @string

; Keywords

[
  "gate"
  "module"
  "enum"
  "record"
  "evidence"
  "let"
  "rule"
  "waive"
  "when"
  "require"
] @keyword

"def" @keyword.function

[
  "import"
  "as"
] @keyword.import

[
  "if"
  "then"
  "else"
] @keyword.conditional

[
  "and"
  "or"
  "not"
  "in"
] @keyword.operator

; Operators and punctuation

[
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  "+"
  "-"
  "*"
  "/"
  "%"
  "??"
  "?"
  "?."
  "="
  "=>"
  "->"
  "&&"
  "||"
  "!"
] @operator

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  ","
  ":"
  "."
] @punctuation.delimiter
