import assert from "node:assert/strict";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { openApiDocument } from "../../server/apidocs/openapi/document.js";

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
type Route = { pattern: RegExp; methods: Record<string, Operation> };

const COMPONENTS = "openapi-components";
let compiled: { ajv: Ajv2020; routes: Route[]; problem: ValidateFunction } | null = null;

/** The served description, with every schema compiled by a JSON Schema 2020-12 validator (what OpenAPI 3.1 uses). */
function load() {
  if (compiled) return compiled;
  const doc = openApiDocument() as unknown as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, object> };
  };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  // Component references point into a schema of their own: `#/components/schemas/X` → `openapi-components#/$defs/X`.
  const relink = <T>(schema: T): T =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS}#/$defs/`));
  ajv.addSchema({ $id: COMPONENTS, $defs: relink(doc.components.schemas) });
  const routes = Object.entries(doc.paths).map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
    methods: relink(methods),
  }));
  compiled = { ajv, routes, problem: ajv.compile({ $ref: `${COMPONENTS}#/$defs/Problem` }) };
  return compiled;
}

const validators = new Map<object, ValidateFunction>();

/**
 * Checks one answer of /api/v1 against the OpenAPI description: the operation must be
 * described, and the answer's status, media type and body must be among those it
 * describes. An answer to a path or method nobody serves must be a problem+json 404/405.
 * `path` is the part after /api/v1, query included.
 */
export function assertMatchesOpenApi(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): void {
  const { ajv, routes, problem } = load();
  const where = `${method} /api/v1${path} → ${status}`;
  const bare = path.split("?")[0] as string;
  const op = routes.find((r) => r.pattern.test(bare))?.methods[method.toLowerCase()];
  const media = (contentType ?? "").split(";")[0]?.trim() ?? "";
  if (!op) {
    assert.ok(status === 404 || status === 405, `${where}: the API description has no ${method} ${bare}`);
    assert.equal(media, "application/problem+json", `${where}: not a problem+json`);
    assert.ok(problem(body), `${where}: ${ajv.errorsText(problem.errors)}`);
    return;
  }
  const answer = op.responses[String(status)] ?? op.responses.default;
  assert.ok(answer, `${where}: status ${status} is not described`);
  if (!answer.content) {
    assert.ok(body === null || body === undefined || body === "", `${where}: the description says no body, got one`);
    return;
  }
  const described = answer.content[media];
  assert.ok(described, `${where}: media type "${media}" is not described (${Object.keys(answer.content).join(", ")})`);
  if (media === "application/pdf") return;
  let validate = validators.get(described.schema);
  if (!validate) {
    validate = ajv.compile(described.schema);
    validators.set(described.schema, validate);
  }
  assert.ok(
    validate(body),
    `${where}: the answer does not match the API description: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
  );
}
