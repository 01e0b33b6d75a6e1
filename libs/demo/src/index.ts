export * from './demo-school.js';
