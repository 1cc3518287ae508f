// Parse Argdown from stdin with the real @argdown/core parser and print what it built as JSON:
// errors, statement and relation counts, statement texts and their data (the cited quotes).
import { readFileSync } from "node:fs";
import { ArgdownApplication, DataPlugin, ModelPlugin, ParserPlugin } from "@argdown/core";

const app = new ArgdownApplication();
app.addPlugin(new ParserPlugin(), "parse-input");
app.addPlugin(new DataPlugin(), "build-model");
app.addPlugin(new ModelPlugin(), "build-model");
const input = readFileSync(0, "utf8");
const response = app.run({ input, process: ["parse-input", "build-model"], logLevel: "error" });

const message = (error) => (error && error.message) || String(error);
const statements = Object.entries(response.statements || {});
console.log(JSON.stringify({
  lexerErrors: (response.lexerErrors || []).map(message),
  parserErrors: (response.parserErrors || []).map(message),
  statements: statements.length,
  arguments: Object.keys(response.arguments || {}).length,
  relations: (response.relations || []).map((r) => ({
    from: r.from && r.from.title, to: r.to && r.to.title, type: r.relationType,
  })),
  statementTexts: Object.fromEntries(
    statements.map(([title, ec]) => [title, (ec.members || []).map((m) => m.text)])),
  statementData: Object.fromEntries(statements.map(([title, ec]) => [title, ec.data || null])),
  statementTags: Object.fromEntries(statements.map(([title, ec]) => [title, ec.tags || null])),
}));
