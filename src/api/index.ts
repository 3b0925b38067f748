export * from './object.js';
export * from './errors.js';
export * from './request.js';
export * from './names.js';
export * from './object-meta.js';
export * from './labels.js';
export * from './label-selector-meta.js';
export * from './fields.js';
