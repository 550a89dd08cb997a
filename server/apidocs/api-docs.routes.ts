import { Router } from "express";
import { adminOnly } from "../core/http/auth-middleware.js";
import { openApiDocument } from "./openapi/document.js";
import { apiVersion } from "./openapi.api.js";

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  description?: string;
};
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};

/** A schema in a few words: `string | null`, `User`, `array of integer`, `"en" | "es"`. */
function typeName(schema: Schema | undefined): string {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop() ?? "";
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.anyOf) return schema.anyOf.map(typeName).join(" | ");
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "object"];
  return types.map((t) => (t === "array" ? `array of ${typeName(schema.items)}` : t)).join(" | ");
}

/** Markdown's code marks dropped: the page shows descriptions as text. */
const plain = (text: string) => text.replaceAll("`", "");

/** The fields of a body schema, following one reference. */
function fieldsOf(schema: Schema | undefined, components: Record<string, Schema>) {
  const target = schema?.$ref ? components[schema.$ref.split("/").pop() ?? ""] : schema;
  return Object.entries(target?.properties ?? {}).map(([name, s]) => ({
    name,
    type: typeName(s),
    required: target?.required?.includes(name) ?? false,
    description: s.description ?? "",
  }));
}

/** The description as the page shows it: operations by tag, each with its inputs and answers. */
function pageModel() {
  const doc = openApiDocument(apiVersion()) as unknown as {
    info: { title: string; version: string; description?: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  };
  const tags = new Map<string, unknown[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "Other";
      const body = op.requestBody?.content["application/json"]?.schema;
      const list = tags.get(tag) ?? [];
      list.push({
        id: `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-").replace(/-+$/, ""),
        method: method.toUpperCase(),
        path: `/api/v1${path}`,
        summary: op.summary ?? "",
        access: plain(op.description ?? ""),
        parameters: (op.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required ?? false,
          type: typeName(p.schema),
          description: p.schema?.description ?? "",
        })),
        body: body ? fieldsOf(body, doc.components.schemas) : null,
        responses: Object.entries(op.responses).map(([status, r]) => {
          const [media, content] = Object.entries(r.content ?? {})[0] ?? [];
          return { status, description: plain(r.description), media: media ?? "", type: content ? typeName(content.schema) : "" };
        }),
      });
      tags.set(tag, list);
    }
  }
  const info = { ...doc.info, description: plain(doc.info.description ?? "") };
  return { info, tags: [...tags.entries()].map(([name, operations]) => ({ name, operations })) };
}

/**
 * `/admin/api`: the API description rendered on the server for admins (no script), from the
 * same document as /api/v1/openapi.json.
 */
export function apiDocsPages(): Router {
  const router = Router();
  let model: ReturnType<typeof pageModel> | null = null;
  router.get("/admin/api", adminOnly, (_req, res) => {
    model ??= pageModel();
    res.render("admin/api", { title: "API", section: "/admin", tab: "api", ...model });
  });
  return router;
}
