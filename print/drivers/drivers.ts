import { CupsDriver } from "./cups.driver.js";
import type { DriverName, PrinterDriver } from "./driver.js";
import { IppDriver } from "./ipp.driver.js";
import { WindowsDriver } from "./windows.driver.js";

/** One driver of each kind, sharing the request deadline. */
export function createDrivers(opts: { timeoutMs: number }): Record<DriverName, PrinterDriver> {
  return { ipp: new IppDriver(opts), cups: new CupsDriver(opts), windows: new WindowsDriver(opts) };
}
