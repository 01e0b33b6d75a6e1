export * from './bootstrap.js';
export * from './durability.js';
export * from './env.js';
export * from './health.js';
export * from './persistence.js';
export * from './preflight.js';
export * from './rpc-error.js';
export * from './bulk-insert.js';
