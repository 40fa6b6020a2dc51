import type { BuildOptions } from 'esbuild';

export declare const CLI_BUNDLE: BuildOptions;
export declare const PLAN_WORKER_BUNDLE: BuildOptions;
