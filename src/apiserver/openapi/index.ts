export { OpenApiService } from './openapi-service.js';
export { openApiV3Document } from './openapi-v3.js';
export { openApiV2Document } from './openapi-v2.js';
export { encodeOpenApiV2 } from './proto-v2.js';
