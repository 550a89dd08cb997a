import type { DriverName, Sides } from "../drivers/driver.js";

/** A printer as pages and the API see it: never its password. */
export type Printer = {
  id: number;
  name: string;
  site: string | null;
  driver: DriverName;
  uri: string;
  paper: "A4" | "Letter";
  sides: Sides;
  copies: number;
  siteDefault: boolean;
  username: string | null;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
};

export type PrinterValues = Omit<Printer, "id" | "createdAt" | "updatedAt" | "hasPassword">;
