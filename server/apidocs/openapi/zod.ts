import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

// Adds .openapi() to zod's types, once, before any schema of the API description uses it.
extendZodWithOpenApi(z);

export { z };
