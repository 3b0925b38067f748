export { FakeApiHandler, parsePath, matchesSelectors, type ParsedPath } from './fake-api-handler.js';
export { WatchChannel } from './watch-channel.js';
