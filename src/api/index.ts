export * from './object.js';
export * from './errors.js';
export * from './request.js';
export * from './names.js';
export * from './object-meta.js';
