/**
 * The kubelet's HTTPS server (logs, exec, attach) and the pieces it is made of.
 * @module
 */
export { startKubeletServer, defaultKubeletPort, apiserverKubeletClientUser, type KubeletServer, type KubeletServerOptions } from './kubelet-server.js';
export { readCriLog, parseCriLogLine, formatLogTime, type CriLogRecord, type LogOptions } from './cri-log.js';
export { channelProtocols, chooseChannelProtocol, channels, frame, parseMessage, exitStatus, type ChannelProtocol } from './channel-protocol.js';
