export * from './communication.js';
export * from './envelope.js';
export * from './event-map.js';
export * from './payloads.js';
export * from './rpc.js';
export * from './subjects.js';
export * from './uuidv7.js';
export * from './quick-validation.js';
