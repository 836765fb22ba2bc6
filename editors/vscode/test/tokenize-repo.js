#!/usr/bin/env node
// Runs every `*.gate` file of the repository through the TextMate grammar
// with vscode-textmate and vscode-oniguruma (the engines VS Code uses) and
// checks that
//   * tokenizing every line finishes (within a time limit per line);
//   * no token of a file that should compile is scoped `invalid`;
//   * a file that should compile ends with every region of the grammar
//     closed (nothing left open to colour the rest of a file wrongly).
// A file "should not compile" when it, or its expected output (`NAME.out`
// beside it, or `expected` in its folder), names a syntax error code
// `E01xx`: the corpus of diagnostics and the hostile inputs. Those files are
// tokenized too, and their `invalid` tokens are counted but allowed.
//
// Usage: node test/tokenize-repo.js [REPO_ROOT]

'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = path.resolve(__dirname, '..');
const root = path.resolve(process.argv[2] || path.join(here, '..', '..'));
const grammarPath = path.join(here, 'syntaxes', 'gate.tmLanguage.json');
const LINE_TIME_LIMIT_MS = 2000;
const SKIP_DIRS = new Set(['node_modules', 'target', '.git']);

function gateFiles(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // This extension's own grammar tests are not policies of the repository.
      if (SKIP_DIRS.has(entry.name) || entry.name.startsWith('.') || full === here) continue;
      gateFiles(full, out);
    } else if (entry.isFile() && entry.name.endsWith('.gate')) {
      out.push(full);
    }
  }
  return out;
}

function expectsSyntaxErrors(file, text) {
  const code = /\bE01\d\d\b/;
  if (code.test(text)) return true;
  const siblings = [file.replace(/\.gate$/, '.out'), path.join(path.dirname(file), 'expected')];
  return siblings.some((s) => fs.existsSync(s) && code.test(fs.readFileSync(s, 'utf8')));
}

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.gate'
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
        : null,
  });
  return registry.loadGrammar('source.gate');
}

async function main() {
  const grammar = await loadGrammar();
  const files = gateFiles(root, []).sort();
  let lines = 0;
  let expectedInvalid = 0;
  let withErrors = 0;
  const problems = [];
  for (const file of files) {
    const rel = path.relative(root, file);
    // As VS Code does: a byte order mark is not part of the text, and lines
    // end at \n, \r\n or \r.
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const erroneous = expectsSyntaxErrors(file, text);
    if (erroneous) withErrors++;
    let stack = vsctm.INITIAL;
    text.split(/\r\n|\r|\n/).forEach((line, i) => {
      lines++;
      const result = grammar.tokenizeLine(line, stack, LINE_TIME_LIMIT_MS);
      if (result.stoppedEarly) {
        problems.push(`${rel}:${i + 1}: tokenizing the line did not finish in ${LINE_TIME_LIMIT_MS} ms`);
      }
      for (const token of result.tokens) {
        const scope = token.scopes.find((s) => s.startsWith('invalid'));
        if (scope === undefined) continue;
        if (erroneous) {
          expectedInvalid++;
        } else {
          const textOf = line.slice(token.startIndex, token.endIndex);
          problems.push(`${rel}:${i + 1}:${token.startIndex + 1}: ${JSON.stringify(textOf)} is ${scope}`);
        }
      }
      stack = result.ruleStack;
    });
    if (!erroneous && stack.depth !== 1) {
      problems.push(`${rel}: ends inside ${stack.depth - 1} open region(s) of the grammar`);
    }
  }
  for (const p of problems) console.error(`  ${p}`);
  console.log(
    `tokenized ${files.length} files (${lines} lines): ${problems.length} problems; ` +
      `${withErrors} files expecting syntax errors have ${expectedInvalid} invalid tokens`,
  );
  if (files.length === 0) {
    console.error(`no .gate files under ${root}`);
    process.exit(1);
  }
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
