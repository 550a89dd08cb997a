import type { Feature } from "../core/feature.js";
import { webhookPages } from "./webhooks.routes.js";
import { type WebhooksDeps, WebhooksService } from "./webhooks.service.js";

export type Webhooks = Feature & { webhooks: WebhooksService; pages: NonNullable<Feature["pages"]> };

/**
 * Webhooks: Administration › Webhooks, and the service that turns events into outbox
 * messages. Built once: it registers the webhook kind and transport with notify's outbox
 * and worker, and listens to the events.
 */
export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const webhooks = new WebhooksService(deps);
  return { name: "webhooks", webhooks, pages: [webhookPages({ webhooks })] };
}

export type { WebhooksDeps, WebhooksService } from "./webhooks.service.js";
export type { Webhook } from "./webhooks.types.js";
