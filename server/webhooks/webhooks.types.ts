/** A webhook as pages and the service see it: never its secret. */
export type Webhook = {
  id: number;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
};
