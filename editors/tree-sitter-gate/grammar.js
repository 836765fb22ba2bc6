/**
 * @file Tree-sitter grammar for gate, a policy language for release and
 *       production-readiness gates.
 * @license Apache-2.0
 *
 * The grammar follows gate-lang/src/grammar.lalrpop (the parser) and
 * gate-lang/src/lexer.rs (the logos lexer) rule for rule; the comments name
 * the lalrpop rule each tree-sitter rule stands for. Where tree-sitter cannot
 * check what the Rust lexer checks in a callback (a duration's unit, a
 * timestamp's calendar date, an integer's range), the token has the same
 * extent as the Rust token and the check is left to `gate check`.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Words that are keywords only where an item starts: wherever the parser
// expects a name they are names (lalrpop `NameStr`).
const STRUCTURAL_WORDS = ['gate', 'module', 'record', 'enum', 'evidence', 'rule', 'waive'];

// The other keywords (lalrpop `Keyword`). After a `.` they are field names
// too (lalrpop `FieldName`).
const OTHER_KEYWORDS = [
  'import', 'as', 'let', 'def', 'when', 'require', 'else', 'and', 'or', 'not',
  'in', 'if', 'then', 'true', 'false', 'null', 'it',
];

/**
 * `Comma<T>`: a comma-separated list, possibly empty, with an optional
 * trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSep(rule) {
  return optional(seq(rule, repeat(seq(',', rule)), optional(',')));
}

/**
 * lalrpop `Name`: an identifier or one of the structural words, always shown
 * as an `identifier` node.
 * @param {GrammarSymbols<string>} $
 */
function name($) {
  return choice($.identifier, ...STRUCTURAL_WORDS.map((w) => alias(w, $.identifier)));
}

/**
 * lalrpop `FieldName`: after `.` or `?.` every word is a field name.
 * @param {GrammarSymbols<string>} $
 */
function fieldName($) {
  return choice(
    $.identifier,
    ...STRUCTURAL_WORDS.concat(OTHER_KEYWORDS).map((w) => alias(w, $.identifier)),
  );
}

/**
 * A `Name` in the place of a type name, shown as `type_identifier`.
 * @param {GrammarSymbols<string>} $
 */
function typeName($) {
  return choice(
    alias($.identifier, $.type_identifier),
    ...STRUCTURAL_WORDS.map((w) => alias(w, $.type_identifier)),
  );
}

module.exports = grammar({
  name: 'gate',

  // lexer.rs: `#[logos(skip r"[ \t\r\n\f]+")]` and `Comment`.
  extras: ($) => [/[ \t\r\n\f]/, $.comment],

  word: ($) => $.identifier,

  rules: {
    // File: Header? Item*. A byte-order mark at the very start is skipped
    // (the loader strips it).
    source_file: ($) => seq(
      optional('\uFEFF'),
      optional(field('header', choice($.gate_header, $.module_header))),
      repeat($._item),
    ),

    // ------------------------------------------------------------ header

    // Header: "gate" RuleIdPart+ "{" Setting* "}"
    gate_header: ($) => seq(
      'gate',
      field('name', alias($._kebab_name, $.gate_name)),
      '{',
      repeat($.setting),
      '}',
    ),

    // Header: "module" Dotted
    module_header: ($) => seq('module', field('name', $.dotted_name)),

    // Setting: Ident SettingValue
    setting: ($) => seq(
      field('name', $.identifier),
      choice(
        field('value', name($)),
        seq(
          field('value', $._string_literal),
          repeat(seq(',', field('value', $._string_literal))),
        ),
        field('value', $.string_list),
        field('value', $.integer),
        field('value', $.timestamp),
        field('value', $.true),
        field('value', $.false),
      ),
    ),

    // SettingValue: "[" Comma<StrLit> "]"
    string_list: ($) => seq('[', commaSep($._string_literal), ']'),

    // ------------------------------------------------------------ items

    _item: ($) => choice(
      $.import_item,
      $.enum_item,
      $.record_item,
      $.evidence_block,
      $.let_item,
      $.def_item,
      $.rule_item,
      $.waive_item,
    ),

    // Import: "import" (Dotted | StrLit) ("as" Name)?
    import_item: ($) => seq(
      'import',
      field('source', choice($.dotted_name, $._string_literal)),
      optional(seq('as', field('alias', name($)))),
    ),

    // Dotted: Name ("." Name)*
    dotted_name: ($) => seq(name($), repeat(seq('.', name($)))),

    // EnumDecl: "enum" Name "{" Comma<EnumVariant> "}"
    enum_item: ($) => seq(
      'enum',
      field('name', typeName($)),
      '{',
      commaSep(field('variant', $.enum_variant)),
      '}',
    ),

    // EnumVariant: Name | StrLit
    enum_variant: ($) => choice(name($), $._string_literal),

    // RecordDecl: "record" Name "{" RecordMember* "}"
    record_item: ($) => seq(
      'record',
      field('name', typeName($)),
      '{',
      repeat($._member),
      '}',
    ),

    // EvidenceDecl: "evidence" "{" RecordMember* "}"
    evidence_block: ($) => seq('evidence', '{', repeat($._member), '}'),

    // RecordMember: (FieldDecl | Directive) ","?
    _member: ($) => seq(choice($.field_declaration, $.directive), optional(',')),

    // FieldDecl: Attribute* Name ":" Type
    //          | Attribute* StrLit ("as" Name)? ":" Type
    // `name` is the field's name in gate; `key` the JSON key when quoted.
    field_declaration: ($) => seq(
      repeat(field('attribute', $.attribute)),
      choice(
        field('name', name($)),
        seq(
          field('key', $._string_literal),
          optional(seq('as', field('name', name($)))),
        ),
      ),
      ':',
      field('type', $._type),
    ),

    // Attribute: "@" Name
    attribute: ($) => seq('@', field('name', name($))),

    // Directive: Ident Name ("." Name)* ("when" Expr)?   (key …, elements …)
    directive: ($) => seq(
      field('name', $.identifier),
      field('field', name($)),
      repeat(seq('.', field('field', name($)))),
      optional(seq('when', field('condition', $._expression))),
    ),

    // LetDecl: "let" Name (":" Type)? "=" Expr
    let_item: ($) => seq(
      'let',
      field('name', name($)),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    // DefDecl: "def" Name "(" Comma<Param> ")" ("->" Type)? "=" Expr
    def_item: ($) => seq(
      'def',
      field('name', name($)),
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      '=',
      field('body', $._expression),
    ),

    parameters: ($) => seq('(', commaSep($.parameter), ')'),

    // Param: Name ":" Type
    parameter: ($) => seq(field('name', name($)), ':', field('type', $._type)),

    // RuleDecl: "rule" RuleIdPart+ StrLit? "{" RuleStmt* "}"
    rule_item: ($) => seq(
      'rule',
      field('id', alias($._kebab_name, $.rule_id)),
      optional(field('title', $._string_literal)),
      '{',
      repeat($._statement),
      '}',
    ),

    // WaiveDecl: "waive" RuleIdPart+ "{" Setting* "}"
    waive_item: ($) => seq(
      'waive',
      field('rule', alias($._kebab_name, $.rule_id)),
      '{',
      repeat($.setting),
      '}',
    ),

    // RuleIdPart+ with no space inside, as `name_id` in parser.rs accepts
    // it: a letter, then letters, digits, `_` and `-`, not ending in `-`.
    // The parts after a `-` are identifiers, keywords, integers or
    // durations, all of which `[A-Za-z0-9_]+` covers.
    _kebab_name: (_) => /[A-Za-z][A-Za-z0-9_]*(-+[A-Za-z0-9_]+)*/,

    // RuleStmt: Setting | "when" Expr | LetDecl | "require" Expr ("else" TemplateLit)?
    _statement: ($) => choice(
      $.setting,
      $.when_statement,
      alias($.let_item, $.let_statement),
      $.require_statement,
    ),

    when_statement: ($) => seq('when', field('condition', $._expression)),

    require_statement: ($) => seq(
      'require',
      field('condition', $._expression),
      optional(seq('else', field('message', $.template))),
    ),

    // ------------------------------------------------------------ types

    // Type: Type "?" | TypeAtom
    _type: ($) => choice(
      $.optional_type,
      $.named_type,
      $.generic_type,
      $.list_type,
      $.record_type,
    ),

    optional_type: ($) => seq(field('type', $._type), '?'),

    // TypeAtom: Dotted — `ev.Role` has module `ev` and name `Role`.
    named_type: ($) => seq(
      repeat(seq(field('module', name($)), '.')),
      field('name', typeName($)),
    ),

    // TypeAtom: Name "<" Comma<Type> ">"
    generic_type: ($) => seq(
      field('name', typeName($)),
      '<',
      commaSep(field('argument', $._type)),
      '>',
    ),

    // TypeAtom: "[" Type "]"
    list_type: ($) => seq('[', field('element', $._type), ']'),

    // TypeAtom: "{" RecordMember* "}"
    record_type: ($) => seq('{', repeat($._member), '}'),

    // ------------------------------------------------------------ expressions
    //
    // One hidden rule per level of grammar.lalrpop, so that exactly what the
    // Rust parser accepts parses: `a < b < c`, `a == not b` or
    // `a or if b then c else d` are errors there and here.

    // Expr: "if" Expr "then" Expr "else" Expr | OrExpr
    _expression: ($) => choice($.if_expression, $._or_level),

    if_expression: ($) => seq(
      'if',
      field('condition', $._expression),
      'then',
      field('consequence', $._expression),
      'else',
      field('alternative', $._expression),
    ),

    // OrExpr: OrExpr ("or" | "||") AndExpr | AndExpr
    _or_level: ($) => choice(alias($._or_expression, $.binary_expression), $._and_level),
    _or_expression: ($) => seq(
      field('left', $._or_level),
      field('operator', choice('or', '||')),
      field('right', $._and_level),
    ),

    // AndExpr: AndExpr ("and" | "&&") NotExpr | NotExpr
    _and_level: ($) => choice(alias($._and_expression, $.binary_expression), $._not_level),
    _and_expression: ($) => seq(
      field('left', $._and_level),
      field('operator', choice('and', '&&')),
      field('right', $._not_level),
    ),

    // NotExpr: ("not" | "!") NotExpr | CmpExpr
    _not_level: ($) => choice(alias($._not_expression, $.unary_expression), $._comparison_level),
    _not_expression: ($) => seq(
      field('operator', choice('not', '!')),
      field('operand', $._not_level),
    ),

    // CmpExpr: Coalesce CmpOp Coalesce | Coalesce   (comparisons do not chain)
    _comparison_level: ($) => choice(
      alias($._comparison_expression, $.binary_expression),
      $._coalesce_level,
    ),
    _comparison_expression: ($) => seq(
      field('left', $._coalesce_level),
      field('operator', choice('==', '!=', '<', '<=', '>', '>=', 'in', seq('not', 'in'), '=')),
      field('right', $._coalesce_level),
    ),

    // Coalesce: AddExpr "??" Coalesce | AddExpr   (right-associative)
    _coalesce_level: ($) => choice(
      alias($._coalesce_expression, $.binary_expression),
      $._additive_level,
    ),
    _coalesce_expression: ($) => seq(
      field('left', $._additive_level),
      field('operator', '??'),
      field('right', $._coalesce_level),
    ),

    // AddExpr: AddExpr ("+" | "-") MulExpr | MulExpr
    _additive_level: ($) => choice(
      alias($._additive_expression, $.binary_expression),
      $._multiplicative_level,
    ),
    _additive_expression: ($) => seq(
      field('left', $._additive_level),
      field('operator', choice('+', '-')),
      field('right', $._multiplicative_level),
    ),

    // MulExpr: MulExpr ("*" | "/" | "%") Unary | Unary
    _multiplicative_level: ($) => choice(
      alias($._multiplicative_expression, $.binary_expression),
      $._unary_level,
    ),
    _multiplicative_expression: ($) => seq(
      field('left', $._multiplicative_level),
      field('operator', choice('*', '/', '%')),
      field('right', $._unary_level),
    ),

    // Unary: "-" Unary | Postfix
    _unary_level: ($) => choice(alias($._negation, $.unary_expression), $._postfix_level),
    _negation: ($) => seq(field('operator', '-'), field('operand', $._unary_level)),

    // Postfix: Postfix ("." | "?.") FieldName ("(" Comma<Arg> ")")?
    //        | Postfix "[" Expr "]" | Primary
    _postfix_level: ($) => choice(
      $.field_access,
      $.method_call,
      $.index_expression,
      $._primary,
    ),

    field_access: ($) => seq(
      field('object', $._postfix_level),
      choice('.', '?.'),
      field('field', fieldName($)),
    ),

    method_call: ($) => seq(
      field('receiver', $._postfix_level),
      choice('.', '?.'),
      field('method', fieldName($)),
      field('arguments', $.arguments),
    ),

    index_expression: ($) => seq(
      field('object', $._postfix_level),
      '[',
      field('index', $._expression),
      ']',
    ),

    // Primary: Lit | Name | "it" | Name "(" Comma<Arg> ")" | "(" Expr ")"
    //        | "[" Comma<Expr> "]" | "{" Comma<MapEntry> "}"
    _primary: ($) => choice(
      $._literal,
      name($),
      $.it,
      $.call,
      $.parenthesized_expression,
      $.list,
      $.map,
    ),

    call: ($) => seq(field('function', name($)), field('arguments', $.arguments)),

    // Arg: Expr | Name "=>" Expr
    arguments: ($) => seq('(', commaSep(choice($._expression, $.lambda)), ')'),

    lambda: ($) => seq(field('parameter', name($)), '=>', field('body', $._expression)),

    parenthesized_expression: ($) => seq('(', $._expression, ')'),

    list: ($) => seq('[', commaSep($._expression), ']'),

    map: ($) => seq('{', commaSep($.map_entry), '}'),

    // MapEntry: StrLit ":" Expr
    map_entry: ($) => seq(field('key', $._string_literal), ':', field('value', $._expression)),

    // ------------------------------------------------------------ literals

    _literal: ($) => choice(
      $.true,
      $.false,
      $.null,
      $.integer,
      $.float,
      $.duration,
      $.timestamp,
      $.string,
      $.raw_string,
      // A string inside a message hole is written `\"…\"` (parser.rs
      // `unescape_quotes`); see `interpolation`.
      alias($._hole_string, $.string),
    ),

    true: (_) => 'true',
    false: (_) => 'false',
    null: (_) => 'null',
    it: (_) => 'it',

    // lexer.rs `Int`: `[0-9][0-9_]*`
    integer: (_) => /[0-9][0-9_]*/,

    // lexer.rs `Float`: a digit on both sides of the dot, optional exponent.
    float: (_) => /[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?/,

    // lexer.rs `Duration`: digits followed by letters, `90d`, `1h30m`,
    // `500ms`; the units are checked by `gate check` (`5min` is E0101).
    duration: (_) => /[0-9][0-9_]*[a-zA-Z][a-zA-Z0-9_]*/,

    // lexer.rs `Time`: RFC 3339, e.g. `2026-05-04T09:00:00Z`; the date and
    // the presence of an offset are checked by `gate check`.
    timestamp: (_) => /[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9:.]+([Zz]|[+-][0-9]{2}:[0-9]{2})?)?/,

    _string_literal: ($) => choice($.string, $.raw_string),

    // lexer.rs `Str`: `"…"` on one line, with escapes `\" \\ \n \t \r \{ \}`
    // and `\u{…}`. Braces are plain text: only a message template has holes.
    string: ($) => seq(
      '"',
      repeat(choice(alias($._string_content, $.string_content), $.escape_sequence)),
      '"',
    ),

    _string_content: (_) => token.immediate(prec(1, /[^"\\\n]+/)),

    escape_sequence: (_) => token.immediate(/\\(["\\ntr{}]|u\{[0-9a-fA-F]+\})/),

    // lexer.rs `RawStr`: `r"…"`, no escapes.
    raw_string: (_) => token(seq('r"', /[^"\n]*/, '"')),

    // TemplateLit (parser.rs `template`): the message after `require … else`.
    // `{expr}` is a hole, `{{` and `}}` are braces, a lone `}` is an error.
    template: ($) => seq(
      '"',
      repeat(choice(
        alias($._template_content, $.string_content),
        $.escape_sequence,
        alias('{{', $.escape_sequence),
        alias('}}', $.escape_sequence),
        $.interpolation,
      )),
      '"',
    ),

    _template_content: (_) => token.immediate(prec(1, /[^"\\\n{}]+/)),

    // A hole: the text up to the next `}` is an expression, in which a
    // string is written `\"…\"`.
    interpolation: ($) => seq('{', field('expression', $._expression), '}'),

    _hole_string: ($) => seq(
      '\\"',
      repeat(choice(
        alias($._hole_string_content, $.string_content),
        alias($._hole_escape_sequence, $.escape_sequence),
      )),
      '\\"',
    ),

    _hole_string_content: (_) => token.immediate(prec(1, /[^"\\\n}]+/)),

    _hole_escape_sequence: (_) => token.immediate(/\\[\\ntr{]/),

    // lexer.rs `Ident`: names are ASCII (a non-ASCII letter is E0101).
    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,

    // lexer.rs `Comment`: `#` to the end of the line, `# lint: allow(…)` too.
    comment: (_) => token(seq('#', /[^\n]*/)),
  },
});
