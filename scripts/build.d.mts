/** scripts/build.mjs, for the TypeScript that imports it (tests, benchmarks). */
export declare const ROOT: string;
export declare const DIST: string;
export declare function isStale(): boolean;
export declare function build(): Promise<number>;
