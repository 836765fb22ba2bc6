// A stand-in for the `vscode` module, so that out/extension.js and the real
// vscode-languageclient run under plain Node.js: the editor cannot be
// downloaded where the tests run. It has real classes for the values the
// client converts the server's answers into (positions, ranges, locations,
// diagnostics, hovers, code lenses, semantic tokens, edits), keeps what the
// client registers (commands, providers, diagnostic collections) so a test
// can call them as the editor would, and opens documents the way the editor
// tells the client. Anything else is a universal stub (callable,
// constructible, with any property).

'use strict';

const Module = require('module');
const url = require('url');

function stub(name) {
  const target = function () {};
  return new Proxy(target, {
    get(t, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.iterator) return function* () {};
      if (key === Symbol.toPrimitive) return () => `[${name}]`;
      if (key === 'dispose') return () => {};
      if (!(key in t)) t[key] = stub(`${name}.${String(key)}`);
      return t[key];
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`),
  });
}

const disposable = { dispose() {} };
const event = () => () => disposable;

/** Listeners of one editor event, which a test fires. */
function emitter() {
  const listeners = [];
  // As VS Code's events: `event(listener, thisArgs?, disposables?)`.
  const on = (listener, thisArgs, disposables) => {
    const bound = thisArgs ? listener.bind(thisArgs) : listener;
    listeners.push(bound);
    const d = { dispose: () => listeners.splice(listeners.indexOf(bound), 1) };
    if (Array.isArray(disposables)) disposables.push(d);
    return d;
  };
  on.fire = (value) => listeners.forEach((l) => l(value));
  return on;
}

class Uri {
  constructor(href) {
    const parsed = new URL(href);
    this.scheme = parsed.protocol.replace(/:$/, '');
    this.authority = parsed.host;
    this.path = decodeURIComponent(parsed.pathname);
    this.query = parsed.search.replace(/^\?/, '');
    this.fragment = parsed.hash.replace(/^#/, '');
    this._href = href;
  }
  static parse(value) {
    return new Uri(value);
  }
  static file(path) {
    return new Uri(url.pathToFileURL(path).href);
  }
  get fsPath() {
    return this.scheme === 'file' ? url.fileURLToPath(this._href) : this.path;
  }
  toString() {
    return this._href;
  }
  toJSON() {
    return this._href;
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    if (a instanceof Position) {
      [this.start, this.end] = [a, b];
    } else {
      [this.start, this.end] = [new Position(a, b), new Position(c, d)];
    }
  }
}

class Location {
  constructor(uri, range) {
    this.uri = uri;
    this.range = range instanceof Position ? new Range(range, range) : range;
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class DiagnosticRelatedInformation {
  constructor(location, message) {
    this.location = location;
    this.message = message;
  }
}

class MarkdownString {
  constructor(value = '') {
    this.value = value;
  }
  appendText(text) {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
    return this;
  }
  appendMarkdown(text) {
    this.value += text;
    return this;
  }
  appendCodeblock(code, language = '') {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}

class CodeLens {
  constructor(range, command) {
    this.range = range;
    this.command = command;
  }
  get isResolved() {
    return this.command !== undefined;
  }
}

class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
  static replace(range, newText) {
    return new TextEdit(range, newText);
  }
}

class SemanticTokensLegend {
  constructor(tokenTypes, tokenModifiers = []) {
    this.tokenTypes = tokenTypes;
    this.tokenModifiers = tokenModifiers;
  }
}

class SemanticTokens {
  constructor(data, resultId) {
    this.data = data;
    this.resultId = resultId;
  }
}

class CancellationTokenSource {
  constructor() {
    this.token = { isCancellationRequested: false, onCancellationRequested: event() };
  }
  cancel() {
    this.token.isCancellationRequested = true;
  }
  dispose() {}
}

class CancellationError extends Error {}

const enumeration = (...names) => Object.fromEntries(names.map((n, i) => [n, i]));

/**
 * Installs the stand-in as the `vscode` module and returns it with what the
 * client registers: `{ vscode, settings, commands, errors, messages,
 * configurationListeners, providers, diagnostics, open(path, text),
 * change(document, text), token }`.
 */
function install(settings) {
  const commands = new Map();
  const providers = new Map();
  const diagnostics = new Map();
  const configurationListeners = [];
  const errors = [];
  const messages = [];
  const textDocuments = [];
  const opened = emitter();
  const changed = emitter();

  const languages = {
    match(selector, document) {
      const filters = Array.isArray(selector) ? selector : [selector];
      const hit = filters.some((f) =>
        typeof f === 'string'
          ? f === document.languageId
          : (!f.language || f.language === document.languageId) &&
            (!f.scheme || f.scheme === document.uri.scheme),
      );
      return hit ? 10 : 0;
    },
    createDiagnosticCollection(name) {
      return {
        name,
        set(uri, list) {
          diagnostics.set(uri.toString(), list ?? []);
        },
        delete(uri) {
          diagnostics.delete(uri.toString());
        },
        clear() {
          diagnostics.clear();
        },
        get: (uri) => diagnostics.get(uri.toString()),
        has: (uri) => diagnostics.has(uri.toString()),
        forEach(f) {
          diagnostics.forEach((list, uri) => f(Uri.parse(uri), list, this));
        },
        dispose() {},
      };
    },
  };
  const languagesProxy = new Proxy(languages, {
    get(t, key) {
      if (key in t) return t[key];
      if (typeof key === 'string' && key.startsWith('register')) {
        // registerHoverProvider(selector, provider, ...): kept by its kind.
        return (selector, provider, ...rest) => {
          const kind = key.replace(/^register/, '').replace(/Provider$/, '');
          const list = providers.get(kind) ?? [];
          list.push({ selector, provider, rest });
          providers.set(kind, list);
          return disposable;
        };
      }
      return stub(`languages.${String(key)}`);
    },
  });

  const vscode = new Proxy(
    {
      version: '1.82.0',
      env: { appName: 'stand-in', language: 'en', machineId: 'm', sessionId: 's', uiKind: 1 },
      Uri,
      Position,
      Range,
      Location,
      Diagnostic,
      DiagnosticRelatedInformation,
      DiagnosticSeverity: enumeration('Error', 'Warning', 'Information', 'Hint'),
      DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
      MarkdownString,
      Hover,
      CodeLens,
      TextEdit,
      SemanticTokensLegend,
      SemanticTokens,
      CancellationTokenSource,
      CancellationError,
      Disposable: class {
        static from() {
          return disposable;
        }
        dispose() {}
      },
      EventEmitter: class {
        constructor() {
          this.event = () => disposable;
        }
        fire() {}
        dispose() {}
      },
      commands: {
        registerCommand(name, callback) {
          commands.set(name, callback);
          return { dispose: () => commands.delete(name) };
        },
        executeCommand: async (name, ...args) => (commands.has(name) ? commands.get(name)(...args) : undefined),
      },
      languages: languagesProxy,
      window: new Proxy(
        {
          createOutputChannel: (name) => ({
            name,
            append() {},
            appendLine() {},
            replace() {},
            clear() {},
            show() {},
            hide() {},
            dispose() {},
          }),
          showErrorMessage(message) {
            errors.push(message);
            return Promise.resolve(undefined);
          },
          showWarningMessage(message) {
            messages.push(message);
            return Promise.resolve(undefined);
          },
          showInformationMessage(message) {
            messages.push(message);
            return Promise.resolve(undefined);
          },
          visibleTextEditors: [],
          onDidChangeVisibleTextEditors: event(),
          onDidChangeActiveTextEditor: event(),
          activeTextEditor: undefined,
        },
        { get: (t, k) => (k in t ? t[k] : stub(`window.${String(k)}`)) },
      ),
      workspace: new Proxy(
        {
          workspaceFolders: undefined,
          textDocuments,
          notebookDocuments: [],
          getConfiguration(section) {
            const prefix = section ? `${section}.` : '';
            return {
              get: (key, fallback) => settings[prefix + key] ?? fallback,
              inspect: () => ({}),
              has: (key) => prefix + key in settings,
            };
          },
          onDidChangeConfiguration(listener) {
            configurationListeners.push(listener);
            return disposable;
          },
          onDidOpenTextDocument: opened,
          onDidChangeTextDocument: changed,
          onDidGrantWorkspaceTrust: event(),
          createFileSystemWatcher: (glob) => ({
            glob,
            onDidCreate: event(),
            onDidChange: event(),
            onDidDelete: event(),
            dispose() {},
          }),
        },
        { get: (t, k) => (k in t ? t[k] : k.startsWith('on') ? event() : stub(`workspace.${k}`)) },
      ),
    },
    { get: (t, k) => (k in t ? t[k] : stub(`vscode.${String(k)}`)) },
  );

  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

  /** A text document as the editor has it. */
  function document(path, text) {
    const doc = {
      uri: Uri.file(path),
      fileName: path,
      languageId: 'gate',
      version: 1,
      isClosed: false,
      isDirty: false,
      isUntitled: false,
      eol: 1,
      text,
      getText() {
        return doc.text;
      },
      get lineCount() {
        return doc.text.split('\n').length;
      },
    };
    return doc;
  }

  return {
    vscode,
    settings,
    commands,
    errors,
    messages,
    configurationListeners,
    providers,
    diagnostics,
    token: new CancellationTokenSource().token,
    /** A document open before the client starts (sent on initialize). */
    preopen(path, text) {
      const doc = document(path, text);
      textDocuments.push(doc);
      return doc;
    },
    /** Opens a document, as the editor does when the user opens a file. */
    open(path, text) {
      const doc = document(path, text);
      textDocuments.push(doc);
      opened.fire(doc);
      return doc;
    },
    /** Replaces a document's whole text, as an edit does. */
    change(doc, text) {
      const lines = doc.text.split('\n');
      const end = new Position(lines.length - 1, lines[lines.length - 1].length);
      const range = new Range(new Position(0, 0), end);
      const rangeLength = doc.text.length;
      doc.text = text;
      doc.version += 1;
      changed.fire({ document: doc, contentChanges: [{ range, rangeOffset: 0, rangeLength, text }], reason: undefined });
    },
    /** The one provider of a kind the client registered (`Hover`, `Definition`, …). */
    provider(kind) {
      const list = providers.get(kind) ?? [];
      if (list.length !== 1) {
        throw new Error(`${list.length} ${kind} providers registered (${[...providers.keys()].join(', ')})`);
      }
      return list[0];
    },
  };
}

/** Runs a test's `main`: exit status 0 (and `tmp` removed) when it resolves, 1 when it throws. */
function run(main, tmp) {
  main()
    .then(() => {
      require('fs').rmSync(tmp, { recursive: true, force: true });
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

module.exports = { install, run, Uri, Position, Range };
